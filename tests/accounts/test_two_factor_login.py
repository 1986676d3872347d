"""With TOTP on, every password login answers `mfa_required` and /dj-rest-auth/mfa/verify/ gives
the route's credential for a right code: each TOTP once, each recovery code once, the ephemeral
token for 5 minutes, and every wrong code a failed login of the account."""

from datetime import timedelta
from http import HTTPStatus

import pytest

from accounts.login_flow import LoginRoute, login_finish
from accounts.models import AuditEvent, SecondFactorChallenge, TokenSession
from tests.accounts.conftest import token_client
from tests.accounts.logins import API_LOGINS, api_login, assert_locked, attempt
from tests.accounts.two_factor import START, STEP, enrol, verify
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db

WRONG_CODE = "000000"
CREDENTIAL_KEYS = {"auth_token", "access", "refresh", "key", "token"}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def enrolled(confirmed_user, clock, rates):
    rates(login=None)  # many logins from one address in one test
    enrolment = enrol(confirmed_user)
    clock.shift(STEP)  # the code that turned TOTP on is spent
    return enrolment


def start(route, user, password) -> str:
    response = api_login(CommittingAPIClient(), route, user.email, password)
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert body["mfa_required"] is True
    assert not CREDENTIAL_KEYS & set(body)
    return body["ephemeral_token"]


def assert_credential(route, response) -> None:
    """The answer is the route's own, and its credential signs the account in."""
    assert response.status_code == HTTPStatus.OK, response.content
    key = API_LOGINS[route][2]
    body = response.json()
    assert key in body and "mfa_required" not in body
    scheme = "Bearer" if route == "djoser-jwt" else "Token"
    assert token_client(body[key], scheme).get("/auth/users/me/").status_code == HTTPStatus.OK


def assert_refused(response, field: str) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert list(response.json()) == [field]


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_password_alone_gets_no_credential(enrolled, confirmed_user, password, route):
    start(route, confirmed_user, password)

    assert not TokenSession.objects.filter(user=confirmed_user).exists()
    assert not AuditEvent.objects.filter(event=AuditEvent.Event.LOGIN, outcome="success").exists()


@pytest.mark.parametrize("route", API_LOGINS)
def test_the_right_code_answers_what_the_route_would_have(
    enrolled, confirmed_user, password, route
):
    token = start(route, confirmed_user, password)

    assert_credential(route, verify(token, enrolled.code()))
    session = TokenSession.objects.get(user=confirmed_user)
    assert session.second_factor_at is not None
    assert session.method == TokenSession.Method.PASSWORD


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_code_one_step_either_side_is_accepted(enrolled, confirmed_user, password, route, clock):
    token = start(route, confirmed_user, password)
    clock.shift(STEP)

    assert_credential(route, verify(token, enrolled.code(START + STEP)))


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_code_two_steps_old_is_refused(enrolled, confirmed_user, password, route, clock):
    token = start(route, confirmed_user, password)
    clock.shift(2 * STEP)

    assert_refused(verify(token, enrolled.code(START + STEP)), "code")


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_wrong_code_is_refused_and_counted(enrolled, confirmed_user, password, route):
    token = start(route, confirmed_user, password)

    assert_refused(verify(token, WRONG_CODE), "code")
    assert not TokenSession.objects.filter(user=confirmed_user).exists()
    failure = AuditEvent.objects.get(event=AuditEvent.Event.LOGIN, outcome="failure")
    assert failure.target == confirmed_user.email
    assert failure.detail == "two-factor code"
    # the token still works for a right code
    assert_credential(route, verify(token, enrolled.code()))


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_code_is_accepted_once(enrolled, confirmed_user, password, route):
    code = enrolled.code()
    assert_credential(route, verify(start(route, confirmed_user, password), code))

    assert_refused(verify(start(route, confirmed_user, password), code), "code")


@pytest.mark.parametrize("route", API_LOGINS)
def test_the_code_that_turned_totp_on_logs_nobody_in(confirmed_user, password, route, clock, rates):
    rates(login=None)
    enrolment = enrol(confirmed_user)

    assert_refused(verify(start(route, confirmed_user, password), enrolment.code()), "code")


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_recovery_code_works_once(enrolled, confirmed_user, password, route):
    recovery = enrolled.recovery_codes[0]

    assert_credential(route, verify(start(route, confirmed_user, password), recovery))
    assert_refused(verify(start(route, confirmed_user, password), recovery), "code")
    assert AuditEvent.objects.filter(event=AuditEvent.Event.MFA_RECOVERY_CODE_USED).count() == 1


