"""Email change: current password, a link to the new address, a notice to the old one,
no enumeration, race-safe, allauth's verified address moves along, and a pending change
lives server-side: used once, cancelled by every change of the account's credentials."""

import base64
import hashlib
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.forms.models import model_to_dict

from accounts.models import PendingEmailChange, User
from accounts.services import account_deactivate, account_delete
from tests.accounts.conftest import (
    DJOSER,
    NEW_PASSWORD,
    REST_AUTH,
    link_from_last_mail,
    login,
    mail_to,
    token_client,
)
from tests.accounts.csrf import Browser
from tests.accounts.logins import API_LOGINS, api_login, session_login
from tests.accounts.resets import request_reset

pytestmark = pytest.mark.django_db
REQUEST = "/auth/users/set_email/"
CONFIRM = "/auth/users/set_email/confirm/"


@pytest.fixture
def account(api_client, confirmed_user, password):
    return token_client(
        login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    )


def request_change(account, password, new_email):
    return account.post(REQUEST, {"current_password": password, "new_email": new_email})


def key_from_mail(address: str) -> str:
    return link_from_last_mail(address, "/email/change/confirm/").split("/")[-1]


def test_a_change_mails_the_new_address_a_link_and_the_old_one_a_notice(
    account, confirmed_user, password
):
    response = request_change(account, password, "new@example.org")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert key_from_mail("new@example.org")
    notice = mail_to(confirmed_user.email)[-1]
    assert notice.subject == "A change of your Canvass address was requested"
    assert "new@example.org" in notice.body
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_a_change_needs_the_current_password(account, confirmed_user, mailoutbox):
    response = request_change(account, "wrong password", "new@example.org")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "current_password" in response.json()
    assert mailoutbox == []


def test_the_new_address_logs_in_on_every_route_and_the_old_one_does_not(
    api_client, client, account, confirmed_user, password
):
    request_change(account, password, "New@Example.org")

    response = api_client.post(CONFIRM, {"key": key_from_mail("New@Example.org")})

    assert response.status_code == HTTPStatus.NO_CONTENT
    for route in API_LOGINS:
        assert api_login(api_client, route, "new@example.org", password).status_code == 200, route
        assert api_login(api_client, route, "ann@example.org", password).status_code != 200, route
    assert session_login(client, "allauth", "new@example.org", password)
    address = EmailAddress.objects.get(user=confirmed_user)
    assert (address.email, address.verified, address.primary) == ("new@example.org", True, True)
    assert mail_to("ann@example.org")[-1].subject == "Your Canvass address was changed"


def test_a_taken_address_is_answered_alike_mails_no_link_and_changes_nothing(
    account, confirmed_user, password, user_factory, mailoutbox
):
    user_factory(email="taken@example.org")
    free = request_change(account, password, "free@example.org")
    mailoutbox.clear()

    taken = request_change(account, password, "TAKEN@example.org")

    assert (taken.status_code, taken.content) == (free.status_code, free.content)
    (message,) = mail_to("TAKEN@example.org")
    assert "/email/change/confirm/" not in message.body
    assert mail_to(confirmed_user.email)  # the notice to the old address is sent either way
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_an_address_taken_after_the_request_is_refused_at_confirmation(
    api_client, account, confirmed_user, password, user_factory
):
    request_change(account, password, "race@example.org")
    key = key_from_mail("race@example.org")
    user_factory(email="RACE@example.org")

    response = api_client.post(CONFIRM, {"key": key})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "key" in response.json()
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_a_change_link_works_once(api_client, account, password):
    request_change(account, password, "once@example.org")
    key = key_from_mail("once@example.org")

    assert api_client.post(CONFIRM, {"key": key}).status_code == HTTPStatus.NO_CONTENT
    again = api_client.post(CONFIRM, {"key": key})

    assert again.status_code == HTTPStatus.BAD_REQUEST


