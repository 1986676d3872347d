"""The browser login and the admin with two-factor authentication: a second page asks for the
code (allauth.mfa's stage, checked like the API's); staff enrol before the admin opens, and
staff can turn a user's two-factor authentication off."""

from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY

from accounts.models import AuditEvent, TokenSession
from tests.accounts.conftest import mail_to
from tests.accounts.two_factor import START, STEP, enrol
from tests.conftest import CommittingClient

pytestmark = pytest.mark.django_db

CODE_PAGE = "/accounts/2fa/authenticate/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def staff(confirmed_user):
    confirmed_user.is_staff = True
    confirmed_user.is_superuser = True
    confirmed_user.save(update_fields=["is_staff", "is_superuser"])
    return confirmed_user


@pytest.fixture
def enrolled(staff, clock, rates):
    rates(login=None)
    enrolment = enrol(staff)
    clock.shift(STEP)
    return enrolment


def test_the_browser_login_asks_for_the_code_on_a_second_page(enrolled, staff, password):
    client = CommittingClient()
    first = client.post("/accounts/login/", {"login": staff.email, "password": password})

    assert first.status_code == HTTPStatus.FOUND
    assert first["Location"] == CODE_PAGE
    assert SESSION_KEY not in client.session
    page = client.get(CODE_PAGE)
    assert page.status_code == HTTPStatus.OK
    assert b'autocomplete="one-time-code"' in page.content

    wrong = client.post(CODE_PAGE, {"code": "000000"})
    assert wrong.status_code == HTTPStatus.OK and SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(detail="two-factor code", outcome="failure").exists()

    done = client.post(CODE_PAGE, {"code": enrolled.code()})
    assert done.status_code == HTTPStatus.FOUND
    assert client.session[SESSION_KEY] == str(staff.pk)
    session = TokenSession.objects.get(user=staff, kind=TokenSession.Kind.BROWSER)
    assert session.second_factor_at is not None


def test_the_browser_code_page_accepts_a_code_once(enrolled, staff, password):
    code = enrolled.code()
    first = CommittingClient()
    first.post("/accounts/login/", {"login": staff.email, "password": password})
    first.post(CODE_PAGE, {"code": code})
    second = CommittingClient()
    second.post("/accounts/login/", {"login": staff.email, "password": password})

    second.post(CODE_PAGE, {"code": code})

    assert SESSION_KEY not in second.session


def test_the_admin_login_continues_on_the_code_page(enrolled, staff, password):
    client = CommittingClient()
    first = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": password}
    )

    assert first.status_code == HTTPStatus.FOUND
    assert first["Location"] == CODE_PAGE
    assert SESSION_KEY not in client.session
    done = client.post(CODE_PAGE, {"code": enrolled.code()})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_a_wrong_admin_password_shows_the_admin_form_again(enrolled, staff):
    response = CommittingClient().post(
        "/admin/login/", {"username": staff.email, "password": "wrong password"}
    )

    assert response.status_code == HTTPStatus.OK
    assert b"Please enter the correct" in response.content


def test_staff_enrol_before_the_admin_opens(staff, password, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = CommittingClient()
    client.post("/admin/login/", {"username": staff.email, "password": password})

    response = client.get("/admin/", follow=True)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert b"/dj-rest-auth/mfa/totp/activate/" in response.content


def test_enrolled_staff_open_the_admin_when_it_is_required(enrolled, staff, password, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = CommittingClient()
    client.post("/admin/login/", {"username": staff.email, "password": password})
    client.post(CODE_PAGE, {"code": enrolled.code()})

    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_staff_turn_a_users_two_factor_authentication_off(enrolled, staff, user, clock):
    enrol(user)
    client = CommittingClient()
    client.force_login(staff)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert not Authenticator.objects.filter(user=user).exists()
    assert Authenticator.objects.filter(user=staff).exists()
    event = AuditEvent.objects.get(event=AuditEvent.Event.MFA_DISABLED, target=user.email)
    assert (event.actor, event.detail) == (staff, "reset by staff")
    assert "off" in mail_to(user.email)[-1].subject


def test_guessed_codes_on_the_code_page_lock_the_account(enrolled, staff, password, lockout):
    client = CommittingClient()
    client.post("/accounts/login/", {"login": staff.email, "password": password})

    answers = [
        client.post(CODE_PAGE, {"code": "000000"}) for _ in range(lockout.AXES_FAILURE_LIMIT)
    ]

    assert answers[-1].status_code == HTTPStatus.TOO_MANY_REQUESTS
    right = client.post(CODE_PAGE, {"code": enrolled.code()})
    assert right.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert SESSION_KEY not in client.session