@pytest.mark.parametrize("route", API_LOGINS)
def test_an_expired_ephemeral_token_is_refused(enrolled, confirmed_user, password, route, clock):
    token = start(route, confirmed_user, password)
    clock.shift(SecondFactorChallenge.LIFETIME + timedelta(seconds=1))

    assert_refused(verify(token, enrolled.code()), "ephemeral_token")


@pytest.mark.parametrize("route", API_LOGINS)
def test_a_spent_ephemeral_token_is_refused(enrolled, confirmed_user, password, route, clock):
    token = start(route, confirmed_user, password)
    assert_credential(route, verify(token, enrolled.code()))
    clock.shift(STEP)

    assert_refused(verify(token, enrolled.code()), "ephemeral_token")
    assert TokenSession.objects.filter(user=confirmed_user).count() == 1


@pytest.mark.parametrize("route", API_LOGINS)
def test_the_ephemeral_token_ends_at_the_fifth_wrong_code(
    enrolled, confirmed_user, password, route
):
    token = start(route, confirmed_user, password)
    for _ in range(SecondFactorChallenge.MAX_FAILURES):
        assert_refused(verify(token, WRONG_CODE), "code")

    assert_refused(verify(token, enrolled.code()), "ephemeral_token")


def test_an_unknown_ephemeral_token_is_refused(enrolled):
    assert_refused(verify("not-a-token", enrolled.code()), "ephemeral_token")


def test_the_ephemeral_token_is_stored_as_a_digest(enrolled, confirmed_user, password):
    token = start("djoser-token", confirmed_user, password)

    stored = SecondFactorChallenge.objects.get(user=confirmed_user)
    assert token not in stored.token_digest
    assert stored.route == "token"


@pytest.mark.parametrize("route", API_LOGINS)
def test_guessed_codes_lock_the_account(enrolled, lockout, confirmed_user, password, route):
    limit = lockout.AXES_FAILURE_LIMIT
    token = start(route, confirmed_user, password)
    statuses = [verify(token, WRONG_CODE).status_code for _ in range(limit)]

    assert statuses == [HTTPStatus.BAD_REQUEST] * (limit - 1) + [HTTPStatus.TOO_MANY_REQUESTS]
    cooloff = int(lockout.AXES_COOLOFF_TIME.total_seconds())
    # locked everywhere: the password login, and the right code is not even looked at
    assert_locked(route, attempt(route, confirmed_user.email, password), cooloff)
    response = verify(token, enrolled.code())
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) == cooloff


def test_verify_shares_the_login_throttle(enrolled, confirmed_user, password, rates):
    token = start("djoser-token", confirmed_user, password)
    rates(login="2/min")

    statuses = [verify(token, WRONG_CODE).status_code for _ in range(3)]

    assert statuses[-1] == HTTPStatus.TOO_MANY_REQUESTS


def test_an_account_without_totp_logs_in_at_once(confirmed_user, password):
    response = api_login(CommittingAPIClient(), "djoser-token", confirmed_user.email, password)

    assert set(response.json()) == {"auth_token"}
    assert TokenSession.objects.get(user=confirmed_user).second_factor_at is None


def test_a_login_by_another_first_factor_asks_for_the_code_too(enrolled, confirmed_user, rf):
    """The emailed-code and provider logins end in login_finish as well: no password needed."""
    request = rf.post("/auth/login/code/confirm/")

    body = login_finish(
        request=request, user=confirmed_user, route=LoginRoute.JWT, method=TokenSession.Method.CODE
    )

    assert set(body) == {"mfa_required", "ephemeral_token"}
    response = verify(body["ephemeral_token"], enrolled.code())
    assert set(response.json()) == {"access", "refresh"}
    session = TokenSession.objects.get(user=confirmed_user)
    assert session.method == TokenSession.Method.CODE
    assert session.second_factor_at is not None
