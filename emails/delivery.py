"""Delivery of outbox rows: claim a row, send it through EMAIL_URL's transport, record the outcome.

The row is the source of truth: a claim moves it `queued` → `sending` atomically, so two workers
or two deliveries of the same task never both send it; a failure schedules the next attempt on
the row itself (exponential backoff with jitter) until OUTBOX_MAX_ATTEMPTS, then `failed`.
"""

import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from emails.models import OutboundEmail
from emails.transport import transport_send

logger = logging.getLogger("emails.outbox")
Status = OutboundEmail.Status

ERROR_MAX_LENGTH = 2000


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts: doubling, capped, with jitter.

    The jitter ("equal jitter": a random point in the upper half) spreads the retries of a
    burst that failed together, so they do not hit a recovering server all at once.
    """
    ceiling = min(
        settings.OUTBOX_RETRY_MAX_SECONDS,
        settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return timedelta(seconds=secrets.SystemRandom().uniform(ceiling / 2, ceiling))


def stuck_cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)


def due_emails(now: datetime, *, ignore_backoff: bool = False) -> QuerySet[OutboundEmail]:
    due = OutboundEmail.objects.filter(status=Status.QUEUED)
    return due if ignore_backoff else due.filter(next_attempt_at__lte=now)


def outbound_email_claim(pk: int, *, ignore_backoff: bool = False) -> OutboundEmail | None:
    """Move the row to `sending` if it is due and nobody else has it; None otherwise."""
    now = timezone.now()
    if connections[router.db_for_write(OutboundEmail)].features.has_select_for_update_skip_locked:
        email = _claim_skipping_locked_rows(pk, now, ignore_backoff=ignore_backoff)
    else:
        # Without row locks the conditional UPDATE is the claim: only one caller changes the row.
        due = due_emails(now, ignore_backoff=ignore_backoff).filter(pk=pk)
        claimed = due.update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        email = OutboundEmail.objects.get(pk=pk) if claimed else None
    if email is not None:
        logger.info("outbound email %s: sending (attempt %s)", pk, email.attempts)
    return email


def _claim_skipping_locked_rows(
    pk: int, now: datetime, *, ignore_backoff: bool
) -> OutboundEmail | None:
    """The claim in one statement: lock the row if it is due (SKIP LOCKED), update, return it.

    One round trip instead of a transaction's four: the claim is most of a delivery's time
    spent in the database, and it runs once per message.
    """
    table = OutboundEmail._meta.db_table
    due = "" if ignore_backoff else "AND next_attempt_at <= %(now)s"
    # The SQL text holds no input: only the table name and placeholders.
    claim = (
        f"UPDATE {table} SET status = %(sending)s, claimed_at = %(now)s, attempts = attempts + 1 "  # noqa: S608  # nosec B608  # placeholders only, see above
        f"WHERE id = (SELECT id FROM {table} WHERE id = %(pk)s AND status = %(queued)s {due} "
        "FOR UPDATE SKIP LOCKED) RETURNING *"
    )
    parameters = {"pk": pk, "now": now, "sending": Status.SENDING, "queued": Status.QUEUED}
    return next(iter(OutboundEmail.objects.raw(claim, parameters)), None)


def outbound_email_deliver(pk: int, *, ignore_backoff: bool = False) -> bool:
    """Send one row if it is due and unclaimed; True when this call sent it.

    Any failure is recorded on the row and never raised: the caller may be the request that
    queued the message (no broker), which must not fail because SMTP is down.
    """
    email = outbound_email_claim(pk, ignore_backoff=ignore_backoff)
    if email is None:
        logger.debug("outbound email %s: not due or already taken", pk)
        return False
    try:
        if not transport_send(email.to_message()):
            raise RuntimeError("the transport accepted no message")
    except Exception as error:
        _record_failure(email, error)
        return False
    OutboundEmail.objects.filter(pk=pk).exclude(status=Status.SENT).update(
        status=Status.SENT, sent_at=timezone.now(), claimed_at=None
    )
    logger.info("outbound email %s: sent", pk)
    return True


def is_permanent(error: Exception) -> bool:
    """Every recipient refused with a 5xx: another attempt would be refused the same way."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return False


def _record_failure(email: OutboundEmail, error: Exception) -> None:
    now = timezone.now()
    last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    mine = OutboundEmail.objects.filter(
        pk=email.pk, status=Status.SENDING, claimed_at=email.claimed_at
    )
    if is_permanent(error) or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, last_error=last_error, claimed_at=None)
        logger.warning(
            "outbound email %s: failed after %s attempts (%s)",
            email.pk,
            email.attempts,
            type(error).__name__,
        )
        return
    next_attempt_at = now + retry_delay(email.attempts)
    mine.update(
        status=Status.QUEUED,
        last_error=last_error,
        claimed_at=None,
        dispatched_at=None,
        next_attempt_at=next_attempt_at,
    )
    logger.warning(
        "outbound email %s: attempt %s failed (%s), retry at %s",
        email.pk,
        email.attempts,
        type(error).__name__,
        next_attempt_at.isoformat(),
    )


def outbox_release_stuck() -> int:
    """Put rows left `sending` past OUTBOX_STUCK_AFTER_SECONDS (a dead worker) back in the queue."""
    now = timezone.now()
    stuck = OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=stuck_cutoff(now))
    released = 0
    for pk, attempts in stuck.values_list("pk", "attempts"):
        exhausted = attempts >= settings.OUTBOX_MAX_ATTEMPTS
        changes = {"status": Status.FAILED} if exhausted else {"status": Status.QUEUED}
        if stuck.filter(pk=pk).update(
            **changes,
            claimed_at=None,
            dispatched_at=None,
            next_attempt_at=now,
            last_error="the attempt did not finish (worker stopped or timed out)",
        ):
            released += 1
            logger.warning("outbound email %s: stuck in sending, now %s", pk, changes["status"])
    return released


def outbox_undispatched_due() -> list[int]:
    """Due rows with no live delivery task; marks them dispatched (the caller queues the tasks)."""
    now = timezone.now()
    lease_over = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stuck_cutoff(now))
    due = due_emails(now).filter(lease_over).order_by("next_attempt_at")
    pks = list(due.values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_BATCH])
    OutboundEmail.objects.filter(pk__in=pks).update(dispatched_at=now)
    return pks
