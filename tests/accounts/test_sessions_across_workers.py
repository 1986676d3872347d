"""Ending a session under two gunicorn workers sharing the Redis token cache: once the DELETE
answers, neither worker serves the ended credential from its cache any more."""

import json
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import make_password

from accounts.services import account_confirm
from tests.factories import UserFactory
from tests.gunicorn import gunicorn as serve

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EMAIL = "workers@example.org"
ROUNDS = 20  # a new connection each: with two workers, both answer some of them


def call(url: str, credential: str | None = None, method: str = "GET", body: dict | None = None):
    """(status, JSON body or None); every call opens a new connection."""
    headers = {"Content-Type": "application/json"}
    if credential:
        headers["Authorization"] = credential
    data = json.dumps(body).encode() if body is not None else None
    outgoing = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(outgoing, timeout=10) as response:
            content = response.read()
            return response.status, json.loads(content) if content else None
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.fixture
def gunicorn(transactional_db, password):
    # The workers run the production hashers (the suite's fast MD5 is not among them).
    user = UserFactory(email=EMAIL, is_active=False)
    account_confirm(user=user)
    user.password = make_password(password, hasher="argon2")
    user.save(update_fields=["password"])
    with serve(workers=2, TOKEN_CACHE_SECONDS="300") as base:
        yield base


def token_login(base: str, password: str) -> str:
    status, answer = call(
        f"{base}/auth/token/login/", method="POST", body={"email": EMAIL, "password": password}
    )
    assert status == HTTPStatus.OK
    return f"Token {answer['auth_token']}"


def jwt_login(base: str, password: str) -> str:
    status, answer = call(
        f"{base}/auth/jwt/create/", method="POST", body={"email": EMAIL, "password": password}
    )
    assert status == HTTPStatus.OK
    return f"Bearer {answer['access']}"


def statuses(base: str, credential: str) -> list[int]:
    return [call(f"{base}/auth/users/me/", credential)[0] for _ in range(ROUNDS)]


def end_the_other_session(base: str, keeper: str, kind: str) -> None:
    """As `keeper` (logged in just now: no password needed), end its one other session."""
    status, sessions = call(f"{base}/auth/sessions/", keeper)
    assert status == HTTPStatus.OK
    (other,) = [s for s in sessions if not s["current"]]
    assert other["kind"] == kind
    status, _ = call(f"{base}/auth/sessions/{other['id']}/", keeper, method="DELETE")
    assert status == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize("kind", ["token", "jwt"])
def test_an_ended_session_is_refused_by_every_worker_at_once(gunicorn, password, kind):
    ended = token_login(gunicorn, password) if kind == "token" else jwt_login(gunicorn, password)
    keeper = token_login(gunicorn, password)
    assert statuses(gunicorn, ended) == [HTTPStatus.OK] * ROUNDS  # now cached by both workers

    end_the_other_session(gunicorn, keeper, kind)

    assert statuses(gunicorn, ended) == [HTTPStatus.UNAUTHORIZED] * ROUNDS
    assert statuses(gunicorn, keeper) == [HTTPStatus.OK] * ROUNDS
