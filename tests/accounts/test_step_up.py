"""Routes that ask for the current password check it as a login: throttled, locked, audited."""

from http import HTTPStatus

import pytest

from accounts.models import AuditEvent, User
from accounts.services import token_session_start
from tests.accounts.conftest import NEW_PASSWORD, token_client
from tests.accounts.logins import LOGIN_ROUTES, api_login, assert_locked, attempt, signed_in
from tests.accounts.step_ups import STEP_UP_ROUTES
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db

LIMIT = 3
WRONG = "not the current password"


def step_up(client: CommittingAPIClient, route: str, current_password: str):
    spec = STEP_UP_ROUTES[route]
    return getattr(client, spec.method)(spec.path, spec.payload(current_password), format="json")


@pytest.fixture
def lockout(settings, rates):
    rates(login=None, email_change=None)
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.LOCKOUT_IP_FAILURE_LIMIT = 1000
    return settings


@pytest.fixture
def account(confirmed_user) -> User:
    confirmed_user.is_staff = True  # the admin's login page lets it in too
    confirmed_user.save(update_fields=["is_staff"])
    return confirmed_user


@pytest.fixture
def signed_in_client(account) -> CommittingAPIClient:
    """A client holding the account's token: what a thief of that token holds."""
    return token_client(token_session_start(user=account).key)


def cooloff(settings) -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
def test_wrong_current_passwords_lock_the_account_on_every_login_route(
    lockout, account, signed_in_client, password, route
):
    statuses = [step_up(signed_in_client, route, WRONG).status_code for _ in range(LIMIT)]

    assert statuses[:-1] == [HTTPStatus.BAD_REQUEST] * (LIMIT - 1)
    assert_locked("djoser-token", step_up(signed_in_client, route, WRONG), cooloff(lockout))
    for login_route in LOGIN_ROUTES:
        assert_locked(login_route, attempt(login_route, account.email, password), cooloff(lockout))


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
def test_a_locked_account_is_refused_with_its_right_current_password(
    lockout, account, signed_in_client, password, route
):
    for _ in range(LIMIT):
        attempt("dj-rest-auth", account.email, WRONG)

    response = step_up(signed_in_client, route, password)

    assert_locked("djoser-token", response, cooloff(lockout))
    account.refresh_from_db()
    assert account.check_password(password)  # nothing changed
    assert User.objects.filter(pk=account.pk).exists()


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
def test_a_right_current_password_takes_its_count_back(
    lockout, account, signed_in_client, password, route
):
    for _ in range(LIMIT - 1):
        step_up(signed_in_client, route, WRONG)

    assert step_up(signed_in_client, route, password).status_code == STEP_UP_ROUTES[route].done
    if route != "djoser-delete":
        new = NEW_PASSWORD if "password" in route else password
        assert signed_in("djoser-token", attempt("djoser-token", account.email, new))


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
def test_a_wrong_current_password_is_audited_as_a_failed_login(
    lockout, account, signed_in_client, route
):
    step_up(signed_in_client, route, WRONG)

    failure = AuditEvent.objects.get(event=AuditEvent.Event.LOGIN)
    assert failure.outcome == AuditEvent.Outcome.FAILURE
    assert failure.target == account.email
    assert failure.actor == account
    assert failure.detail == "current password"


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
def test_current_password_checks_share_the_login_throttle(
    rates, account, signed_in_client, password, route
):
    rates(login="2/min", email_change=None)
    assert (
        api_login(CommittingAPIClient(), "djoser-token", account.email, password).status_code == 200
    )
    assert step_up(signed_in_client, route, WRONG).status_code == HTTPStatus.BAD_REQUEST

    throttled = step_up(signed_in_client, route, password)
    after = api_login(CommittingAPIClient(), "dj-rest-auth", account.email, password)

    for response in (throttled, after):
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert 0 < int(response["Retry-After"]) <= 60
        assert response.json()["detail"].startswith("Request was throttled.")
    assert User.objects.filter(pk=account.pk).exists()
