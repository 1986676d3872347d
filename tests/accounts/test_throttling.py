"""Scoped throttles (429 with Retry-After, state in the shared cache) and the axes lockout."""

from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine

from accounts.counters import counters
from tests.accounts.conftest import DJOSER, login, token_client
from tests.accounts.logins import API_LOGINS, api_login

pytestmark = pytest.mark.django_db


def assert_throttled(response) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()


def test_every_login_route_shares_one_throttle(api_client, rates, confirmed_user, password):
    rates(login="3/min")
    routes = list(API_LOGINS)

    for route in routes[:3]:
        assert api_login(api_client, route, confirmed_user.email, password).status_code == 200

    assert_throttled(api_login(api_client, routes[3], confirmed_user.email, password))
    assert counters.get("throttle_login_127.0.0.1") == 4


def test_registration_is_throttled(api_client, rates, password, routes):
    rates(registration="2/hour")
    for number in range(2):
        payload = routes.register_payload(f"r{number}@example.org", password)
        assert api_client.post(routes.register, payload).status_code == HTTPStatus.CREATED

    assert_throttled(
        api_client.post(routes.register, routes.register_payload("r@example.org", password))
    )


@pytest.mark.parametrize(
    ("scope", "endpoint"), [("activation", "resend"), ("password_reset", "reset")]
)
def test_requests_that_send_mail_are_throttled(api_client, rates, routes, scope, endpoint):
    rates(**{scope: "2/hour"})
    path = getattr(routes, endpoint)
    for _ in range(2):
        assert api_client.post(path, {"email": "x@example.org"}).status_code < 300

    assert_throttled(api_client.post(path, {"email": "x@example.org"}))


def test_email_change_is_throttled(api_client, rates, confirmed_user, password):
    rates(email_change="2/hour")
    account = token_client(
        login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    )
    payload = {"current_password": password, "new_email": "next@example.org"}
    for _ in range(2):
        assert account.post("/auth/users/set_email/", payload).status_code == 204

    assert_throttled(account.post("/auth/users/set_email/", payload))


@pytest.fixture
def lockout(settings, rates):
    rates(login="1000/min")
    settings.AXES_FAILURE_LIMIT = 3


def test_failed_logins_lock_the_account_on_every_route(
    api_client, lockout, confirmed_user, password
):
    statuses = [
        api_login(api_client, "djoser-token", confirmed_user.email, "wrong").status_code
        for _ in range(3)
    ]

    # The attempt that reaches the limit is already answered with the lockout.
    assert statuses == [400, 400, 429]

    for route in API_LOGINS:
        response = api_login(api_client, route, confirmed_user.email.upper(), password)
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, route
        assert "detail" in response.json()


def test_a_lockout_does_not_lock_other_accounts(
    api_client, lockout, confirmed_user, user_factory, password
):
    other = user_factory(email="other@example.org")
    for _ in range(3):
        api_login(api_client, "dj-rest-auth", confirmed_user.email, "wrong")

    assert api_login(api_client, "dj-rest-auth", other.email, password).status_code == 200


def test_a_successful_login_resets_the_failure_count(api_client, lockout, confirmed_user, password):
    for _ in range(2):
        api_login(api_client, "djoser-jwt", confirmed_user.email, "wrong")
    assert api_login(api_client, "djoser-jwt", confirmed_user.email, password).status_code == 200
    for _ in range(2):
        api_login(api_client, "djoser-jwt", confirmed_user.email, "wrong")

    assert api_login(api_client, "djoser-jwt", confirmed_user.email, password).status_code == 200


def test_a_locked_account_gets_a_page_on_the_browser_login(
    api_client, client, lockout, confirmed_user, password
):
    for _ in range(3):
        api_login(api_client, "dj-rest-auth", confirmed_user.email, "wrong")

    response = client.post(
        "/accounts/login/", {"login": confirmed_user.email, "password": password}
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Content-Type"].startswith("text/html")
    assert b"Too many failed login attempts" in response.content


def test_retry_after_is_the_time_left_in_the_window(
    api_client, rates, settings, confirmed_user, password
):
    settings.CACHES = {**settings.CACHES, "default": settings.CACHES["database"]}  # Python clock
    rates(login="2/min")
    with time_machine.travel(datetime(2030, 1, 1, 12, 0), tick=False) as clock:
        for _ in range(2):
            assert login(api_client, DJOSER, confirmed_user.email, password).status_code == 200
        clock.shift(timedelta(seconds=20))
        throttled = login(api_client, DJOSER, confirmed_user.email, password)
        clock.shift(timedelta(seconds=40))
        next_window = login(api_client, DJOSER, confirmed_user.email, password)

    assert_throttled(throttled)
    assert throttled["Retry-After"] == "40"
    assert next_window.status_code == HTTPStatus.OK
