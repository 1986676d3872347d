"""Every account action on both route sets reaches a real receiver as its signed event."""

import json
from http import HTTPStatus

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from tests.accounts.conftest import (
    NEW_PASSWORD,
    ROUTE_SETS,
    link_from_last_mail,
    token_client,
    uid_token,
)
from tests.conftest import CommittingAPIClient
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.oidc_provider import REDIRECT_URI

pytestmark = pytest.mark.django_db

# No field of a payload is named like a secret, and no value holds one or a link.
SECRET_FIELDS = ("password", "token", "code", "key", "secret", "link", "url")


def fields_and_values(data, prefix=""):
    if isinstance(data, dict):
        for name, value in data.items():
            yield from fields_and_values(value, f"{prefix}{name}.")
    else:
        yield prefix, data


def assert_no_secrets(receiver, *secrets: str) -> None:
    for item in receiver.verified():
        for name, value in fields_and_values(item.payload["data"]):
            assert not any(word in name for word in SECRET_FIELDS), name
            text = str(value)
            assert "://" not in text, (name, text)
            assert not any(secret and secret in text for secret in secrets), (name, text)


def signed_in(routes, email: str, password: str = DEFAULT_PASSWORD) -> CommittingAPIClient:
    client = CommittingAPIClient()
    answer = client.post(routes.login, {"email": email, "password": password}, format="json")
    assert answer.status_code == HTTPStatus.OK, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"{routes.header} {answer.json()[routes.credential]}")
    return client


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_sign_up_and_confirmation_send_created_then_confirmed(
    api_client, endpoint, receiver, routes
):
    email = "new.person@example.org"
    api_client.post(routes.register, routes.register_payload(email, DEFAULT_PASSWORD))
    link = link_from_last_mail(email, routes.link_prefix)
    answer = api_client.post(routes.confirm, routes.confirm_payload(link), format="json")

    assert answer.status_code == routes.confirmed_status
    assert receiver.events() == ["account.created", "account.confirmed"]
    created, confirmed = receiver.verified()
    assert created.payload["data"]["email"] == email
    assert confirmed.payload["data"] == created.payload["data"]
    assert isinstance(created.payload["data"]["id"], int)
    assert_no_secrets(receiver, DEFAULT_PASSWORD, link.split("/")[-1])


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_signing_up_with_a_taken_address_sends_nothing(api_client, endpoint, receiver, routes):
    owner = UserFactory()
    api_client.post(routes.register, routes.register_payload(owner.email.upper(), DEFAULT_PASSWORD))

    assert receiver.received == []


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_login_and_logout_send_session_created_and_ended(endpoint, receiver, routes):
    user = UserFactory()
    client = signed_in(routes, user.email)
    client.post(routes.logout, {}, format="json")

    assert receiver.events() == ["session.created", "session.ended"]
    created, ended = (item.payload["data"] for item in receiver.verified())
    assert created["id"] == user.pk and created["email"] == user.email
    assert created["session"]["id"] == ended["session"]["id"]
    assert created["session"]["kind"] == "token"
    assert_no_secrets(receiver, DEFAULT_PASSWORD)


