"""Sessions and tokens (ASVS 5.0 V7): verified by the server, random, renewed at login, ended at
logout; and no account exists that nobody created (ASVS 6.3.2)."""

import re
from http import HTTPStatus

import jwt
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.accounts.conftest import DJOSER, login, token_client
from tests.accounts.logins import SESSION_LOGINS
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_account(confirmed_user):
    confirmed_user.is_staff = True
    confirmed_user.save(update_fields=["is_staff"])
    return confirmed_user


def test_migrations_create_no_account():
    assert not User.objects.exists()


@pytest.mark.parametrize("route", SESSION_LOGINS)
def test_a_session_login_replaces_the_session_it_started_from(staff_account, password, route):
    browser = Client()
    before = browser.session
    before["seen"] = True
    before.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    path, payload = SESSION_LOGINS[route]

    browser.post(path, payload(staff_account.email, password))

    after = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()
    assert Session.objects.get(session_key=after).get_decoded()["_auth_user_id"]


def test_a_session_ends_at_logout_and_its_cookie_cannot_resume_it(staff_account, password):
    browser = Client()
    browser.post("/accounts/login/", {"login": staff_account.email, "password": password})
    stolen = browser.cookies[settings.SESSION_COOKIE_NAME].value

    browser.post("/accounts/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen

    assert replay.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert not Session.objects.filter(session_key=stolen).exists()


def test_reference_tokens_are_long_random_values(confirmed_user, password, user_factory, rates):
    """DRF tokens: 40 hex characters from os.urandom (160 bits); session keys: 32 characters
    of [a-z0-9] from the secrets module (165 bits). Each is looked up on the server."""
    rates(login=None)
    keys = {
        login(CommittingAPIClient(), DJOSER, user_factory().email, password).json()["auth_token"]
        for _ in range(20)
    }
    browser = Client()
    browser.post("/accounts/login/", {"login": confirmed_user.email, "password": password})
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value

    assert len(keys) == 20
    assert all(re.fullmatch(r"[0-9a-f]{40}", key) for key in keys)
    assert re.fullmatch(r"[a-z0-9]{32}", session_key)


@pytest.mark.parametrize(
    "forged",
    [
        "0123456789abcdef0123456789abcdef01234567",  # a token the server never issued
        jwt.encode(
            {"user_id": "1", "token_type": "access"},
            "another-key-of-the-full-recommended-length!!",
            algorithm="HS256",
        ),
        jwt.encode({"user_id": "1", "token_type": "access"}, None, algorithm="none"),
    ],
    ids=["unknown DRF token", "JWT signed with another key", "unsigned JWT"],
)
def test_a_credential_the_server_did_not_issue_is_refused(confirmed_user, forged):
    scheme = "Token" if "." not in forged else "Bearer"

    assert token_client(forged, scheme).get(DJOSER.profile).status_code == 401


def test_a_second_token_login_returns_the_accounts_one_drf_token(confirmed_user, password):
    """The documented exception to ASVS 7.2.4: both route sets share one DRF token per account
    (issue 3), so a login returns the existing key; JWT logins and sessions get new ones."""
    first = login(CommittingAPIClient(), DJOSER, confirmed_user.email, password).json()
    second = login(CommittingAPIClient(), DJOSER, confirmed_user.email, password).json()
    pairs = [
        CommittingAPIClient()
        .post("/auth/jwt/create/", {"email": confirmed_user.email, "password": password})
        .json()
        for _ in range(2)
    ]

    assert first == second
    assert Token.objects.filter(user=confirmed_user).count() == 1
    assert pairs[0]["access"] != pairs[1]["access"]
    assert pairs[0]["refresh"] != pairs[1]["refresh"]
