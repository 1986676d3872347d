"""The outbox backend: what it stores, and that delivery waits for the caller's commit."""

from contextlib import suppress

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from emails.models import OutboundEmail
from tests.emails.messages import LINK, full_message

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True)


def test_the_backend_stores_every_part_of_the_message(mailoutbox):
    full_message().send()

    email = OutboundEmail.objects.get()
    assert email.status == Status.QUEUED
    assert email.subject == "Activate your account"
    assert email.from_email == "Canvass <no-reply@example.org>"
    assert (email.to, email.cc, email.bcc) == (
        ["ada@example.org"],
        ["cc@example.org"],
        ["bcc@example.org"],
    )
    assert email.reply_to == ["help@example.org"]
    assert email.headers["X-Canvass-Flow"] == "activation"
    assert email.headers["Message-ID"].endswith("@example.org>")
    assert email.text_body == f"Open {LINK}\n"
    assert email.html_body == f'<p><a href="{LINK}">Activate</a></p>'
    # The test's transaction has not committed: nothing may have left yet.
    assert mailoutbox == []


@committing
def test_delivery_sends_the_stored_message_after_commit(mailoutbox):
    with transaction.atomic():
        full_message().send()
        assert mailoutbox == []

    [delivered] = mailoutbox
    original = full_message()
    assert delivered.subject == original.subject
    assert delivered.body == original.body
    assert delivered.alternatives == original.alternatives
    assert (delivered.to, delivered.cc, delivered.bcc) == (original.to, original.cc, original.bcc)
    assert delivered.reply_to == original.reply_to
    email = OutboundEmail.objects.get()
    assert delivered.extra_headers == email.headers
    assert email.status == Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None


@committing
def test_a_rolled_back_transaction_sends_nothing(mailoutbox):
    with suppress(RuntimeError), transaction.atomic():
        full_message().send()
        raise RuntimeError("the change that caused the message failed")

    assert not OutboundEmail.objects.exists()
    assert mailoutbox == []


@committing
def test_an_html_only_message_is_delivered_as_html(mailoutbox):
    message = EmailMessage("Hi", "<p>Hello</p>", to=["ada@example.org"])
    message.content_subtype = "html"
    message.send()

    [delivered] = mailoutbox
    assert delivered.content_subtype == "html"
    assert delivered.body == "<p>Hello</p>"


def test_a_message_without_recipients_is_not_stored():
    assert EmailMessage("Hi", "Hello", to=[]).send() == 0
    assert not OutboundEmail.objects.exists()


def test_attachments_are_refused_loudly_rather_than_dropped():
    message = full_message()
    message.attach("report.csv", "a,b\n", "text/csv")
    with pytest.raises(ValueError, match="attachments"):
        message.send()
    assert not OutboundEmail.objects.exists()


@committing
def test_a_failing_first_attempt_never_fails_the_caller(smtp_down, mailoutbox):
    assert full_message().send() == 1  # autocommit: the attempt runs right here, and fails

    email = OutboundEmail.objects.get()
    assert email.status == Status.QUEUED
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert mailoutbox == []


@committing
def test_the_console_transport_prints_the_message_with_its_links(settings, capsys):
    from settings.email import transport_from_url

    settings.EMAIL_TRANSPORT = transport_from_url("console:")
    full_message().send()

    printed = capsys.readouterr().out
    assert "Subject: Activate your account" in printed
    assert printed.count(LINK) == 1  # the text part; the HTML part is one summary line
    assert "[HTML part: " in printed
