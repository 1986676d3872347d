"""Sessions and tokens (ASVS 5.0 V7): verified by the server, random, renewed at login, ended at
logout; and no account exists that nobody created (ASVS 6.3.2)."""

import hashlib
import re
from datetime import timedelta
from http import HTTPStatus
from io import StringIO

import jwt
import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import TokenSession, User
from tests.accounts.conftest import DJOSER, REST_AUTH, login, token_client
from tests.accounts.logins import API_LOGINS, SESSION_LOGINS, api_login
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
    """Token-session keys: 48 hex characters from the secrets module (192 bits); session keys:
    32 characters of [a-z0-9] from the secrets module (165 bits). Each is looked up on the
    server."""
    rates(login=None)
    keys = {
        login(CommittingAPIClient(), DJOSER, user_factory().email, password).json()["auth_token"]
        for _ in range(20)
    }
    browser = Client()
    browser.post("/accounts/login/", {"login": confirmed_user.email, "password": password})
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value

    assert len(keys) == 20
    assert all(re.fullmatch(r"[0-9a-f]{48}", key) for key in keys)
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


TOKEN_LOGINS = ["djoser-token", "dj-rest-auth", "api-token-auth"]


def token_login(route: str, email: str, password: str) -> str:
    response = api_login(CommittingAPIClient(), route, email, password)
    credential = API_LOGINS[route][2]
    assert response.status_code == HTTPStatus.OK
    assert set(response.json()) == {credential}
    return response.json()[credential]


@pytest.mark.parametrize("route", TOKEN_LOGINS)
def test_every_token_login_returns_a_new_key_and_each_works(confirmed_user, password, route):
    """ASVS 7.2.4: a new token at every authentication, on every token login route."""
    first = token_login(route, confirmed_user.email, password)
    second = token_login(route, confirmed_user.email, password)

    assert first != second
    assert token_client(first).get(DJOSER.profile).status_code == HTTPStatus.OK
    assert token_client(second).get(REST_AUTH.profile).status_code == HTTPStatus.OK
    assert TokenSession.objects.filter(user=confirmed_user).count() == 2


def test_jwt_logins_get_new_pairs(confirmed_user, password):
    pairs = [
        CommittingAPIClient()
        .post("/auth/jwt/create/", {"email": confirmed_user.email, "password": password})
        .json()
        for _ in range(2)
    ]

    assert pairs[0]["access"] != pairs[1]["access"]
    assert pairs[0]["refresh"] != pairs[1]["refresh"]


@pytest.mark.parametrize("logout", [DJOSER.logout, REST_AUTH.logout])
def test_a_logout_ends_only_the_session_of_its_token(confirmed_user, password, logout):
    ending = token_login("djoser-token", confirmed_user.email, password)
    staying = token_login("dj-rest-auth", confirmed_user.email, password)

    assert token_client(ending).post(logout).status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)

    assert token_client(ending).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert token_client(staying).get(DJOSER.profile).status_code == HTTPStatus.OK


def test_the_database_holds_no_usable_key(confirmed_user, password):
    key = token_login("djoser-token", confirmed_user.email, password)
    session = TokenSession.objects.get(user=confirmed_user)
    stored = [str(value) for value in TokenSession.objects.values_list().get()]

    assert session.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert session.key_prefix == key[:8]
    assert not any(key in value for value in stored)
    assert token_client(session.key_digest).get(DJOSER.profile).status_code == 401


def test_a_token_session_records_where_it_was_started(confirmed_user, password):
    client = CommittingAPIClient(HTTP_USER_AGENT="curl/8.5", REMOTE_ADDR="203.0.113.7")
    client.post(DJOSER.login, {"email": confirmed_user.email, "password": password})

    session = TokenSession.objects.get(user=confirmed_user)
    assert (session.ip_address, session.user_agent) == ("203.0.113.7", "curl/8.5")


@pytest.fixture(params=[0, 300], ids=["cache off", "cache on"])
def token_cache_seconds(request, settings):
    settings.TOKEN_CACHE_SECONDS = request.param


@pytest.mark.usefixtures("token_cache_seconds")
def test_a_token_unused_for_token_idle_days_is_refused(settings, confirmed_user, password):
    settings.TOKEN_IDLE_DAYS = 14
    with time_machine.travel("2026-03-01 12:00Z", tick=False) as traveller:
        key = token_login("djoser-token", confirmed_user.email, password)
        traveller.shift(timedelta(days=13, hours=23))
        assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.OK  # seen again
        traveller.shift(timedelta(days=13, hours=23))
        assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.OK
        traveller.shift(timedelta(days=14, minutes=1))

        response = token_client(key).get(DJOSER.profile)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.usefixtures("token_cache_seconds")
def test_a_token_is_refused_token_max_age_days_after_its_login_however_used(
    settings, confirmed_user, password
):
    settings.TOKEN_MAX_AGE_DAYS = 60
    with time_machine.travel("2026-03-01 12:00Z", tick=False) as traveller:
        key = token_login("djoser-token", confirmed_user.email, password)
        for _ in range(6):
            traveller.shift(timedelta(days=10) - timedelta(minutes=10))
            assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.OK
        traveller.shift(timedelta(hours=1, minutes=1))

        response = token_client(key).get(DJOSER.profile)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Token"


def test_last_seen_is_written_at_most_once_a_minute(confirmed_user, password):
    with time_machine.travel("2026-03-01 12:00Z", tick=False) as traveller:
        key = token_login("djoser-token", confirmed_user.email, password)
        traveller.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as soon:
            token_client(key).get(DJOSER.profile)
        traveller.shift(timedelta(seconds=31))
        with CaptureQueriesContext(connection) as later:
            token_client(key).get(DJOSER.profile)

    def writes(captured) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]

    assert writes(soon) == []
    assert len(writes(later)) == 1
    session = TokenSession.objects.get(user=confirmed_user)
    assert session.last_seen_at - session.created_at == timedelta(seconds=61)


def test_a_login_past_sessions_max_per_account_ends_the_oldest(settings, confirmed_user, password):
    settings.SESSIONS_MAX_PER_ACCOUNT = 2
    oldest, middle, newest = (
        token_login("djoser-token", confirmed_user.email, password) for _ in range(3)
    )

    assert token_client(oldest).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert token_client(middle).get(DJOSER.profile).status_code == HTTPStatus.OK
    assert token_client(newest).get(DJOSER.profile).status_code == HTTPStatus.OK


def test_the_purge_deletes_only_expired_token_sessions(settings, confirmed_user, password):
    with time_machine.travel("2026-03-01 12:00Z", tick=False) as traveller:
        token_login("djoser-token", confirmed_user.email, password)
        traveller.shift(timedelta(days=settings.TOKEN_IDLE_DAYS, minutes=1))
        live = token_login("djoser-token", confirmed_user.email, password)
        out = StringIO()

        call_command("purge_token_sessions", stdout=out)

        assert "1 expired token sessions deleted" in out.getvalue()
        assert TokenSession.objects.get().key_prefix == live[:8]
