"""Login by emailed code: `POST /auth/login/code/` mails a code and a link to a confirmed
account (and answers alike for any address); `POST /auth/login/code/confirm/` trades the code
for a new session. One code, used once, ten minutes, three tries; the lockout, the throttle,
the mail cap and the audit log apply; the emailed link's page and the login page's code form
sign a browser in with the same store."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.login_codes import ALPHABET, CODE_BITS, MAX_WRONG_TRIES
from accounts.models import AuditEvent, LoginCode, TokenSession
from emails.redaction import body_redacted
from tests.accounts.conftest import mail_to
from tests.accounts.logins import LOCKOUT_LIMIT, api_login, assert_locked
from tests.accounts.two_factor import START, STEP, enrol, verify
from tests.conftest import CommittingAPIClient, CommittingClient
from tests.factories import DEFAULT_PASSWORD
from tests.smtp import mime_parts

pytestmark = pytest.mark.django_db

REQUEST = "/auth/login/code/"
CONFIRM = "/auth/login/code/confirm/"
SUBJECT = "Your Canvass sign-in code"
CODE = re.compile(r"[0-9A-Z]{8}")
LINK_PATH = re.compile(r"https?://[^\s]+/login/code/([^\s/]+)")
INVALID = {
    "code": [
        "This code is not valid: it may be mistyped, replaced by a newer one, expired or "
        "already used. Ask for a new one."
    ]
}


@pytest.fixture(autouse=True)
def no_login_throttle(rates):
    rates(login=None)


def ask(email: str, client=None):
    return (client or CommittingAPIClient()).post(REQUEST, {"email": email}, format="json")


def confirm(email: str, code: str, client=None, **extra):
    payload = {"email": email, "code": code, **extra}
    return (client or CommittingAPIClient()).post(CONFIRM, payload, format="json")


def code_in(text: str) -> str:
    """The code: the one line of the text that is a code and nothing else."""
    [code] = [line for line in text.splitlines() if CODE.fullmatch(line)]
    return code


def last_code(email: str) -> str:
    messages = [message for message in mail_to(email) if message.subject == SUBJECT]
    assert messages, f"no sign-in code mailed to {email}"
    return code_in(messages[-1].body)


def last_link_key(email: str) -> str:
    messages = [message for message in mail_to(email) if message.subject == SUBJECT]
    [key] = LINK_PATH.findall(messages[-1].body)
    return key


def wrong(code: str) -> str:
    """A well-formed code that is not `code`."""
    first = ALPHABET[(ALPHABET.index(code[0]) + 1) % len(ALPHABET)]
    return first + code[1:]


def test_a_confirmed_account_signs_in_with_the_code_it_got_over_smtp(
    smtp_transport, confirmed_user
):
    response = ask(confirmed_user.email)
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""

    [received] = smtp_transport.wait_for(1)
    assert smtp_transport.recipients == [[confirmed_user.email]]
    assert received["Subject"] == SUBJECT
    parts = mime_parts(received)
    assert set(parts) == {"text/plain", "text/html"}
    code = code_in(parts["text/plain"])  # alone on its own line
    assert f">{code}<" in parts["text/html"]
    assert "/login/code/" in parts["text/plain"] and "/login/code/" in parts["text/html"]
    assert "10 minutes" in parts["text/plain"]

    signed_in = confirm(confirmed_user.email, code)
    assert signed_in.status_code == HTTPStatus.OK
    assert set(signed_in.json()) == {"auth_token"}
    session = TokenSession.objects.get(user=confirmed_user)
    assert (session.kind, session.method) == (TokenSession.Kind.TOKEN, TokenSession.Method.CODE)
    me = CommittingAPIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['auth_token']}")
    assert me.get("/auth/users/me/").json()["email"] == confirmed_user.email


def test_the_jwt_variant_answers_a_pair_of_a_code_session(confirmed_user):
    ask(confirmed_user.email)

    response = confirm(confirmed_user.email, last_code(confirmed_user.email), credential="jwt")

    assert response.status_code == HTTPStatus.OK
    assert set(response.json()) == {"access", "refresh"}
    session = TokenSession.objects.get(user=confirmed_user)
    assert (session.kind, session.method) == (TokenSession.Kind.JWT, TokenSession.Method.CODE)
    me = CommittingAPIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.get("/auth/users/me/").status_code == HTTPStatus.OK


def test_unknown_unconfirmed_and_confirmed_addresses_answer_alike_and_only_one_is_mailed(
    smtp_transport, confirmed_user, unconfirmed_user
):
    addresses = ["nobody@example.org", unconfirmed_user.email, confirmed_user.email]
    answers = {(r.status_code, r.content) for r in map(ask, addresses)}

    assert answers == {(HTTPStatus.NO_CONTENT, b"")}
    smtp_transport.wait_for(1)
    assert smtp_transport.recipients == [[confirmed_user.email]]
    assert not LoginCode.objects.exclude(user=confirmed_user).exists()
    # Confirming answers alike too: an unknown or unconfirmed address is just a wrong code.
    for email in addresses:
        response = confirm(email, "23456789")
        assert (response.status_code, response.json()) == (HTTPStatus.BAD_REQUEST, INVALID)


def test_asking_runs_no_query_before_the_answer(
    confirmed_user, unconfirmed_user, monkeypatch, django_assert_num_queries
):
    """The lookup and the mail are queued past the answer, so every address costs the same."""
    from emails import after_response

    deferred: list = []
    monkeypatch.setattr(after_response, "defer", lambda call: deferred.append(call) or True)
    for email in ("nobody@example.org", unconfirmed_user.email, confirmed_user.email):
        with django_assert_num_queries(0):
            assert ask(email).status_code == HTTPStatus.NO_CONTENT
    assert len(deferred) == 3


def test_a_code_works_once(confirmed_user):
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)

    assert confirm(confirmed_user.email, code).status_code == HTTPStatus.OK
    again = confirm(confirmed_user.email, code)

    assert (again.status_code, again.json()) == (HTTPStatus.BAD_REQUEST, INVALID)
    assert TokenSession.objects.filter(user=confirmed_user).count() == 1


def test_the_code_is_read_in_any_letter_case_with_spaces_and_lookalikes(confirmed_user):
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)
    typed = f" {code[:4].lower()} - {code[4:].lower()} ".replace("0", "o").replace("1", "l")

    assert confirm(confirmed_user.email.upper(), typed).status_code == HTTPStatus.OK


def test_a_newer_code_replaces_the_older(confirmed_user):
    ask(confirmed_user.email)
    older = last_code(confirmed_user.email)
    ask(confirmed_user.email)
    newer = last_code(confirmed_user.email)

    assert confirm(confirmed_user.email, older).json() == INVALID
    assert confirm(confirmed_user.email, newer).status_code == HTTPStatus.OK


def test_a_request_held_back_by_the_mail_cap_changes_nothing(settings, confirmed_user):
    settings.MAIL_CAP_PER_HOUR = 1
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)
    stored = LoginCode.objects.get(user=confirmed_user)

    held = ask(confirmed_user.email)

    assert held.status_code == HTTPStatus.NO_CONTENT
    assert len(mail_to(confirmed_user.email)) == 1
    assert LoginCode.objects.get(user=confirmed_user).code_digest == stored.code_digest
    refused = AuditEvent.objects.filter(
        event=AuditEvent.Event.LOGIN_CODE_REQUEST, outcome=AuditEvent.Outcome.FAILURE
    )
    assert refused.get().detail == "no mail sent (hourly cap reached)"
    assert confirm(confirmed_user.email, code).status_code == HTTPStatus.OK


def test_three_wrong_codes_end_it(confirmed_user):
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)

    for _try in range(MAX_WRONG_TRIES):
        assert confirm(confirmed_user.email, wrong(code)).json() == INVALID

    assert confirm(confirmed_user.email, code).json() == INVALID
    assert not LoginCode.objects.exists()


def test_the_right_code_after_two_wrong_ones_still_signs_in(confirmed_user):
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)

    for _try in range(MAX_WRONG_TRIES - 1):
        confirm(confirmed_user.email, wrong(code))

    assert confirm(confirmed_user.email, code).status_code == HTTPStatus.OK


def test_a_code_expires_after_ten_minutes(confirmed_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(confirmed_user.email)
        code = last_code(confirmed_user.email)
        clock.shift(timedelta(minutes=10, seconds=1))

        response = confirm(confirmed_user.email, code)

    assert (response.status_code, response.json()) == (HTTPStatus.BAD_REQUEST, INVALID)


def test_a_code_works_until_its_tenth_minute(confirmed_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(confirmed_user.email)
        clock.shift(timedelta(minutes=9, seconds=59))

        assert confirm(confirmed_user.email, last_code(confirmed_user.email)).status_code == 200


def test_a_code_stops_working_when_the_account_is_deactivated(confirmed_user):
    ask(confirmed_user.email)
    confirmed_user.is_active = False
    confirmed_user.save(update_fields=["is_active"])

    assert confirm(confirmed_user.email, last_code(confirmed_user.email)).json() == INVALID


def test_wrong_codes_count_toward_the_lockout_shared_with_password_logins(lockout, confirmed_user):
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)
    for _try in range(LOCKOUT_LIMIT - 1):
        assert confirm(confirmed_user.email, wrong(code)).status_code == HTTPStatus.BAD_REQUEST
    api_login(CommittingAPIClient(), "djoser-token", confirmed_user.email, "wrong password")

    # Locked: even a right code (a new one) is refused, unchecked and uncounted.
    ask(confirmed_user.email)
    locked = confirm(confirmed_user.email, last_code(confirmed_user.email))

    assert_locked("djoser-token", locked, int(lockout.AXES_COOLOFF_TIME.total_seconds()))
    assert not TokenSession.objects.filter(user=confirmed_user).exists()
    assert LoginCode.objects.get(user=confirmed_user).tries == 0
    failures = AuditEvent.objects.filter(
        event=AuditEvent.Event.LOGIN, outcome=AuditEvent.Outcome.FAILURE
    )
    assert failures.count() == LOCKOUT_LIMIT + 1  # the last one refused by the lock
    assert failures.filter(detail="locked").count() == 1
    assert AuditEvent.objects.filter(event=AuditEvent.Event.LOCKOUT).count() == 1
    password = api_login(CommittingAPIClient(), "djoser-token", confirmed_user.email, "x")
    assert password.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_right_code_resets_the_failed_login_count(lockout, confirmed_user):
    ask(confirmed_user.email)
    code = last_code(confirmed_user.email)
    confirm(confirmed_user.email, wrong(code))
    confirm(confirmed_user.email, wrong(code))
    assert confirm(confirmed_user.email, code).status_code == HTTPStatus.OK

    for _try in range(LOCKOUT_LIMIT - 1):
        api_login(CommittingAPIClient(), "djoser-token", confirmed_user.email, "wrong password")
    response = api_login(
        CommittingAPIClient(), "djoser-token", confirmed_user.email, DEFAULT_PASSWORD
    )
    assert response.status_code == HTTPStatus.OK


def test_both_routes_share_the_login_throttle(rates, confirmed_user):
    rates(login="2/min")
    client = CommittingAPIClient()

    assert ask(confirmed_user.email, client).status_code == HTTPStatus.NO_CONTENT
    assert confirm(confirmed_user.email, "23456789", client).status_code == 400
    assert confirm(confirmed_user.email, "23456789", client).status_code == 429


def test_the_audit_log_records_the_request_and_the_login(confirmed_user):
    ask("nobody@example.org")
    ask(confirmed_user.email)
    confirm(confirmed_user.email, last_code(confirmed_user.email))

    events = AuditEvent.objects.order_by("pk").values_list("event", "outcome", "target")
    assert list(events)[-3:] == [
        ("login_code_request", "failure", "nobody@example.org"),
        ("login_code_request", "success", confirmed_user.email),
        ("login", "success", confirmed_user.email),
    ]


def test_a_code_login_from_a_new_device_sends_the_new_sign_in_notice(settings, confirmed_user):
    settings.NEW_SIGNIN_EMAIL = True
    api_login(
        CommittingAPIClient(REMOTE_ADDR="198.51.100.1"),
        "djoser-token",
        confirmed_user.email,
        DEFAULT_PASSWORD,
    )
    ask(confirmed_user.email)

    client = CommittingAPIClient(REMOTE_ADDR="203.0.113.7")
    assert confirm(confirmed_user.email, last_code(confirmed_user.email), client).status_code == 200

    subjects = [message.subject for message in mail_to(confirmed_user.email)]
    assert subjects[-1] == "New sign-in to your Canvass account"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "ann@example.org"},
        {"email": "not an address", "code": "23456789"},
        {"email": "ann@example.org", "code": "x" * 33},
        {"email": "ann@example.org", "code": "23456789", "credential": "cookie"},
    ],
)
def test_malformed_confirmations_are_field_errors(confirmed_user, payload):
    response = CommittingAPIClient().post(CONFIRM, payload, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not TokenSession.objects.exists()


def test_the_outbox_admin_sees_the_message_with_its_code_and_link_masked(confirmed_user):
    ask(confirmed_user.email)
    body = mail_to(confirmed_user.email)[-1].body
    code, key = last_code(confirmed_user.email), last_link_key(confirmed_user.email)

    redacted = body_redacted(body)

    assert code not in redacted and key not in redacted


def test_the_code_has_at_least_thirty_bits():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert CODE_BITS == 40 >= 30


def test_the_store_holds_digests_only(confirmed_user):
    ask(confirmed_user.email)
    code, key = last_code(confirmed_user.email), last_link_key(confirmed_user.email)

    stored = LoginCode.objects.values().get()

    assert not any(code in str(value) or key in str(value) for value in stored.values())


# --- the emailed link's page ---
def test_opening_the_link_changes_nothing_and_its_button_signs_the_browser_in(confirmed_user):
    ask(confirmed_user.email)
    key = last_link_key(confirmed_user.email)
    browser = CommittingClient()

    opened = browser.get(f"/login/code/{key}")
    assert opened.status_code == HTTPStatus.OK
    assert b"Sign me in" in opened.content
    assert SESSION_KEY not in browser.session
    assert LoginCode.objects.filter(user=confirmed_user).exists()

    pressed = browser.post(f"/login/code/{key}")
    assert pressed.status_code == HTTPStatus.FOUND
    assert browser.session[SESSION_KEY] == str(confirmed_user.pk)
    session = TokenSession.objects.get(user=confirmed_user)
    assert (session.kind, session.method) == (TokenSession.Kind.BROWSER, TokenSession.Method.CODE)
    # The link and its code are spent.
    assert CommittingClient().get(f"/login/code/{key}").status_code == HTTPStatus.BAD_REQUEST
    assert confirm(confirmed_user.email, last_code(confirmed_user.email)).json() == INVALID


def test_an_expired_or_unknown_link_cannot_be_used(confirmed_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(confirmed_user.email)
        key = last_link_key(confirmed_user.email)
        clock.shift(timedelta(minutes=11))
        expired = CommittingClient().post(f"/login/code/{key}")
    unknown = CommittingClient().post("/login/code/nothing-like-a-key")

    assert expired.status_code == unknown.status_code == HTTPStatus.BAD_REQUEST
    assert b"This link cannot be used" in expired.content
    assert not TokenSession.objects.exists()


# --- the login page's code form ---
def test_the_login_page_offers_a_code():
    page = CommittingClient().get("/accounts/login/")
    assert b'href="/accounts/login/code/"' in page.content
    assert b"Email me a sign-in code" in page.content


def test_the_login_pages_code_form_signs_the_browser_in(confirmed_user):
    browser = CommittingClient()
    assert browser.get("/accounts/login/code/").status_code == HTTPStatus.OK

    asked = browser.post("/accounts/login/code/", {"email": confirmed_user.email})
    assert asked.status_code == HTTPStatus.FOUND
    assert asked["Location"] == "/accounts/login/code/confirm/"
    code = last_code(confirmed_user.email)

    mistyped = browser.post(asked["Location"], {"code": wrong(code)})
    assert mistyped.status_code == HTTPStatus.BAD_REQUEST
    assert b"This code is not valid" in mistyped.content
    signed_in = browser.post(asked["Location"], {"code": code.lower()})

    assert signed_in.status_code == HTTPStatus.FOUND
    assert browser.session[SESSION_KEY] == str(confirmed_user.pk)
    session = TokenSession.objects.get(user=confirmed_user)
    assert (session.kind, session.method) == (TokenSession.Kind.BROWSER, TokenSession.Method.CODE)


def test_the_code_form_answers_alike_for_an_unknown_address_and_mails_nothing(confirmed_user):
    browser = CommittingClient()
    asked = browser.post("/accounts/login/code/", {"email": "nobody@example.org"})
    assert asked["Location"] == "/accounts/login/code/confirm/"
    assert mail.outbox == []

    page = browser.post(asked["Location"], {"code": "23456789"})
    assert page.status_code == HTTPStatus.BAD_REQUEST
    assert SESSION_KEY not in browser.session


def test_the_code_form_without_an_address_asks_for_one_first():
    page = CommittingClient().get("/accounts/login/code/confirm/")
    assert page.status_code == HTTPStatus.FOUND
    assert page["Location"] == "/accounts/login/code/"


def test_the_code_form_is_locked_like_the_login_page(lockout, confirmed_user):
    browser = CommittingClient()
    browser.post("/accounts/login/code/", {"email": confirmed_user.email})
    code = last_code(confirmed_user.email)
    for _try in range(LOCKOUT_LIMIT):
        browser.post("/accounts/login/code/confirm/", {"code": wrong(code)})
    browser.post("/accounts/login/code/", {"email": confirmed_user.email})

    locked = browser.post(
        "/accounts/login/code/confirm/", {"code": last_code(confirmed_user.email)}
    )

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert SESSION_KEY not in browser.session


def test_the_daily_purge_deletes_only_expired_codes(capsys, confirmed_user, user_factory):
    other = user_factory(email="bea@example.org")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(confirmed_user.email)
        clock.shift(timedelta(minutes=10))
        ask(other.email)

        call_command("purge_login_codes", "--dry-run")
        assert capsys.readouterr().out == "1 expired sign-in codes would be deleted\n"
        call_command("purge_login_codes")

    assert list(LoginCode.objects.values_list("user", flat=True)) == [other.pk]


def test_a_code_stops_working_when_the_account_changes_address(confirmed_user):
    ask(confirmed_user.email)
    code, key = last_code(confirmed_user.email), last_link_key(confirmed_user.email)
    confirmed_user.email = "ann.new@example.org"
    confirmed_user.save(update_fields=["email"])

    assert confirm(confirmed_user.email, code).json() == INVALID
    assert CommittingClient().post(f"/login/code/{key}").status_code == HTTPStatus.BAD_REQUEST


def test_the_link_in_a_browser_signed_in_as_someone_else_signs_that_one_out(
    confirmed_user, user_factory
):
    other = user_factory(email="bea@example.org")
    browser = CommittingClient()
    browser.post("/accounts/login/", {"login": other.email, "password": DEFAULT_PASSWORD})
    assert TokenSession.objects.filter(user=other).count() == 1
    ask(confirmed_user.email)

    browser.post(f"/login/code/{last_link_key(confirmed_user.email)}")

    assert browser.session[SESSION_KEY] == str(confirmed_user.pk)
    assert not TokenSession.objects.filter(user=other).exists()
    assert TokenSession.objects.get(user=confirmed_user).method == TokenSession.Method.CODE


@pytest.mark.parametrize(("credential", "route"), [("token", "token"), ("jwt", "jwt")])
def test_the_api_login_ends_where_every_api_login_ends(
    monkeypatch, confirmed_user, credential, route
):
    """`login_flow.login_finish` decides what a login hands out (a second factor's challenge
    among it), so the code route must end there and nowhere else."""
    from accounts import login_flow, views

    finished: list[dict] = []

    def spy(**kwargs):
        finished.append(kwargs)
        return login_flow.login_finish(**kwargs)

    monkeypatch.setattr(views, "login_finish", spy)
    ask(confirmed_user.email)

    confirm(confirmed_user.email, last_code(confirmed_user.email), credential=credential)

    [call] = finished
    assert (call["user"], call["route"], call["method"]) == (confirmed_user, route, "code")


def test_the_browser_login_is_recorded_in_allauths_flow_as_a_code(confirmed_user):
    """allauth's stages after a first factor (two-factor authentication) read these records."""
    ask(confirmed_user.email)
    browser = CommittingClient()

    browser.post(f"/login/code/{last_link_key(confirmed_user.email)}")

    [record] = browser.session["account_authentication_methods"]
    assert (record["method"], record["email"]) == ("code", confirmed_user.email)


def test_an_account_with_two_factor_authentication_gets_the_second_step(
    confirmed_user, time_machine
):
    time_machine.move_to(START, tick=False)
    enrolment = enrol(confirmed_user)
    time_machine.shift(STEP)
    ask(confirmed_user.email)

    answer = confirm(confirmed_user.email, last_code(confirmed_user.email))

    assert answer.status_code == HTTPStatus.OK
    assert set(answer.json()) == {"mfa_required", "ephemeral_token"}
    assert not TokenSession.objects.filter(user=confirmed_user).exists()
    done = verify(answer.json()["ephemeral_token"], enrolment.code())
    assert done.status_code == HTTPStatus.OK
    assert set(done.json()) == {"auth_token"}
    session = TokenSession.objects.get(user=confirmed_user)
    assert session.method == TokenSession.Method.CODE
    assert session.second_factor_at is not None
