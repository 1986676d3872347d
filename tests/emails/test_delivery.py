"""Delivery of outbox rows: backoff and its end, idempotency, stuck rows, the sweep."""

import logging
import threading
from datetime import timedelta

import pytest
from celery.signals import task_prerun
from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone

from emails.delivery import (
    outbound_email_claim,
    outbound_email_deliver,
    outbox_release_stuck,
    retry_delay,
)
from emails.models import OutboundEmail
from emails.tasks import deliver_outbound_emails, sweep_outbox
from tests.emails.messages import full_message

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db


def queue(count: int = 1) -> list[int]:
    """Store `count` messages without delivering them (the test's transaction never commits)."""
    for number in range(count):
        full_message(to=f"user{number}@example.org").send()
    return list(OutboundEmail.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize("attempts", range(1, 13))
def test_retry_delay_doubles_up_to_the_ceiling_with_jitter(settings, attempts):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    ceiling = min(3600, 30 * 2 ** (attempts - 1))

    delays = {retry_delay(attempts).total_seconds() for _ in range(50)}

    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert len(delays) > 1  # jittered, not one fixed value


def test_retries_back_off_and_stop(settings, smtp_down, time_machine, mailoutbox):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    [pk] = queue()

    for attempt, ceiling in [(1, 60), (2, 120)]:
        started = timezone.now()
        assert outbound_email_deliver(pk) is False
        email = OutboundEmail.objects.get(pk=pk)
        assert (email.status, email.attempts) == (Status.QUEUED, attempt)
        assert "ConnectionRefusedError" in email.last_error
        wait = email.next_attempt_at - started
        assert timedelta(seconds=ceiling / 2) <= wait <= timedelta(seconds=ceiling)
        # Not due yet: a second delivery of the task changes nothing.
        assert outbound_email_deliver(pk) is False
        assert OutboundEmail.objects.get(pk=pk).attempts == attempt
        time_machine.move_to(email.next_attempt_at)

    assert outbound_email_deliver(pk) is False
    email = OutboundEmail.objects.get(pk=pk)
    assert (email.status, email.attempts) == (Status.FAILED, 3)

    time_machine.shift(timedelta(days=1))
    assert outbound_email_deliver(pk) is False
    assert OutboundEmail.objects.get(pk=pk).attempts == 3
    assert mailoutbox == []


def test_a_retry_succeeds_once_the_server_is_back(settings, smtp_down, time_machine, mailoutbox):
    time_machine.move_to(timezone.now(), tick=False)
    [pk] = queue()
    outbound_email_deliver(pk)
    time_machine.shift(timedelta(hours=1))
    settings.EMAIL_TRANSPORT = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}

    assert outbound_email_deliver(pk) is True

    email = OutboundEmail.objects.get(pk=pk)
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_delivering_the_same_row_twice_sends_one_smtp_message(smtp_transport):
    [pk] = queue()

    assert outbound_email_deliver(pk, ignore_backoff=True) is True
    assert outbound_email_deliver(pk, ignore_backoff=True) is False

    [received] = smtp_transport.wait_for(1)
    assert received["Message-ID"] == OutboundEmail.objects.get(pk=pk).headers["Message-ID"]
    assert len(smtp_transport.raw) == 1


def test_a_row_claimed_by_another_worker_is_not_sent(smtp_transport):
    [pk] = queue()
    assert outbound_email_claim(pk) is not None  # another worker is sending it

    assert outbound_email_deliver(pk, ignore_backoff=True) is False
    assert smtp_transport.raw == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_deliveries_of_one_row_send_one_smtp_message(smtp_transport):
    with transaction.atomic():
        full_message().send()
    email = OutboundEmail.objects.get()
    # The commit above already delivered once; make the row due again to race for it.
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.QUEUED)
    smtp_transport.wait_for(1)
    smtp_transport.clear()
    start = threading.Barrier(4)
    results = []

    def deliver() -> None:
        start.wait()
        try:
            results.append(outbound_email_deliver(email.pk))
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(results) == [False, False, False, True]
    assert len(smtp_transport.raw) == 1


