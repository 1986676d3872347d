"""Failed-login lockout on every login route: per account and per client IP, expiry, reset."""

from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory

from accounts.clients import client_ip
from accounts.lockout import MAX_FAILURES_PER_HOUR, failures_per_hour_bound
from tests.accounts.conftest import DJOSER, NEW_PASSWORD, REST_AUTH, link_from_last_mail, uid_token
from tests.accounts.logins import (
    LOCKOUT_LIMIT,
    LOGIN_ROUTES,
    assert_locked,
    attempt,
    signed_in,
)
from tests.conftest import CommittingClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_cache(settings):
    """Counters in the database (no Redis), whose entries expire on the Python clock that
    time-machine moves; Redis expires keys on its own clock."""
    settings.CACHES = {**settings.CACHES, "default": settings.CACHES["database"]}


@pytest.fixture
def account(confirmed_user):
    """A confirmed staff account: every login route, the admin's included, lets it in."""
    confirmed_user.is_staff = True
    confirmed_user.save(update_fields=["is_staff"])
    return confirmed_user


def cooloff(settings) -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def fail(route: str, email: str, times: int, **extra) -> list[int]:
    return [attempt(route, email, "not the password", **extra).status_code for _ in range(times)]


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_failures_lock_the_account_and_the_correct_password_is_refused(
    lockout, account, password, route
):
    statuses = fail(route, account.email, LOCKOUT_LIMIT)

    assert HTTPStatus.TOO_MANY_REQUESTS not in statuses[:-1]
    assert statuses[-1] == HTTPStatus.TOO_MANY_REQUESTS  # the attempt that reaches the limit
    assert_locked(route, attempt(route, account.email, password), cooloff(lockout))


@pytest.mark.parametrize("first_route", LOGIN_ROUTES)
def test_failures_on_one_route_count_for_every_other(lockout, account, password, first_route):
    fail(first_route, account.email, LOCKOUT_LIMIT - 1)
    others = [route for route in LOGIN_ROUTES if route != first_route]

    fail(others[0], account.email.upper(), 1)  # any letter case names the same account

    for route in LOGIN_ROUTES:
        assert_locked(route, attempt(route, account.email, password), cooloff(lockout))


def test_failures_spread_over_every_route_add_up(lockout, account, password):
    lockout.AXES_FAILURE_LIMIT = len(LOGIN_ROUTES)
    for route in LOGIN_ROUTES:
        fail(route, account.email, 1)

    for route in LOGIN_ROUTES:
        assert_locked(route, attempt(route, account.email, password), cooloff(lockout))


def test_an_unknown_address_is_locked_exactly_like_a_known_one(lockout, account):
    known = fail("dj-rest-auth", account.email, LOCKOUT_LIMIT + 1)
    unknown = fail("dj-rest-auth", "nobody@example.org", LOCKOUT_LIMIT + 1)

    assert known == unknown


def test_a_lock_does_not_touch_other_accounts(lockout, account, user_factory, password):
    other = user_factory(email="other@example.org")
    fail("djoser-token", account.email, LOCKOUT_LIMIT)

    assert signed_in("djoser-token", attempt("djoser-token", other.email, password))


def test_a_successful_login_resets_the_accounts_count(lockout, account, password):
    fail("djoser-jwt", account.email, LOCKOUT_LIMIT - 1)
    assert signed_in("allauth", attempt("allauth", account.email, password))
    fail("djoser-jwt", account.email, LOCKOUT_LIMIT - 1)

    assert signed_in("djoser-jwt", attempt("djoser-jwt", account.email, password))


def test_the_lock_expires_by_itself(lockout, clock_cache, account, password):
    with time_machine.travel(datetime(2030, 1, 1, 12, 0), tick=False) as clock:
        fail("api-token-auth", account.email, LOCKOUT_LIMIT)
        clock.shift(timedelta(seconds=cooloff(lockout) - 1))
        assert_locked("api-token-auth", attempt("api-token-auth", account.email, password), 900)

        clock.shift(timedelta(seconds=2))

        assert signed_in("api-token-auth", attempt("api-token-auth", account.email, password))


def test_attempts_refused_during_a_lock_do_not_extend_it(lockout, clock_cache, account, password):
    with time_machine.travel(datetime(2030, 1, 1, 12, 0), tick=False) as clock:
        fail("allauth", account.email, LOCKOUT_LIMIT)
        for _ in range(5):
            clock.shift(timedelta(minutes=2))
            assert_locked("allauth", attempt("allauth", account.email, password), 900)

        clock.shift(timedelta(seconds=cooloff(lockout) - 10 * 60 + 1))

        assert signed_in("allauth", attempt("allauth", account.email, password))


