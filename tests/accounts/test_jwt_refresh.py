"""One refresh token makes one new pair: a second use, sequential or concurrent, is refused as
a blacklisted token is, so a stolen refresh token raced against its owner starts no second
chain."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.jwt_sessions import SessionRefreshToken
from tests.conftest import CommittingAPIClient

REVOKED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
PARALLEL = 10


def refreshed(refresh: str):
    return CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": refresh}, format="json")


def jwt_login(email: str, password: str) -> dict[str, str]:
    response = CommittingAPIClient().post(
        "/auth/jwt/create/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    return response.json()


@pytest.mark.django_db
def test_a_refresh_token_used_twice_is_refused_the_second_time(confirmed_user, password):
    refresh = jwt_login(confirmed_user.email, password)["refresh"]

    first, second = refreshed(refresh), refreshed(refresh)

    assert first.status_code == HTTPStatus.OK
    assert second.status_code == HTTPStatus.UNAUTHORIZED
    assert second.json() == REVOKED


@pytest.mark.django_db
def test_a_refresh_that_loses_the_race_after_its_blacklist_check_issues_nothing(
    confirmed_user, password, monkeypatch
):
    """The interleaving of two concurrent refreshes, made sequential: both passed the blacklist
    check, the other one claimed the token first."""
    refresh = jwt_login(confirmed_user.email, password)["refresh"]
    jti = UntypedToken(refresh)["jti"]
    BlacklistedToken.objects.create(token=OutstandingToken.objects.get(jti=jti))
    monkeypatch.setattr(SessionRefreshToken, "check_blacklist", lambda self: None)
    outstanding = OutstandingToken.objects.count()

    response = refreshed(refresh)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == REVOKED
    assert OutstandingToken.objects.count() == outstanding  # no new refresh token


def post_refresh(url: str, refresh: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"refresh": refresh}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_make_exactly_one_new_pair(
    live_server, confirmed_user, password
):
    refresh = jwt_login(confirmed_user.email, password)["refresh"]
    start = threading.Barrier(PARALLEL)

    def use(_number: int) -> tuple[int, dict]:
        start.wait()
        return post_refresh(f"{live_server.url}/auth/jwt/refresh/", refresh)

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(use, range(PARALLEL)))

    statuses = [status for status, _body in answers]
    assert statuses.count(HTTPStatus.OK) == 1
    assert statuses.count(HTTPStatus.UNAUTHORIZED) == PARALLEL - 1
    assert [body for status, body in answers if status != HTTPStatus.OK] == [REVOKED] * (
        PARALLEL - 1
    )
    [(_status, pair)] = [answer for answer in answers if answer[0] == HTTPStatus.OK]
    assert refreshed(pair["refresh"]).status_code == HTTPStatus.OK  # the one chain goes on
