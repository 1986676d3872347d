"""Credential revocation: every event that must end an account's credentials ends every kind.

Rows: password change (both API routes, the admin), password reset (both API routes, the
page), deactivation (the admin, the service), deletion (djoser's route, the admin, the
service). Columns: DRF token, JWT access, JWT refresh (as issued and after a rotation), and a
browser session. Each credential is used once before the event, so the token cache, where it
is on, holds it — revocation must end the cached copy too.
"""

from collections.abc import Callable
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import TestCase

from accounts.models import User
from accounts.services import account_deactivate, account_delete
from accounts.tokens import encode_uid, password_reset_tokens
from tests.accounts.conftest import (
    DJOSER,
    NEW_PASSWORD,
    REST_AUTH,
    admin_deactivation_form,
    login,
    token_client,
)
from tests.conftest import CommittingAPIClient, CommittingClient

pytestmark = pytest.mark.django_db

PROFILE = "/auth/users/me/"


def jwt_pair(email: str, password: str) -> dict[str, str]:
    response = CommittingAPIClient().post(
        "/auth/jwt/create/", {"email": email, "password": password}
    )
    assert response.status_code == HTTPStatus.OK
    return response.json()


def refresh_works(refresh: str) -> bool:
    response = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": refresh})
    return response.status_code == HTTPStatus.OK


class Credential:
    """One credential of the account, held by a client of its own (another device)."""

    def __init__(self, kind: str, account: User, password: str) -> None:
        self.kind = kind
        if kind == "drf-token":
            key = login(CommittingAPIClient(), DJOSER, account.email, password).json()["auth_token"]
            self.client = token_client(key)
        elif kind == "jwt-access":
            self.client = token_client(jwt_pair(account.email, password)["access"], "Bearer")
        elif kind == "jwt-refresh":
            self.refresh = jwt_pair(account.email, password)["refresh"]
        elif kind == "rotated-jwt-refresh":
            first = jwt_pair(account.email, password)["refresh"]
            rotated = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": first})
            self.refresh = rotated.json()["refresh"]
        else:
            self.client = CommittingClient()
            self.client.post("/accounts/login/", {"login": account.email, "password": password})
        assert self.works(), kind

    def works(self) -> bool:
        if self.kind.endswith("jwt-refresh"):
            return refresh_works(self.refresh)
        return self.client.get(PROFILE).status_code == HTTPStatus.OK


CREDENTIAL_KINDS = ["drf-token", "jwt-access", "jwt-refresh", "rotated-jwt-refresh", "session"]


def caller(account: User, password: str) -> CommittingAPIClient:
    """The device making the change: a JWT of its own, distinct from every credential tested."""
    return token_client(jwt_pair(account.email, password)["access"], "Bearer")


def change_password(routes):
    def event(account: User, password: str, admin_browser) -> None:
        payload = routes.password_change_payload(password, NEW_PASSWORD)
        response = caller(account, password).post(routes.password_change, payload, format="json")
        assert response.status_code < 300, response.content

    return event


def change_password_in_the_admin(account: User, password: str, admin_browser) -> None:
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = admin_browser.post(f"/admin/accounts/user/{account.pk}/password/", form)
    assert response.status_code == HTTPStatus.FOUND


def reset_password(route: str):
    def event(account: User, password: str, admin_browser) -> None:
        account.refresh_from_db()  # the link a mail sent now would carry (after the logins)
        uid, token = encode_uid(account.pk), password_reset_tokens.make_token(account)
        if route == "page":
            form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
            response = CommittingClient().post(f"/password/reset/confirm/{uid}/{token}/", form)
        else:
            routes = DJOSER if route == "djoser" else REST_AUTH
            payload = routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
            response = CommittingAPIClient().post(routes.reset_confirm, payload, format="json")
        assert response.status_code < 300, response.content

    return event


def deactivate_in_the_admin(account: User, password: str, admin_browser) -> None:
    form = admin_deactivation_form(account)
    response = admin_browser.post(f"/admin/accounts/user/{account.pk}/change/", form)
    assert response.status_code == HTTPStatus.FOUND


def committed(service: Callable[..., None]):
    """Call a service as a shell or a task would: its on-commit work runs (a real commit)."""

    def event(account: User, password: str, admin_browser) -> None:
        with TestCase.captureOnCommitCallbacks(execute=True):
            service(user=account)

    return event


def delete_through_djoser(account: User, password: str, admin_browser) -> None:
    response = caller(account, password).delete(
        PROFILE, {"current_password": password}, format="json"
    )
    assert response.status_code == HTTPStatus.NO_CONTENT


def delete_in_the_admin(account: User, password: str, admin_browser) -> None:
    response = admin_browser.post(f"/admin/accounts/user/{account.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND


EVENTS = {
    "password change (djoser)": change_password(DJOSER),
    "password change (dj-rest-auth)": change_password(REST_AUTH),
    "password change (admin)": change_password_in_the_admin,
    "password reset (djoser)": reset_password("djoser"),
    "password reset (dj-rest-auth)": reset_password("dj-rest-auth"),
    "password reset (page)": reset_password("page"),
    "deactivation (admin)": deactivate_in_the_admin,
    "deactivation (service)": committed(account_deactivate),
    "deletion (djoser)": delete_through_djoser,
    "deletion (admin)": delete_in_the_admin,
    "deletion (service)": committed(account_delete),
}


@pytest.fixture
def account(confirmed_user, rates, settings):
    rates(login=None, password_reset=None)
    settings.TOKEN_CACHE_SECONDS = 300
    return confirmed_user


@pytest.mark.parametrize("kind", CREDENTIAL_KINDS)
@pytest.mark.parametrize("event", EVENTS.values(), ids=EVENTS.keys())
def test_the_event_ends_the_credential(account, password, admin_browser, event, kind):
    credential = Credential(kind, account, password)

    event(account, password, admin_browser)

    assert not credential.works()


def test_jwt_access_tokens_live_at_most_15_minutes_and_refresh_tokens_rotate():
    jwt = settings.SIMPLE_JWT

    assert jwt["ACCESS_TOKEN_LIFETIME"] <= timedelta(minutes=15)
    assert jwt["ROTATE_REFRESH_TOKENS"] and jwt["BLACKLIST_AFTER_ROTATION"]


def test_a_refresh_token_works_once(account, password):
    refresh = jwt_pair(account.email, password)["refresh"]

    assert refresh_works(refresh)
    assert not refresh_works(refresh)


def test_the_users_list_and_detail_never_show_another_account(account, password, user_factory):
    other = user_factory(email="other@example.org")
    client = caller(account, password)

    listing = client.get("/auth/users/").json()
    detail = client.get(f"/auth/users/{other.pk}/")

    assert settings.DJOSER["HIDE_USERS"] is True
    assert [item["email"] for item in listing["results"]] == [account.email]
    assert detail.status_code == HTTPStatus.NOT_FOUND
