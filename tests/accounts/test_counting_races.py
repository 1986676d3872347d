"""Throttles and the lockout under concurrent requests: no limit admits one request too many."""

import json
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import make_password
from django.db import OperationalError

from accounts.counters import CounterCache, DatabaseCounters, counters
from accounts.models import AuditEvent
from tests.gunicorn import gunicorn, request
from tests.threads import at_once

THREADS = 30
LIMIT = 10


def login_body(email: str, password: str) -> bytes:
    return json.dumps({"email": email, "password": password}).encode()


def retrying(increment):
    """The test database on SQLite is in memory, shared between threads in a mode that fails a
    statement meeting another's lock ("database table is locked") instead of waiting as the
    file database's busy timeout does; a failed statement changed nothing, so it is retried."""

    def run(number: int) -> int:
        while True:
            try:
                return increment()
            except OperationalError as error:
                if "table is locked" not in str(error):
                    raise

    return run


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", [DatabaseCounters(), counters], ids=["database", "configured"])
def test_concurrent_increments_of_one_counter_lose_no_count(store):
    """Django's database cache `incr` reads, adds and writes back: 16 of 10 got through."""
    if isinstance(store, CounterCache):
        values = at_once(THREADS, retrying(lambda: store.increment("race", timeout=60).value))
    else:
        values = at_once(
            THREADS,
            retrying(lambda: store.increment("race", timeout=60, renew_below=0, amount=1).value),
        )

    assert sorted(values) == list(range(1, THREADS + 1))
    assert store.get_many(["race"]) == {"race": THREADS}


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_throttle_live_server(live_server, rates):
    """In-process threads (SQLite without Redis, or the configured database and cache); as
    many as the live server's listen queue takes at once."""
    rates(login="4/min")
    url = f"{live_server.url}/auth/token/login/"

    statuses = at_once(10, lambda n: request(url, login_body(f"nobody{n}@example.org", "guess")))

    assert statuses.count(HTTPStatus.TOO_MANY_REQUESTS) == 10 - 4, statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_throttle_under_gunicorn():
    with gunicorn(workers=4, threads=8, THROTTLE_LOGIN=f"{LIMIT}/min") as base:
        url = f"{base}/auth/token/login/"
        statuses = at_once(
            THREADS, lambda n: request(url, login_body(f"nobody{n}@example.org", "a guess"))
        )

    assert statuses.count(HTTPStatus.TOO_MANY_REQUESTS) == THREADS - LIMIT, statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_past_the_limit_are_refused_unchecked(user_factory, password):
    """30 wrong passwords at once against a limit of 10, then the right one 10 times at once:
    10 passwords are checked (a failed login each in the audit log), the rest are refused."""
    account = user_factory(email="race@example.org")
    account.password = make_password(password, hasher="argon2")  # the workers' hashers
    account.save(update_fields=["password"])

    with gunicorn(workers=4, threads=8, AXES_FAILURE_LIMIT=str(LIMIT)) as base:
        url = f"{base}/auth/token/login/"

        wrong = at_once(THREADS, lambda n: request(url, login_body(account.email, f"guess {n}")))
        right = at_once(LIMIT, lambda _n: request(url, login_body(account.email, password)))

    checked = AuditEvent.objects.filter(
        event=AuditEvent.Event.LOGIN, outcome=AuditEvent.Outcome.FAILURE, detail=""
    )
    assert checked.count() == LIMIT
    assert wrong.count(HTTPStatus.BAD_REQUEST) == LIMIT - 1  # the 10th answers the lock
    assert wrong.count(HTTPStatus.TOO_MANY_REQUESTS) == THREADS - LIMIT + 1
    assert right == [HTTPStatus.TOO_MANY_REQUESTS] * LIMIT
    assert not AuditEvent.objects.filter(
        event=AuditEvent.Event.LOGIN, outcome=AuditEvent.Outcome.SUCCESS
    ).exists()