def test_a_tampered_key_is_refused(api_client, account, password):
    request_change(account, password, "forged@example.org")
    key = key_from_mail("forged@example.org")

    response = api_client.post(CONFIRM, {"key": key[:-2] + "xx"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_the_current_address_is_not_a_change(account, password):
    response = request_change(account, password, "ANN@example.org")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "new_email" in response.json()


@pytest.mark.parametrize("path", ["/auth/users/reset_email/", "/auth/users/reset_email_confirm/"])
def test_djoser_username_reset_routes_are_not_mounted(api_client, path):
    response = api_client.post(path, {"email": "ann@example.org"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}


def test_profile_updates_cannot_change_the_address(account, confirmed_user):
    for path in (DJOSER.profile, REST_AUTH.profile):
        response = account.patch(path, {"email": "sneaky@example.org"})
        assert response.status_code == HTTPStatus.OK
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_an_address_changed_in_the_admin_or_a_shell_keeps_allauth_in_step(
    api_client, confirmed_user, password
):
    confirmed_user.email = "shell@example.org"
    confirmed_user.save()

    response = api_login(api_client, "dj-rest-auth", "shell@example.org", password)

    assert response.status_code == HTTPStatus.OK
    assert list(
        EmailAddress.objects.filter(user=confirmed_user).values_list("email", "verified")
    ) == [("shell@example.org", True)]
    assert User.objects.confirmed().filter(email="shell@example.org").exists()


def test_a_change_requested_before_a_password_reset_cannot_take_the_account(
    api_client, client, routes, account, confirmed_user, password
):
    """The takeover: someone who knew the password asks to move the account to their address;
    the owner resets the password; the link mailed to the intruder must be dead."""
    request_change(account, password, "intruder@example.net")
    path = link_from_last_mail("intruder@example.net", "/email/change/confirm/")
    uid, token = request_reset(api_client, routes, confirmed_user.email)
    reset = api_client.post(
        routes.reset_confirm, routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
    )
    assert reset.status_code == routes.reset_confirmed_status

    by_api = api_client.post(CONFIRM, {"key": path.split("/")[-1]})
    page = Browser().get(path)
    page_post = client.post(path)

    assert by_api.status_code == HTTPStatus.BAD_REQUEST
    assert "key" in by_api.json()
    assert page.status_code == HTTPStatus.BAD_REQUEST
    assert page_post.status_code == HTTPStatus.BAD_REQUEST
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"
    assert login(api_client, routes, "ann@example.org", NEW_PASSWORD).status_code == HTTPStatus.OK


def change_password_djoser(api_client, account, user, password):
    payload = DJOSER.password_change_payload(password, NEW_PASSWORD)
    assert account.post(DJOSER.password_change, payload).status_code == HTTPStatus.NO_CONTENT


def change_password_rest_auth(api_client, account, user, password):
    payload = REST_AUTH.password_change_payload(password, NEW_PASSWORD)
    assert account.post(REST_AUTH.password_change, payload).status_code == HTTPStatus.OK


def reset_password(api_client, account, user, password):
    uid, token = request_reset(api_client, DJOSER, user.email)
    payload = DJOSER.reset_confirm_payload(uid, token, NEW_PASSWORD)
    assert api_client.post(DJOSER.reset_confirm, payload).status_code == HTTPStatus.NO_CONTENT


def deactivate_then_reactivate(api_client, account, user, password):
    """Staff deactivate the account, and later let it in again: the change stays cancelled."""
    account_deactivate(user=user)
    user.is_active = True
    user.save(update_fields=["is_active"])


def delete(api_client, account, user, password):
    account_delete(user=user)


def request_another_change(api_client, account, user, password):
    request_change(account, password, "second@example.org")


def request_a_taken_address(api_client, account, user, password):
    User.objects.create_user(email="taken@example.org")
    request_change(account, password, "taken@example.org")


def complete_the_change(api_client, account, user, password):
    request_change(account, password, "second@example.org")
    key = key_from_mail("second@example.org")
    assert api_client.post(CONFIRM, {"key": key}).status_code == HTTPStatus.NO_CONTENT


CANCELLING_EVENTS = {
    "password-change-djoser": change_password_djoser,
    "password-change-dj-rest-auth": change_password_rest_auth,
    "password-reset": reset_password,
    "deactivation": deactivate_then_reactivate,
    "deletion": delete,
    "newer-request": request_another_change,
    "newer-request-for-a-taken-address": request_a_taken_address,
    "completed-change": complete_the_change,
}


@pytest.mark.parametrize("event", CANCELLING_EVENTS.values(), ids=CANCELLING_EVENTS)
def test_a_pending_change_is_cancelled_by_every_change_of_the_accounts_credentials(
    api_client, account, confirmed_user, password, event
):
    request_change(account, password, "pending@example.org")
    key = key_from_mail("pending@example.org")

    event(api_client, account, confirmed_user, password)
    response = api_client.post(CONFIRM, {"key": key})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not User.objects.with_email("pending@example.org").exists()
    assert not PendingEmailChange.objects.filter(new_email="pending@example.org").exists()


def test_a_used_link_stays_dead_after_the_address_is_changed_back(
    api_client, account, confirmed_user, password
):
    request_change(account, password, "b@example.org")
    first_key = key_from_mail("b@example.org")
    assert api_client.post(CONFIRM, {"key": first_key}).status_code == HTTPStatus.NO_CONTENT
    request_change(account, password, "ann@example.org")
    back_key = key_from_mail("ann@example.org")
    assert api_client.post(CONFIRM, {"key": back_key}).status_code == HTTPStatus.NO_CONTENT

    replay = api_client.post(CONFIRM, {"key": first_key})

    assert replay.status_code == HTTPStatus.BAD_REQUEST
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_the_database_holds_no_usable_key(api_client, account, confirmed_user, password):
    request_change(account, password, "stored@example.org")
    key = key_from_mail("stored@example.org")

    pending = PendingEmailChange.objects.get(user=confirmed_user)
    stored = [str(value) for value in model_to_dict(pending).values()]

    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) >= 16  # ≥ 128 bits
    assert not any(key in value for value in stored)
    assert pending.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert api_client.post(CONFIRM, {"key": pending.key_digest}).status_code == 400
    assert api_client.post(CONFIRM, {"key": key}).status_code == HTTPStatus.NO_CONTENT


def test_a_newer_request_replaces_the_pending_change(api_client, account, confirmed_user, password):
    request_change(account, password, "first@example.org")
    request_change(account, password, "second@example.org")

    assert PendingEmailChange.objects.get(user=confirmed_user).new_email == "second@example.org"
    response = api_client.post(CONFIRM, {"key": key_from_mail("second@example.org")})

    assert response.status_code == HTTPStatus.NO_CONTENT
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "second@example.org"


def test_an_expired_change_link_says_so_and_changes_nothing(
    api_client, account, confirmed_user, password
):
    request_change(account, password, "late@example.org")
    key = key_from_mail("late@example.org")

    with time_machine.travel(timedelta(seconds=settings.ACCOUNT_EMAIL_CHANGE_TIMEOUT + 60)):
        response = api_client.post(CONFIRM, {"key": key})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "expired" in str(response.json()["key"])
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"
