"""The audit log: an event for each account action, on every route, never holding a secret."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import account_deactivate, token_session_start
from tests.accounts.conftest import (
    DJOSER,
    NEW_PASSWORD,
    REST_AUTH,
    admin_deactivation_form,
    link_from_last_mail,
    login,
    token_client,
    uid_token,
)
from tests.accounts.logins import API_LOGINS, SESSION_LOGINS
from tests.conftest import CommittingAPIClient, CommittingClient

pytestmark = pytest.mark.django_db

Event, Outcome = AuditEvent.Event, AuditEvent.Outcome
BROWSER = {"HTTP_USER_AGENT": "Canvass-test-browser/1.0", "REMOTE_ADDR": "192.0.2.10"}
LOGIN_ROUTE_NAMES = {
    "djoser-token": "login",
    "djoser-jwt": "jwt-create",
    "dj-rest-auth": "rest_login",
    "api-token-auth": "api-token-auth",
    "allauth": "account_login",
    "admin": "admin:login",
}


@pytest.fixture
def account(confirmed_user, rates):
    """A confirmed staff account (the admin login lets it in too); no throttles in the way; the
    log starts empty (making the account recorded its confirmation)."""
    rates(login=None, registration=None, activation=None, password_reset=None, email_change=None)
    confirmed_user.is_staff = True
    confirmed_user.save(update_fields=["is_staff"])
    AuditEvent.objects.all().delete()
    return confirmed_user


def events(event: str, **fields) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=event, **fields))


def the_event(event: str, **fields) -> AuditEvent:
    found = events(event, **fields)
    assert len(found) == 1, (event, fields, list(AuditEvent.objects.values()))
    return found[0]


def login_attempt(route: str, email: str, password: str):
    if route in API_LOGINS:
        path, payload, _key = API_LOGINS[route]
        return CommittingAPIClient(**BROWSER).post(path, payload(email, password), format="json")
    path, payload = SESSION_LOGINS[route]
    return CommittingClient(**BROWSER).post(path, payload(email, password))


@pytest.mark.parametrize("routes", [DJOSER, REST_AUTH], ids=lambda routes: routes.name)
def test_a_sign_up_and_its_confirmation_are_recorded(account, routes, password):
    client = CommittingAPIClient(**BROWSER)
    client.post(routes.register, routes.register_payload("new@example.org", password))
    client.post(routes.register, routes.register_payload("ANN@example.org", password))
    link = link_from_last_mail("new@example.org", routes.link_prefix)

    client.post(routes.confirm, routes.confirm_payload(link))

    created = the_event(Event.SIGNUP, outcome=Outcome.SUCCESS)
    assert (created.target, created.ip_address, created.user_agent) == (
        "new@example.org",
        "192.0.2.10",
        "Canvass-test-browser/1.0",
    )
    assert created.actor is None
    taken = the_event(Event.SIGNUP, outcome=Outcome.FAILURE)
    assert (taken.target, taken.detail) == ("ann@example.org", "address taken")
    assert the_event(Event.CONFIRMATION).target == "new@example.org"


@pytest.mark.parametrize("route", LOGIN_ROUTE_NAMES)
def test_logins_and_failed_logins_are_recorded_per_route(account, password, route):
    assert login_attempt(route, account.email.upper(), "not the password").status_code != 500
    login_attempt(route, account.email, password)

    failed = the_event(Event.LOGIN, outcome=Outcome.FAILURE)
    succeeded = the_event(Event.LOGIN, outcome=Outcome.SUCCESS)
    assert (failed.target, failed.route, failed.actor) == (
        account.email,
        LOGIN_ROUTE_NAMES[route],
        None,
    )
    assert (succeeded.target, succeeded.route, succeeded.actor) == (
        account.email,
        LOGIN_ROUTE_NAMES[route],
        account,
    )
    assert succeeded.ip_address == "192.0.2.10"


def test_a_lockout_and_the_attempts_it_refuses_are_recorded(account, password, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        login_attempt("dj-rest-auth", account.email, "not the password")

    login_attempt("dj-rest-auth", account.email, password)

    assert the_event(Event.LOCKOUT).target == account.email
    assert the_event(Event.LOGIN, detail="locked").outcome == Outcome.FAILURE
    assert not events(Event.LOGIN, outcome=Outcome.SUCCESS)


@pytest.mark.parametrize("route", ["djoser", "dj-rest-auth", "allauth"])
def test_a_logout_is_recorded_once(account, password, route):
    if route == "allauth":
        client = CommittingClient(**BROWSER)
        client.post("/accounts/login/", {"login": account.email, "password": password})
        client.post("/accounts/logout/")
    else:
        routes = DJOSER if route == "djoser" else REST_AUTH
        key = login(CommittingAPIClient(), routes, account.email, password).json()[
            routes.credential
        ]
        token_client(key).post(routes.logout)

    logout = the_event(Event.LOGOUT)
    assert (logout.actor, logout.target) == (account, account.email)


@pytest.mark.parametrize("routes", [DJOSER, REST_AUTH], ids=lambda routes: routes.name)
def test_a_password_change_and_the_revocation_are_recorded(account, password, routes):
    key = login(CommittingAPIClient(), routes, account.email, password).json()[routes.credential]
    login(CommittingAPIClient(), routes, account.email, password)  # another device's

    token_client(key).post(
        routes.password_change, routes.password_change_payload(password, NEW_PASSWORD)
    )

    change = the_event(Event.PASSWORD_CHANGE)
    assert (change.actor, change.target) == (account, account.email)
    assert the_event(Event.CREDENTIALS_REVOKED).detail.startswith("1 session(s)")


def test_a_password_change_in_the_admin_is_recorded_with_the_admin_as_actor(account, admin_browser):
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    admin_browser.post(f"/admin/accounts/user/{account.pk}/password/", form)

    change = the_event(Event.PASSWORD_CHANGE)
    assert (change.actor_email, change.target) == ("root@example.org", account.email)


@pytest.mark.parametrize("routes", [DJOSER, REST_AUTH], ids=lambda routes: routes.name)
def test_a_password_reset_is_recorded(account, routes):
    client = CommittingAPIClient(**BROWSER)
    client.post(routes.reset, {"email": account.email})
    client.post(routes.reset, {"email": "nobody@example.org"})
    uid, token = uid_token(link_from_last_mail(account.email, "/password/reset/confirm/"))

    client.post(routes.reset_confirm, routes.reset_confirm_payload(uid, token, NEW_PASSWORD))

    assert the_event(Event.PASSWORD_RESET_REQUEST, outcome=Outcome.SUCCESS).target == account.email
    unknown = the_event(Event.PASSWORD_RESET_REQUEST, outcome=Outcome.FAILURE)
    assert unknown.target == "nobody@example.org"
    assert the_event(Event.PASSWORD_RESET).target == account.email
    assert the_event(Event.CREDENTIALS_REVOKED).target == account.email


def test_an_email_change_is_recorded(account, password):
    client = token_client(token_session_start(user=account).key)
    client.post(
        "/auth/users/set_email/", {"current_password": password, "new_email": "new@example.org"}
    )
    key = (
        link_from_last_mail("new@example.org", "/email/change/confirm/").rstrip("/").split("/")[-1]
    )

    CommittingAPIClient().post("/auth/users/set_email/confirm/", {"key": key})

    request = the_event(Event.EMAIL_CHANGE_REQUEST)
    assert (request.actor, request.target, request.detail) == (
        account,
        "ann@example.org",
        "to new@example.org",
    )
    change = the_event(Event.EMAIL_CHANGE)
    assert (change.target, change.detail) == ("new@example.org", "from ann@example.org")


def test_deactivation_is_recorded_from_the_admin_and_from_the_service(
    account, admin_browser, user_factory
):
    form = admin_deactivation_form(account)
    admin_browser.post(f"/admin/accounts/user/{account.pk}/change/", form)
    other = user_factory(email="other@example.org")

    account_deactivate(user=other)

    by_admin = the_event(Event.DEACTIVATION, target=account.email)
    assert by_admin.actor_email == "root@example.org"
    assert the_event(Event.DEACTIVATION, target=other.email).actor is None


def test_deletion_is_recorded_and_outlives_the_account(account, password):
    client = token_client(token_session_start(user=account).key)

    client.delete("/auth/users/me/", {"current_password": password})

    deletion = the_event(Event.DELETION)
    assert not User.objects.filter(email=account.email).exists()
    assert (deletion.target, deletion.actor_email, deletion.actor) == (
        account.email,
        account.email,
        None,
    )


def test_no_password_token_or_link_secret_is_ever_stored(account, password, mailoutbox):
    """Every kind of secret the account routes handle, then a look into every stored field."""
    secrets = {password, NEW_PASSWORD, "wrong secret guess"}
    api = CommittingAPIClient(**BROWSER)
    api.post(DJOSER.register, DJOSER.register_payload("second@example.org", "second secret pw"))
    secrets.add("second secret pw")
    activation = link_from_last_mail("second@example.org", "/activate/")
    secrets.add(uid_token(activation)[1])  # the uid is only the account's id, encoded
    api.post(DJOSER.confirm, DJOSER.confirm_payload(activation))
    api.post(REST_AUTH.login, {"email": account.email, "password": "wrong secret guess"})
    secrets.add(login(api, DJOSER, account.email, password).json()["auth_token"])
    pair = api.post("/auth/jwt/create/", {"email": account.email, "password": password}).json()
    secrets.update(pair.values())
    browser = Client(**BROWSER)
    browser.post("/accounts/login/", {"login": account.email, "password": password})
    secrets.add(browser.session.session_key)
    api.post(DJOSER.reset, {"email": account.email})
    uid, token = uid_token(link_from_last_mail(account.email, "/password/reset/confirm/"))
    secrets.add(token)
    CommittingClient(**BROWSER).post(
        f"/password/reset/confirm/{uid}/{token}/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    key = login(api, DJOSER, account.email, NEW_PASSWORD).json()["auth_token"]
    secrets.add(key)
    token_client(key).post(DJOSER.logout)

    stored = [str(value) for row in AuditEvent.objects.values() for value in row.values()]
    assert len(AuditEvent.objects.values_list("event").distinct()) >= 8
    assert all(len(secret) >= 8 for secret in secrets)
    assert not [secret for secret in secrets if any(secret in value for value in stored)]


def test_the_admin_shows_the_log_and_changes_nothing(account, admin_browser, password):
    login_attempt("djoser-token", account.email, password)
    event = AuditEvent.objects.get(route="login")

    assert admin_browser.get("/admin/accounts/auditevent/").status_code == HTTPStatus.OK
    detail = admin_browser.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    assert detail.status_code == HTTPStatus.OK
    assert b'name="_save"' not in detail.content
    assert admin_browser.get("/admin/accounts/auditevent/add/").status_code == 403
    delete = admin_browser.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert delete.status_code == HTTPStatus.FORBIDDEN
    admin_browser.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"event": "logout"})
    assert AuditEvent.objects.get(pk=event.pk).event == Event.LOGIN


def test_the_retention_command_deletes_only_old_events(account, password, capsys):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        login_attempt("djoser-token", account.email, password)
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        login_attempt("djoser-jwt", account.email, password)

    call_command("purge_audit_events", "--older-than", "30", "--dry-run")
    assert "1 audit events older than 30 days would be deleted" in capsys.readouterr().out
    assert AuditEvent.objects.count() == 2

    call_command("purge_audit_events", "--older-than", "30")

    assert "1 audit events older than 30 days deleted" in capsys.readouterr().out
    assert list(AuditEvent.objects.values_list("route", flat=True)) == ["jwt-create"]


def test_the_session_login_rotates_the_session_and_is_recorded_once(account, password):
    browser = Client(**BROWSER)
    browser.get("/accounts/login/")
    before = browser.cookies["csrftoken"].value

    browser.post("/accounts/login/", {"login": account.email, "password": password})

    assert SESSION_KEY in browser.session
    assert browser.cookies["csrftoken"].value != before  # rotated on login, as is the session
    assert len(events(Event.LOGIN, outcome=Outcome.SUCCESS)) == 1
