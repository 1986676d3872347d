"""Faults: Redis unreachable (throttles and lockout keep counting in the database cache, no
5xx on the account routes) and a PostgreSQL restart under load (503 only while it is down,
recovery without restarting the workers)."""

import os
import threading
import time
from http import HTTPStatus

import psycopg
import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from psycopg import sql
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.counters import Counted, CounterCache, DatabaseCounters
from accounts.services import token_session_start
from tests.accounts.caches import UNREACHABLE_REDIS
from tests.accounts.logins import API_LOGINS, api_login, session_login
from tests.conftest import CommittingAPIClient, CommittingClient
from tests.gunicorn import gunicorn as serve
from tests.gunicorn import request


@pytest.fixture
def redis_down(settings, rates):
    settings.CACHES = {**settings.CACHES, "default": UNREACHABLE_REDIS}
    return rates


@pytest.mark.django_db
@pytest.mark.parametrize("route", API_LOGINS)
def test_with_redis_down_every_login_route_still_logs_in(
    redis_down, confirmed_user, password, route
):
    response = api_login(CommittingAPIClient(), route, confirmed_user.email, password)

    assert response.status_code == HTTPStatus.OK
    assert API_LOGINS[route][2] in response.json()


@pytest.mark.django_db
def test_with_redis_down_session_login_registration_and_tokens_work(
    redis_down, confirmed_user, password
):
    registered = CommittingAPIClient().post(
        "/auth/users/", {"email": "new@example.org", "password": password}
    )
    key = token_session_start(user=confirmed_user).key
    profile = CommittingAPIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/auth/users/me/")

    assert registered.status_code == HTTPStatus.CREATED
    assert profile.status_code == HTTPStatus.OK
    assert session_login(CommittingClient(), "allauth", confirmed_user.email, password)


@pytest.mark.django_db
def test_with_redis_down_throttles_keep_counting_in_the_database(
    redis_down, confirmed_user, password
):
    redis_down(login="2/min")
    statuses = [
        api_login(CommittingAPIClient(), "djoser-token", confirmed_user.email, password).status_code
        for _ in range(3)
    ]

    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]
    assert DatabaseCounters().get_many(["throttle_login_127.0.0.1"]) == {
        "throttle_login_127.0.0.1": 3
    }


@pytest.mark.django_db
def test_with_redis_down_the_lockout_keeps_counting(redis_down, settings, confirmed_user, password):
    redis_down(login=None)
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        api_login(CommittingAPIClient(), "dj-rest-auth", confirmed_user.email, "wrong password")

    response = api_login(CommittingAPIClient(), "djoser-jwt", confirmed_user.email, password)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


class RecoveringRedis:
    """A Redis store that refuses connections until `back` is set, then counts in a dict."""

    def __init__(self) -> None:
        self.back, self.values = False, {}

    def increment(self, key: str, *, timeout: int, renew_below: int, amount: int) -> Counted:
        if not self.back:
            raise RedisConnectionError("refused")
        self.values[key] = self.values.get(key, 0) + amount
        return Counted(self.values[key], timeout)


@pytest.mark.django_db
def test_counters_return_to_redis_once_it_answers_again(settings, monkeypatch):
    """The fallback lasts COUNTER_CACHE_RETRY_SECONDS, then the shared cache is tried again."""
    now = [1000.0]
    settings.COUNTER_CACHE_RETRY_SECONDS = 30
    redis = RecoveringRedis()
    counters = CounterCache(clock=lambda: now[0])
    monkeypatch.setattr(counters, "primary_store", lambda: redis)
    counters.increment("during-outage", timeout=60)
    redis.back = True

    counters.increment("within-retry-interval", timeout=60)
    now[0] += 31
    counters.increment("after-retry-interval", timeout=60)

    assert DatabaseCounters().get_many(["during-outage", "within-retry-interval"]) == {
        "during-outage": 1,
        "within-retry-interval": 1,
    }
    assert redis.values == {"after-retry-interval": 1}
    assert DatabaseCounters().get_many(["after-retry-interval"]) == {}


# --- PostgreSQL restarting under load, against real gunicorn workers ---
def allow_connections(database: str, allowed: bool, *, keep_pid: int) -> None:
    """As the server's administrator: let the database take connections or not; refusing them
    also ends every open one (but `keep_pid`), as a restart would."""
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    alter = sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
        sql.Identifier(database), sql.SQL("true" if allowed else "false")
    )
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(alter)
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid NOT IN (pg_backend_pid(), %s)",
                (database, keep_pid),
            )


@pytest.fixture
def gunicorn(transactional_db):
    with serve() as base:
        yield base


@pytest.mark.postgres
def test_a_database_restart_under_load_answers_503_only_while_it_is_down(
    gunicorn, user_factory, password
):
    # The workers run the production hashers (the suite's fast MD5 is not among them).
    account = user_factory(email="load@example.org")
    account.password = make_password(password, hasher="argon2")
    account.save(update_fields=["password"])
    token = token_session_start(user=account).key
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own_pid,) = cursor.fetchone()  # this test's own connection is not the service's
    login = f'{{"email": "load@example.org", "password": "{password}"}}'.encode()
    answers: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def load(url: str, body: bytes | None, token: str | None) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = request(url, body, token)
            except OSError:
                status = 0  # the server itself did not answer
            answers.append((started, time.monotonic(), status))

    targets = [
        (f"{gunicorn}/api/surveys/", None, None),
        (f"{gunicorn}/api/surveys/", None, token),
        (f"{gunicorn}/auth/users/me/", None, token),
        (f"{gunicorn}/auth/token/login/", login, None),
    ] * 2
    workers = [threading.Thread(target=load, args=target) for target in targets]
    for worker in workers:
        worker.start()
    time.sleep(2)
    down = time.monotonic()
    try:
        allow_connections(database, False, keep_pid=own_pid)
        time.sleep(2)
    finally:
        allow_connections(database, True, keep_pid=own_pid)
    up = time.monotonic()
    time.sleep(3)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)

    statuses = {status for _started, _ended, status in answers}
    before = [status for _started, ended, status in answers if ended < down]
    during = [status for started, ended, status in answers if down <= ended and started <= up]
    after = [status for started, _ended, status in answers if started > up + 0.5]
    assert statuses <= {HTTPStatus.OK, HTTPStatus.SERVICE_UNAVAILABLE}, statuses
    assert set(before) == {HTTPStatus.OK}
    assert HTTPStatus.SERVICE_UNAVAILABLE in during
    assert after and set(after) == {HTTPStatus.OK}
