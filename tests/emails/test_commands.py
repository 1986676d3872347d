"""The outbox's management commands: send_queued_emails, purge_outbox, outbox_status."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from emails.models import OutboundEmail
from tests.emails.messages import full_message

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db


def row(status: str = Status.QUEUED, **fields) -> OutboundEmail:
    full_message().send()
    email = OutboundEmail.objects.latest("pk")
    OutboundEmail.objects.filter(pk=email.pk).update(status=status, **fields)
    return email


def statuses() -> list[str]:
    return list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True))


def test_send_queued_emails_sends_what_is_due_and_respects_backoff(capsys, mailoutbox):
    row()
    row(next_attempt_at=timezone.now() + timedelta(minutes=10))

    call_command("send_queued_emails")

    assert statuses() == [Status.SENT, Status.QUEUED]
    assert len(mailoutbox) == 1
    assert capsys.readouterr().out == "sent 1, not sent 0\n"


def test_send_queued_emails_now_ignores_backoff(mailoutbox):
    row(next_attempt_at=timezone.now() + timedelta(minutes=10))

    call_command("send_queued_emails", "--now")

    assert statuses() == [Status.SENT]
    assert len(mailoutbox) == 1


def test_send_queued_emails_leaves_sent_and_failed_rows_alone(mailoutbox):
    row(Status.SENT)
    row(Status.FAILED)

    call_command("send_queued_emails", "--now")

    assert statuses() == [Status.SENT, Status.FAILED]
    assert mailoutbox == []


def test_send_queued_emails_loop_repeats_until_interrupted(monkeypatch, capsys, mailoutbox):
    row()
    sleeps = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt
        row()  # new mail arrives between passes

    monkeypatch.setattr("emails.sweep_command.time.sleep", sleep)
    call_command("send_queued_emails", "--loop", "--interval", "0.5")

    assert sleeps == [0.5, 0.5]
    assert statuses() == [Status.SENT, Status.SENT]  # the second pass sent the late one
    assert capsys.readouterr().out.splitlines()[-1] == "stopped"


@pytest.mark.parametrize("arguments", [["--interval", "5"], ["--loop", "--interval", "0"]])
def test_send_queued_emails_rejects_a_bad_interval(arguments):
    with pytest.raises(CommandError):
        call_command("send_queued_emails", *arguments)


def test_purge_outbox_deletes_old_sent_and_failed_rows_only(settings, capsys):
    settings.OUTBOX_PURGE_AFTER_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    row(Status.SENT, created_at=old)
    row(Status.FAILED, created_at=old)
    row(Status.QUEUED, created_at=old)
    row(Status.SENDING, created_at=old)
    row(Status.SENT)

    call_command("purge_outbox", "--dry-run")
    assert capsys.readouterr().out == "would purge 2 rows (dry run, nothing deleted)\n"
    assert OutboundEmail.objects.count() == 5

    call_command("purge_outbox")
    assert capsys.readouterr().out == "purged 2 rows\n"
    assert statuses() == [Status.QUEUED, Status.SENDING, Status.SENT]


def test_purge_outbox_takes_the_age_from_the_command_line(capsys):
    row(Status.SENT, created_at=timezone.now() - timedelta(days=3))

    call_command("purge_outbox", "--older-than", "2")

    assert capsys.readouterr().out == "purged 1 rows\n"
    assert not OutboundEmail.objects.exists()


def test_outbox_status_counts_rows_by_status(capsys):
    row(Status.SENT)
    row(Status.SENT)
    row(Status.FAILED)

    call_command("outbox_status")

    assert capsys.readouterr().out.split() == [
        "queued", "0", "sending", "0", "sent", "2", "failed", "1",
    ]  # fmt: skip
