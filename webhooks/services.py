"""The webhooks app's write operations: endpoints, resending, the sweep without beat, purging."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from emails.batches import due_pks
from webhooks import delivery
from webhooks.events import EVENT_TYPES
from webhooks.guard import endpoint_url_check
from webhooks.models import Delivery, Endpoint
from webhooks.signing import secret_create
from webhooks.tasks import dispatch_delivery

logger = logging.getLogger("webhooks")
Status = Delivery.Status


def events_parse(events: str | list[str]) -> list[str]:
    """`a,b` or `*` (or a list) as a subscription; ValueError naming an unknown event."""
    names = events.split(",") if isinstance(events, str) else list(events)
    names = [name.strip() for name in names if name.strip()]
    if not names:
        raise ValueError("name at least one event, or '*' for every event")
    if "*" in names:
        return ["*"]
    unknown = sorted(set(names) - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"unknown event(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}")
    return list(dict.fromkeys(names))


def endpoint_create(*, url: str, events: str | list[str], description: str = "") -> Endpoint:
    """A new enabled endpoint with a new secret; RefusedURL or ValueError for bad input."""
    endpoint_url_check(url)
    return Endpoint.objects.create(
        url=url, events=events_parse(events), secret=secret_create(), description=description
    )


def endpoint_remove(*, pk: int) -> bool:
    deleted, _by_model = Endpoint.objects.filter(pk=pk).delete()
    return bool(deleted)


@transaction.atomic
def deliveries_resend(deliveries: QuerySet[Delivery]) -> int:
    """Queue rows again with a fresh retry window, starting now (their webhook-id is kept).
    Rows being sent right now are left alone."""
    now = timezone.now()
    pks = list(deliveries.exclude(status=Status.SENDING).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=pks).exclude(status=Status.SENDING).update(
        status=Status.QUEUED, attempts=0, created_at=now, next_attempt_at=now, dispatched_at=now
    )
    transaction.on_commit(partial(dispatch_delivery, pks))
    return len(pks)


@dataclass
class SendReport:
    delivered: int = 0
    not_delivered: int = 0


def deliveries_send_due(*, ignore_backoff: bool = False, batch_size: int = 500) -> SendReport:
    """Attempt every due row in this process: the retry path for deployments without beat.
    Rows another worker holds are skipped by the claim."""
    delivery.deliveries_release_stuck()
    report = SendReport()
    due = partial(delivery.due_deliveries, ignore_backoff=ignore_backoff)
    for pk in due_pks(lambda: due(timezone.now()), batch_size):
        if delivery.delivery_send(pk, ignore_backoff=ignore_backoff):
            report.delivered += 1
        else:
            report.not_delivered += 1
    return report


def deliveries_purgeable(*, older_than_days: int | None = None) -> QuerySet[Delivery]:
    """Delivered and failed rows older than WEBHOOKS_PURGE_AFTER_DAYS; never a pending one."""
    days = settings.WEBHOOKS_PURGE_AFTER_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    return Delivery.objects.filter(
        status__in=[Status.DELIVERED, Status.FAILED], created_at__lt=cutoff
    )