def test_an_hour_of_guessing_lets_at_most_100_failures_through(
    settings, rates, clock_cache, account, hashes
):
    """The attacker's best plain strategy against the default settings: guess until locked,
    come back the moment the lock ends, repeat. Guesses are counted where they matter: at
    the hasher."""
    rates(login=None)
    hashes.calls = 0
    start = datetime(2030, 1, 1, 12, 0)
    with time_machine.travel(start, tick=False) as clock:
        while datetime.now() < start + timedelta(hours=1):
            response = attempt("djoser-token", account.email, "a guess")
            if response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
                clock.shift(timedelta(seconds=int(response["Retry-After"])))
            clock.shift(timedelta(seconds=1))

    assert 3 * settings.AXES_FAILURE_LIMIT <= hashes.calls <= failures_per_hour_bound()
    assert failures_per_hour_bound() <= MAX_FAILURES_PER_HOUR


@pytest.mark.parametrize(
    "reset_with", ["djoser", "dj-rest-auth", "page"], ids=lambda name: f"reset:{name}"
)
def test_a_completed_password_reset_lifts_the_lock(lockout, account, api_client, reset_with):
    fail("dj-rest-auth", account.email, LOCKOUT_LIMIT)
    api_client.post(DJOSER.reset, {"email": account.email})
    uid, token = uid_token(link_from_last_mail(account.email, "/password/reset/confirm/"))

    if reset_with == "page":
        page = f"/password/reset/confirm/{uid}/{token}/"
        form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        assert CommittingClient().post(page, form).status_code == HTTPStatus.OK
    else:
        routes = DJOSER if reset_with == "djoser" else REST_AUTH
        payload = routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
        assert api_client.post(routes.reset_confirm, payload).status_code < 300

    for route in LOGIN_ROUTES:
        assert signed_in(route, attempt(route, account.email, NEW_PASSWORD)), route


def test_one_address_guessing_many_accounts_is_locked_out(lockout, account, password):
    lockout.LOCKOUT_IP_FAILURE_LIMIT = 5
    for number in range(5):
        fail("djoser-token", f"victim{number}@example.org", 1, REMOTE_ADDR="198.51.100.7")

    locked = attempt("djoser-token", account.email, password, REMOTE_ADDR="198.51.100.7")
    elsewhere = attempt("djoser-token", account.email, password, REMOTE_ADDR="198.51.100.8")

    assert_locked("djoser-token", locked, cooloff(lockout))
    assert signed_in("djoser-token", elsewhere)


def test_a_successful_login_does_not_reset_the_addresss_count(lockout, account, password):
    """An attacker's own account cannot be used to wipe the address's failures."""
    lockout.LOCKOUT_IP_FAILURE_LIMIT = 4
    for number in range(3):
        fail("dj-rest-auth", f"victim{number}@example.org", 1)
    assert signed_in("dj-rest-auth", attempt("dj-rest-auth", account.email, password))

    fail("dj-rest-auth", "victim9@example.org", 1)

    assert_locked("dj-rest-auth", attempt("dj-rest-auth", account.email, password), 900)


def test_x_forwarded_for_is_not_trusted_by_default(lockout, account, password):
    lockout.LOCKOUT_IP_FAILURE_LIMIT = 3
    for number in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{number}"}
        fail("djoser-jwt", f"victim{number}@example.org", 1, **forged)

    response = attempt("djoser-jwt", account.email, password, HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert_locked("djoser-jwt", response, cooloff(lockout))


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(lockout, account, password):
    lockout.TRUSTED_PROXY_COUNT = 1
    lockout.LOCKOUT_IP_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for number in range(3):
        # The client wrote the left part; only the right-most entry comes from the proxy.
        forwarded = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{number}, 203.0.113.9"}
        fail("djoser-jwt", f"victim{number}@example.org", 1, **proxy, **forwarded)

    same_client = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    other_client = {"HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    locked = attempt("djoser-jwt", account.email, password, **proxy, **same_client)
    assert_locked("djoser-jwt", locked, cooloff(lockout))
    assert signed_in("djoser-jwt", attempt("djoser-jwt", account.email, password, **other_client))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_the_login_throttle_counts_the_same_client_address(rates, account, password):
    rates(login="2/min")
    forged = [{"HTTP_X_FORWARDED_FOR": f"203.0.113.{number}"} for number in range(3)]

    statuses = [attempt("djoser-token", account.email, password, **h).status_code for h in forged]

    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]


def test_the_deploy_check_refuses_a_lockout_that_lets_more_than_100_guesses_an_hour(settings):
    call_command("check", "--deploy", "--tag", "security", "--fail-level", "ERROR")
    settings.AXES_FAILURE_LIMIT = 30

    with pytest.raises(SystemCheckError, match=r"accounts\.W002"):
        call_command("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
