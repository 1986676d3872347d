"""The /dj-rest-auth/mfa/ routes over allauth.mfa's store: enrolment, status, recovery codes,
deactivation; secrets encrypted at rest; a mail and an audit event for each change."""

from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import InvalidToken
from django.db import connection

from accounts.mfa_adapter import MFAAdapter
from accounts.models import AuditEvent
from accounts.services import token_session_start
from tests.accounts.conftest import NEW_PASSWORD, mail_to, token_client
from tests.accounts.resets import request_reset
from tests.accounts.two_factor import ACTIVATE, START, STEP, enrol, signed_in, verify
from tests.conftest import CommittingAPIClient
from tests.smtp import mime_parts

pytestmark = pytest.mark.django_db

STATUS = "/dj-rest-auth/mfa/status/"
DEACTIVATE = "/dj-rest-auth/mfa/totp/deactivate/"
CODES = "/dj-rest-auth/mfa/recovery-codes/"
REGENERATE = "/dj-rest-auth/mfa/recovery-codes/regenerate/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def enrolled(confirmed_user, clock, rates):
    rates(login=None)
    enrolment = enrol(confirmed_user)
    clock.shift(STEP)
    return enrolment


def test_activation_offers_a_secret_its_url_and_a_local_svg_qr_code(confirmed_user):
    setup = signed_in(confirmed_user).get(ACTIVATE).json()

    assert set(setup) == {"secret", "totp_url", "qr_code_data_uri", "activation_token"}
    assert setup["totp_url"].startswith("otpauth://totp/")
    assert f"secret={setup['secret']}" in setup["totp_url"]
    assert setup["qr_code_data_uri"].startswith("data:image/svg+xml;base64,")
    assert not Authenticator.objects.exists()  # nothing stored before the first code


def test_activation_turns_totp_on_with_recovery_codes_and_mails(confirmed_user, clock):
    enrolment = enrol(confirmed_user)

    assert len(enrolment.recovery_codes) >= 8
    status = signed_in(confirmed_user).get(STATUS).json()
    assert status["mfa_enabled"] is True and status["created_at"]
    (notice,) = mail_to(confirmed_user.email)
    assert "on" in notice.subject and "/auth/sessions/end_others/" in notice.body
    event = AuditEvent.objects.get(event=AuditEvent.Event.MFA_ENABLED)
    assert enrolment.secret not in f"{event.detail} {event.target}"


def test_secrets_and_seeds_are_encrypted_at_rest(confirmed_user, clock, settings):
    enrolment = enrol(confirmed_user)

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert enrolment.secret not in stored
    totp = Authenticator.objects.get(type=Authenticator.Type.TOTP)
    assert MFAAdapter().decrypt(totp.data["secret"]) == enrolment.secret
    settings.MFA_ENCRYPTION_KEY = "another key"  # a dedicated key, not SECRET_KEY, decides
    with pytest.raises(InvalidToken):
        MFAAdapter().decrypt(totp.data["secret"])