def test_a_recipient_refused_for_good_fails_at_once(smtp_transport):
    smtp_transport.refused.add("gone@example.org")
    [pk] = queue()
    OutboundEmail.objects.filter(pk=pk).update(to=["gone@example.org"], cc=[], bcc=[])

    assert outbound_email_deliver(pk) is False

    email = OutboundEmail.objects.get(pk=pk)
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert "SMTPRecipientsRefused" in email.last_error


def test_rows_stuck_in_sending_go_back_to_the_queue(settings, time_machine, mailoutbox):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    time_machine.move_to(timezone.now(), tick=False)
    first, second = queue(2)
    outbound_email_claim(first)  # a worker took them and died
    outbound_email_claim(second)
    OutboundEmail.objects.filter(pk=second).update(attempts=2)

    assert outbox_release_stuck() == 0  # not stuck yet: their workers may still be sending
    time_machine.shift(timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 1))
    assert outbox_release_stuck() == 2

    assert OutboundEmail.objects.get(pk=first).status == Status.QUEUED
    assert OutboundEmail.objects.get(pk=second).status == Status.FAILED
    assert outbound_email_deliver(first) is True
    assert len(mailoutbox) == 1


def test_the_sweep_sends_due_rows_that_have_no_live_task(time_machine, mailoutbox):
    time_machine.move_to(timezone.now(), tick=False)
    lost, dispatched, waiting = queue(3)
    OutboundEmail.objects.filter(pk=lost).update(dispatched_at=None)
    OutboundEmail.objects.filter(pk=waiting).update(
        dispatched_at=None, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    sweep_outbox()

    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {lost: Status.SENT, dispatched: Status.QUEUED, waiting: Status.QUEUED}
    assert [message.to for message in mailoutbox] == [["user0@example.org"]]


def test_the_sweep_redispatches_a_task_the_broker_lost(settings, time_machine, mailoutbox):
    time_machine.move_to(timezone.now(), tick=False)
    [pk] = queue()
    time_machine.shift(timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 1))

    sweep_outbox()

    assert OutboundEmail.objects.get(pk=pk).status == Status.SENT
    assert len(mailoutbox) == 1


def test_state_changes_are_logged_with_the_row_id_and_not_the_body(smtp_down, caplog):
    caplog.set_level(logging.INFO, logger="emails.outbox")
    [pk] = queue()
    outbound_email_deliver(pk)

    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == f"outbound email {pk}: queued"
    assert messages[1] == f"outbound email {pk}: sending (attempt 1)"
    assert messages[2].startswith(f"outbound email {pk}: attempt 1 failed (ConnectionRefusedError)")
    assert not any("example.org" in message or "Activate" in message for message in messages)


def test_a_worker_keeps_its_smtp_session_for_the_next_message(smtp_transport):
    first, second = queue(2)

    assert outbound_email_deliver(first) is True
    assert outbound_email_deliver(second) is True

    assert len(smtp_transport.raw) == 2
    assert len(set(smtp_transport.peers)) == 1


def test_a_kept_session_the_server_dropped_is_replaced_without_a_failed_attempt(smtp_transport):
    first, second = queue(2)
    outbound_email_deliver(first)
    smtp_transport.stop()  # the server restarts: the kept session is gone
    smtp_transport.start()

    assert outbound_email_deliver(second) is True

    email = OutboundEmail.objects.get(pk=second)
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 1, "")
    assert len(set(smtp_transport.peers)) == 2


def test_a_bulk_send_is_delivered_by_tasks_of_outbox_task_batch_rows(
    settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.OUTBOX_TASK_BATCH = 2
    batches = []

    def record(sender, args, **kwargs) -> None:
        if sender.name == deliver_outbound_emails.name:
            batches.append(len(args[0]))

    task_prerun.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            get_connection().send_messages([full_message(to=f"u{n}@example.org") for n in range(5)])
    finally:
        task_prerun.disconnect(record)

    assert batches == [2, 2, 1]
    assert len(mailoutbox) == 5
