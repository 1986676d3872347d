"""With TOTP on, the routes that ask for the current password also need `code` (a TOTP or a
recovery code): 400 {"code": [...]} when it is missing or wrong, counted as a failed login."""

from http import HTTPStatus

import pytest

from accounts.models import User
from accounts.services import token_session_start
from tests.accounts.conftest import token_client
from tests.accounts.logins import assert_locked, attempt
from tests.accounts.step_ups import STEP_UP_ROUTES
from tests.accounts.two_factor import START, STEP, enrol

pytestmark = pytest.mark.django_db

WRONG_CODE = "000000"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def enrolled(confirmed_user, clock, rates):
    rates(login=None, email_change=None)
    enrolment = enrol(confirmed_user)
    clock.shift(STEP)
    return enrolment


@pytest.fixture
def session_client(confirmed_user):
    return token_client(token_session_start(user=confirmed_user).key)


def step_up(client, route: str, password: str, **extra):
    spec = STEP_UP_ROUTES[route]
    return getattr(client, spec.method)(
        spec.path, {**spec.payload(password), **extra}, format="json"
    )


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
@pytest.mark.parametrize("extra", [{}, {"code": WRONG_CODE}], ids=["missing", "wrong"])
def test_the_password_alone_is_not_enough(
    enrolled, confirmed_user, session_client, password, route, extra
):
    response = step_up(session_client, route, password, **extra)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["code"]
    confirmed_user.refresh_from_db()
    assert confirmed_user.check_password(password)
    assert User.objects.filter(pk=confirmed_user.pk).exists()


@pytest.mark.parametrize("route", STEP_UP_ROUTES)
@pytest.mark.parametrize("which", ["totp", "recovery"])
def test_the_password_and_a_code_pass(enrolled, session_client, password, route, which):
    code = enrolled.code() if which == "totp" else enrolled.recovery_codes[0]

    response = step_up(session_client, route, password, code=code)

    assert response.status_code == STEP_UP_ROUTES[route].done, response.content


def test_without_totp_no_code_is_asked(confirmed_user, session_client, password):
    response = step_up(session_client, "djoser-set-email", password)

    assert response.status_code == HTTPStatus.NO_CONTENT


def test_wrong_step_up_codes_lock_the_account(
    enrolled, lockout, confirmed_user, session_client, password
):
    limit = lockout.AXES_FAILURE_LIMIT
    statuses = [
        step_up(session_client, "djoser-set-email", password, code=WRONG_CODE).status_code
        for _ in range(limit)
    ]

    assert statuses[-1] == HTTPStatus.TOO_MANY_REQUESTS
    cooloff = int(lockout.AXES_COOLOFF_TIME.total_seconds())
    assert_locked("djoser-token", attempt("djoser-token", confirmed_user.email, password), cooloff)


def test_ending_sessions_takes_a_code_instead_of_the_password(enrolled, confirmed_user, clock):
    client = token_client(token_session_start(user=confirmed_user).key)
    clock.shift(STEP * 21)  # the session logged in more than 10 minutes ago

    missing = client.post("/auth/sessions/end_others/", {}, format="json")
    done = client.post("/auth/sessions/end_others/", {"code": enrolled.code()}, format="json")

    assert missing.status_code == HTTPStatus.BAD_REQUEST
    assert list(missing.json()) == ["code"]
    assert done.status_code == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize("route", ["djoser-set-password", "dj-rest-auth-password-change"])
def test_a_refused_new_password_leaves_the_code_unspent(enrolled, session_client, password, route):
    spec = STEP_UP_ROUTES[route]
    weak = {key: "123" for key in spec.payload(password) if key.startswith("new_password")}
    code = enrolled.code()

    refused = session_client.post(
        spec.path, {**spec.payload(password), **weak, "code": code}, format="json"
    )
    done = step_up(session_client, route, password, code=code)

    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "code" not in refused.json()
    assert done.status_code == spec.done, done.content