def test_a_wrong_first_code_turns_nothing_on(confirmed_user):
    client = signed_in(confirmed_user)
    setup = client.get(ACTIVATE).json()

    response = client.post(
        ACTIVATE, {"activation_token": setup["activation_token"], "code": "000000"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["code"]
    assert not Authenticator.objects.exists()


def test_another_accounts_activation_token_is_refused(confirmed_user, user):
    setup = signed_in(user).get(ACTIVATE).json()

    response = signed_in(confirmed_user).post(
        ACTIVATE, {"activation_token": setup["activation_token"], "code": "123456"}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["activation_token"]


def test_activation_is_refused_once_totp_is_on(enrolled, confirmed_user):
    assert signed_in(confirmed_user).get(ACTIVATE).status_code == HTTPStatus.BAD_REQUEST


def test_the_routes_need_a_signed_in_account():
    assert CommittingAPIClient().get(STATUS).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("which", ["totp", "recovery"])
def test_deactivation_with_a_code_turns_it_off_and_mails(enrolled, confirmed_user, password, which):
    code = enrolled.code() if which == "totp" else enrolled.recovery_codes[0]

    response = signed_in(confirmed_user).post(DEACTIVATE, {"code": code}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert not Authenticator.objects.filter(user=confirmed_user).exists()
    assert "off" in mail_to(confirmed_user.email)[-1].subject
    assert AuditEvent.objects.filter(event=AuditEvent.Event.MFA_DISABLED).exists()
    login = CommittingAPIClient().post(
        "/auth/token/login/", {"email": confirmed_user.email, "password": password}, format="json"
    )
    assert set(login.json()) == {"auth_token"}


@pytest.mark.parametrize("body", [{}, {"code": "000000"}])
def test_deactivation_without_a_right_code_is_refused(enrolled, confirmed_user, body):
    response = signed_in(confirmed_user).post(DEACTIVATE, body, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["code"]
    assert Authenticator.objects.filter(user=confirmed_user, type="totp").exists()


def passed_second_factor_client(user, enrolment, password):
    token = (
        CommittingAPIClient()
        .post("/auth/token/login/", {"email": user.email, "password": password}, format="json")
        .json()["ephemeral_token"]
    )
    return token_client(verify(token, enrolment.code()).json()["auth_token"])


@pytest.mark.parametrize("path", [CODES, REGENERATE])
def test_recovery_codes_need_no_code_right_after_a_two_factor_login(
    enrolled, confirmed_user, password, path, clock
):
    client = passed_second_factor_client(confirmed_user, enrolled, password)

    response = client.post(path)

    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["codes"]) >= 8
    clock.shift(STEP * 21)  # more than 10 minutes later
    later = client.post(path)
    assert later.status_code == HTTPStatus.BAD_REQUEST
    assert list(later.json()) == ["code"]


@pytest.mark.parametrize("path", [CODES, REGENERATE])
def test_recovery_codes_need_a_code_from_a_password_only_session(enrolled, confirmed_user, path):
    client = token_client(token_session_start(user=confirmed_user).key)

    assert client.post(path).status_code == HTTPStatus.BAD_REQUEST
    assert client.post(path, {"code": enrolled.code()}, format="json").status_code == HTTPStatus.OK


def test_recovery_codes_lists_the_unused_ones(enrolled, confirmed_user, password):
    used = enrolled.recovery_codes[0]
    verify(
        CommittingAPIClient()
        .post("/auth/token/login/", {"email": confirmed_user.email, "password": password})
        .json()["ephemeral_token"],
        used,
    )

    codes = signed_in(confirmed_user).post(CODES, {"code": enrolled.code()}, format="json")

    assert codes.json()["codes"] == enrolled.recovery_codes[1:]
    assert "recovery code" in mail_to(confirmed_user.email)[-1].subject


def test_regenerated_codes_replace_the_old_ones_and_mail(enrolled, confirmed_user, password):
    client = signed_in(confirmed_user)
    new = client.post(REGENERATE, {"code": enrolled.code()}, format="json").json()["codes"]

    assert set(new).isdisjoint(enrolled.recovery_codes)
    assert "recovery codes" in mail_to(confirmed_user.email)[-1].subject
    assert AuditEvent.objects.filter(event=AuditEvent.Event.MFA_RECOVERY_CODES_REGENERATED).exists()
    token = (
        CommittingAPIClient()
        .post(
            "/auth/token/login/",
            {"email": confirmed_user.email, "password": password},
            format="json",
        )
        .json()["ephemeral_token"]
    )
    assert verify(token, enrolled.recovery_codes[1]).status_code == HTTPStatus.BAD_REQUEST
    assert verify(token, new[0]).status_code == HTTPStatus.OK


def test_a_password_reset_keeps_two_factor_authentication(enrolled, confirmed_user, routes):
    client = CommittingAPIClient()
    uid, token = request_reset(client, routes, confirmed_user.email)

    response = client.post(
        routes.reset_confirm, routes.reset_confirm_payload(uid, token, NEW_PASSWORD), format="json"
    )

    assert response.status_code == routes.reset_confirmed_status, response.content

    assert Authenticator.objects.filter(user=confirmed_user, type="totp").exists()
    login = CommittingAPIClient().post(
        "/auth/token/login/",
        {"email": confirmed_user.email, "password": NEW_PASSWORD},
        format="json",
    )
    assert login.json()["mfa_required"] is True


def test_the_notices_arrive_over_smtp_without_secrets(smtp_transport, confirmed_user, clock):
    enrolment = enrol(confirmed_user)
    clock.shift(STEP)
    signed_in(confirmed_user).post(DEACTIVATE, {"code": enrolment.code()}, format="json")

    on, off = smtp_transport.wait_for(2)
    assert "is on" in on["Subject"] and "is off" in off["Subject"]
    for received in (on, off):
        parts = mime_parts(received)
        assert set(parts) == {"text/plain", "text/html"}
        assert all("/auth/sessions/end_others/" in body for body in parts.values())
        assert enrolment.secret not in received.as_string()
        assert not any(code in received.as_string() for code in enrolment.recovery_codes)
