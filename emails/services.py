"""The emails app's write operations: send a Canvass message, and run the outbox."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from emails import delivery
from emails.batches import due_pks
from emails.models import OutboundEmail
from emails.rendering import render_email
from emails.tasks import dispatch_delivery

logger = logging.getLogger("emails.outbox")
Status = OutboundEmail.Status


def email_send(
    *, to: str | Sequence[str], template: str, context: dict[str, Any] | None = None
) -> None:
    """Queue `emails/<template>/` for `to` through the configured EMAIL_BACKEND.

    Call it inside the transaction of the change that caused the message: the backend stores
    the message with that transaction, so a rollback sends nothing.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    rendered = render_email(template, context)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()


@dataclass
class SendReport:
    sent: int = 0
    not_sent: int = 0


def outbox_send_due(*, ignore_backoff: bool = False, batch_size: int = 500) -> SendReport:
    """Deliver every due row in this process: the retry path for deployments without beat.

    `ignore_backoff` also sends rows still waiting out their backoff (after an outage). Rows
    another worker holds are skipped by the claim, so this may run beside Celery workers.
    """
    delivery.outbox_release_stuck()
    report = SendReport()
    due = partial(delivery.due_emails, ignore_backoff=ignore_backoff)
    for pk in due_pks(lambda: due(timezone.now()), batch_size):
        if delivery.outbound_email_deliver(pk, ignore_backoff=ignore_backoff):
            report.sent += 1
        else:
            report.not_sent += 1
    return report


@transaction.atomic
def outbound_emails_retry(emails: QuerySet[OutboundEmail]) -> int:
    """Give failed rows a fresh set of attempts, starting now; other rows are left alone."""
    pks = list(emails.filter(status=Status.FAILED).values_list("pk", flat=True))
    now = timezone.now()
    OutboundEmail.objects.filter(pk__in=pks, status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=now, dispatched_at=now
    )
    for pk in pks:
        logger.info("outbound email %s: queued again by an administrator", pk)
    transaction.on_commit(partial(dispatch_delivery, pks))
    return len(pks)


def outbox_purgeable(*, older_than_days: int | None = None) -> QuerySet[OutboundEmail]:
    """Sent and failed rows older than the given age (default OUTBOX_PURGE_AFTER_DAYS).

    Rows still queued or sending are never purged, whatever their age: that would lose mail.
    """
    days = settings.OUTBOX_PURGE_AFTER_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    return OutboundEmail.objects.filter(
        status__in=[Status.SENT, Status.FAILED], created_at__lt=cutoff
    )


def outbox_purge(*, older_than_days: int | None = None) -> int:
    deleted, _by_model = outbox_purgeable(older_than_days=older_than_days).delete()
    logger.info("outbox: purged %s rows", deleted)
    return deleted


def outbox_status_counts() -> dict[str, int]:
    """Rows per status, every status listed (zeros included)."""
    counts = dict(
        OutboundEmail.objects.values_list("status").annotate(count=Count("pk")).order_by()
    )
    return {status: counts.get(status, 0) for status in Status.values}
