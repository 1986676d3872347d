"""Without a broker, a request's mail is delivered after its response, not inside it."""

import json
import time
import urllib.request
from http import HTTPStatus

import pytest

from emails import after_response
from emails.models import OutboundEmail
from tests.smtp import SmtpSink

SLOW_SMTP_SECONDS = 3


@pytest.fixture
def slow_smtp(settings):
    from settings.email import transport_from_url

    sink = SmtpSink(delay=SLOW_SMTP_SECONDS).start()
    settings.EMAIL_TRANSPORT = transport_from_url(f"{sink.url}?timeout=10")
    yield sink
    sink.stop()


def post_json(url: str, payload: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_answers_before_its_mail_reaches_a_slow_smtp_server(live_server, slow_smtp):
    status = post_json(
        f"{live_server.url}/auth/users/",
        {"email": "ada@example.org", "password": "a-long-Passphrase-9"},
    )

    assert status == HTTPStatus.CREATED
    # Delivered inside the request, the answer would have waited for the server's reply.
    assert slow_smtp.raw == []
    [received] = slow_smtp.wait_for(1)
    assert received["To"] == "ada@example.org"
    wait_until_every_message_is_sent()


def wait_until_every_message_is_sent(timeout: float = 30.0) -> None:
    """The server thread records the delivery after the SMTP reply; a test that ended first
    would leave it writing into the next test's database."""
    deadline = time.monotonic() + timeout
    while OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists():
        if time.monotonic() > deadline:
            pytest.fail("the deferred delivery never recorded its message as sent")
        time.sleep(0.05)


def test_outside_a_request_nothing_is_deferred():
    calls: list[str] = []

    assert after_response.defer(lambda: calls.append("ran")) is False
    assert calls == []


def test_a_call_left_by_a_response_never_closed_runs_at_the_next_request():
    calls: list[str] = []
    after_response._request_started()
    assert after_response.defer(lambda: calls.append("ran"))

    after_response._request_started()  # the next request, without request_finished between

    assert calls == ["ran"]
    after_response._request_finished()
