"""Credential revocation: every event that must end an account's credentials ends every kind.

Rows: password change (both API routes, the admin), password reset (both API routes, the
page), deactivation (the admin, the service), deletion (djoser's route, the admin, the
service). Columns: a token session from each token login route, JWT access, JWT refresh (as
issued and after a rotation), and a browser session. Each credential is used once before the
event, so the token cache, where it is on, holds it — revocation must end the cached copy too.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings

from accounts.models import User
from tests.accounts.conftest import token_client
from tests.accounts.credential_events import EVENTS, PROFILE, caller, jwt_pair
from tests.accounts.logins import API_LOGINS, api_login
from tests.conftest import CommittingAPIClient, CommittingClient

pytestmark = pytest.mark.django_db


def refresh_works(refresh: str) -> bool:
    response = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": refresh})
    return response.status_code == HTTPStatus.OK


TOKEN_LOGINS = ["djoser-token", "dj-rest-auth", "api-token-auth"]


class Credential:
    """One credential of the account, held by a client of its own (another device)."""

    def __init__(self, kind: str, account: User, password: str) -> None:
        self.kind = kind
        if kind in TOKEN_LOGINS:
            response = api_login(CommittingAPIClient(), kind, account.email, password)
            self.client = token_client(response.json()[API_LOGINS[kind][2]])
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


CREDENTIAL_KINDS = [*TOKEN_LOGINS, "jwt-access", "jwt-refresh", "rotated-jwt-refresh", "session"]


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