def test_a_jwt_login_sends_session_created(api_client, endpoint, receiver):
    user = UserFactory()
    answer = api_client.post(
        "/auth/jwt/create/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert answer.status_code == HTTPStatus.OK
    [created] = receiver.of_type("session.created")
    assert created["data"]["session"]["kind"] == "jwt"
    assert answer.json()["refresh"] not in json.dumps(created)


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_name_change_sends_account_updated(endpoint, receiver, routes):
    user = UserFactory()
    client = signed_in(routes, user.email)
    answer = client.patch(routes.profile, {"first_name": "Ada"}, format="json")

    assert answer.status_code == HTTPStatus.OK
    [updated] = receiver.of_type("account.updated")
    assert updated["data"] == {
        "id": user.pk,
        "email": user.email,
        "first_name": "Ada",
        "last_name": user.last_name,
    }


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_password_change_sends_password_changed_and_ends_the_other_sessions(
    endpoint, receiver, routes
):
    user = UserFactory()
    other = signed_in(routes, user.email)
    client = signed_in(routes, user.email)
    payload = routes.password_change_payload(DEFAULT_PASSWORD, NEW_PASSWORD)
    answer = client.post(routes.password_change, payload, format="json")

    assert answer.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert receiver.events() == [
        "session.created",
        "session.created",
        "account.password_changed",
        "session.ended",
    ]
    first_session = receiver.of_type("session.created")[0]["data"]["session"]["id"]
    assert receiver.of_type("session.ended")[0]["data"]["session"]["id"] == first_session
    assert_no_secrets(receiver, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert other is not client


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_password_reset_sends_password_changed(api_client, endpoint, receiver, routes):
    user = UserFactory()
    api_client.post(routes.reset, {"email": user.email}, format="json")
    uid, token = uid_token(link_from_last_mail(user.email, "/password/reset/confirm/"))
    payload = routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
    answer = api_client.post(routes.reset_confirm, payload, format="json")

    assert answer.status_code == routes.reset_confirmed_status
    [changed] = receiver.of_type("account.password_changed")
    assert changed["data"] == {"id": user.pk, "email": user.email, "reset": True}
    assert_no_secrets(receiver, NEW_PASSWORD, token, uid)


def test_an_email_change_sends_email_changed_with_both_addresses(api_client, endpoint, receiver):
    from tests.accounts.conftest import DJOSER

    user = UserFactory()
    old_email = user.email
    client = signed_in(DJOSER, user.email)
    client.post(
        "/auth/users/set_email/",
        {"current_password": DEFAULT_PASSWORD, "new_email": "moved@example.org"},
        format="json",
    )
    key = link_from_last_mail("moved@example.org", "/email/change/confirm/").split("/")[-1]
    answer = api_client.post("/auth/users/set_email/confirm/", {"key": key}, format="json")

    assert answer.status_code == HTTPStatus.NO_CONTENT
    [changed] = receiver.of_type("account.email_changed")
    assert changed["data"] == {
        "id": user.pk,
        "email": "moved@example.org",
        "previous_email": old_email,
    }
    assert_no_secrets(receiver, key)


def test_deleting_the_account_sends_sessions_ended_then_account_deleted(endpoint, receiver):
    from tests.accounts.conftest import DJOSER

    user = UserFactory()
    client = signed_in(DJOSER, user.email)
    answer = client.delete("/auth/users/me/", {"current_password": DEFAULT_PASSWORD}, format="json")

    assert answer.status_code == HTTPStatus.NO_CONTENT
    assert receiver.events() == ["session.created", "session.ended", "account.deleted"]
    assert receiver.of_type("account.deleted")[0]["data"] == {"id": user.pk, "email": user.email}


def test_a_browser_login_and_logout_send_session_events(client, endpoint, receiver):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    client.post("/accounts/logout/")

    assert receiver.events() == ["session.created", "session.ended"]
    assert receiver.of_type("session.created")[0]["data"]["session"]["kind"] == "browser"


def test_ending_a_session_through_the_registry_sends_session_ended(endpoint, receiver):
    from tests.accounts.conftest import DJOSER

    user = UserFactory()
    signed_in(DJOSER, user.email)
    client = signed_in(DJOSER, user.email)
    first = receiver.of_type("session.created")[0]["data"]["session"]["id"]

    answer = client.delete(f"/auth/sessions/{first}/", {}, format="json")

    assert answer.status_code == HTTPStatus.NO_CONTENT
    [ended] = receiver.of_type("session.ended")
    assert ended["data"]["session"]["id"] == first


def test_an_operator_created_account_sends_created_then_confirmed(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    from accounts.services import account_create_confirmed

    with django_capture_on_commit_callbacks(execute=True):
        account_create_confirmed(email="ops@example.org", password="a-long-Passphrase-9")

    assert receiver.events() == ["account.created", "account.confirmed"]


def test_a_provider_link_and_unlink_send_linked_then_unlinked(api_client, endpoint, receiver, oidc):
    oidc.user_set("hooked-1", email="hooked@example.org", email_verified=True)
    answer = api_client.post(
        "/dj-rest-auth/oidc/acme/",
        {"code": oidc.code_for("hooked-1"), "redirect_uri": REDIRECT_URI},
    )
    assert answer.status_code == HTTPStatus.OK, answer.content
    client = token_client(answer.json()["key"])
    user = User.objects.get(email_canonical="hooked@example.org")
    other = SocialAccount.objects.create(user=user, provider="acme", uid="hooked-2")
    assert client.post(f"/dj-rest-auth/socialaccounts/{other.pk}/disconnect/").status_code == 204

    linked, unlinked = receiver.of_type("account.linked"), receiver.of_type("account.unlinked")
    assert [item["data"] for item in linked] == [
        {"id": user.pk, "email": "hooked@example.org", "provider": "acme"}
    ]
    assert [item["data"]["provider"] for item in unlinked] == ["acme"]
