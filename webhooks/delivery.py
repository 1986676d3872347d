"""Delivery of webhook rows: claim a row, POST it signed, record the outcome, retry or give up.

Mirrors the mail outbox (emails.delivery): the row is the source of truth; a claim moves it
`queued` → `sending` with one conditional UPDATE, so two workers never both send it; a failure
(timeout, connection error, refused address, non-2xx) schedules the next attempt on the row
with exponential backoff and jitter, until WEBHOOKS_RETRY_FOR_SECONDS after the event. Every
attempt carries the same `webhook-id`, signed afresh with the attempt's timestamp.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from emails.services import email_send
from webhooks import transport
from webhooks.endpoint_cache import endpoints_changed
from webhooks.models import Delivery, Endpoint
from webhooks.signing import signed_headers

logger = logging.getLogger("webhooks")
Status = Delivery.Status


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts: doubling, capped, "equal jitter"."""
    ceiling = min(
        settings.WEBHOOKS_RETRY_MAX_SECONDS,
        settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return timedelta(seconds=secrets.SystemRandom().uniform(ceiling / 2, ceiling))


def retry_window() -> timedelta:
    return timedelta(seconds=settings.WEBHOOKS_RETRY_FOR_SECONDS)


def stuck_cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.WEBHOOKS_STUCK_AFTER_SECONDS)


def due_deliveries(now: datetime, *, ignore_backoff: bool = False) -> QuerySet[Delivery]:
    due = Delivery.objects.filter(status=Status.QUEUED)
    return due if ignore_backoff else due.filter(next_attempt_at__lte=now)


def delivery_claim(pk: int, *, ignore_backoff: bool = False) -> Delivery | None:
    """Move the row to `sending` if it is due and nobody else has it; None otherwise."""
    now = timezone.now()
    claimed = (
        due_deliveries(now, ignore_backoff=ignore_backoff)
        .filter(pk=pk)
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("endpoint").get(pk=pk)


def delivery_send(pk: int, *, ignore_backoff: bool = False) -> bool:
    """Attempt one row if it is due and unclaimed; True when the receiver took it (2xx).

    Never raises: the caller may be the request whose change emitted the event.
    """
    delivery = delivery_claim(pk, ignore_backoff=ignore_backoff)
    if delivery is None:
        return False
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        _record(delivery, status=Status.FAILED, response="the endpoint is disabled")
        return False
    now = timezone.now()
    headers = signed_headers(
        secret=endpoint.secret, webhook_id=delivery.webhook_id, timestamp=now, body=delivery.payload
    )
    try:
        answer = transport.post(
            endpoint.url,
            body=delivery.payload.encode(),
            headers=headers,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        )
    except Exception as error:
        _record_failure(
            delivery, f"{type(error).__name__}: {error}", status_code=None, latency=None
        )
        return False
    if 200 <= answer.status < 300:
        _record(
            delivery,
            status=Status.DELIVERED,
            status_code=answer.status,
            response=answer.body,
            latency=answer.latency_ms,
            delivered_at=timezone.now(),
        )
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        logger.debug("webhook %s: delivered to endpoint %s", delivery.webhook_id, endpoint.pk)
        return True
    _record_failure(delivery, answer.body, status_code=answer.status, latency=answer.latency_ms)
    return False


def _record(delivery: Delivery, *, status: str, response: str, **fields) -> int:
    return Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at
    ).update(
        status=status,
        claimed_at=None,
        last_attempt_at=timezone.now(),
        last_status_code=fields.pop("status_code", None),
        last_latency_ms=fields.pop("latency", None),
        last_response=response[: transport.BODY_EXCERPT_BYTES],
        **fields,
    )


def _record_failure(
    delivery: Delivery, response: str, *, status_code: int | None, latency: int | None
) -> None:
    """Schedule the next attempt, the last one exactly WEBHOOKS_RETRY_FOR_SECONDS after the
    event; a failure at or past that moment is final."""
    now = timezone.now()
    deadline = delivery.created_at + retry_window()
    give_up = now >= deadline
    next_attempt_at = min(now + retry_delay(delivery.attempts), deadline)
    _record(
        delivery,
        status=Status.FAILED if give_up else Status.QUEUED,
        response=response,
        status_code=status_code,
        latency=latency,
        next_attempt_at=next_attempt_at,
        dispatched_at=None,
    )
    logger.warning(
        "webhook %s: attempt %s to endpoint %s failed (%s)%s",
        delivery.webhook_id,
        delivery.attempts,
        delivery.endpoint_id,
        status_code or response[:100],
        "; given up" if give_up else f", retry at {next_attempt_at.isoformat()}",
    )
    endpoint_failure_record(delivery.endpoint, failing_since=delivery.created_at, now=now)


def endpoint_failure_record(endpoint: Endpoint, *, failing_since: datetime, now: datetime) -> None:
    """An attempt failed: the endpoint has been failing since the event it could not take
    (unless it already was); once that lasts WEBHOOKS_RETRY_FOR_SECONDS with no success in
    between, it is disabled and the ADMINS mailed."""
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=failing_since
    )
    since = endpoint.failing_since or failing_since
    if now - since >= retry_window():
        endpoint_disable(
            endpoint.pk, reason=f"every delivery has failed since {since:%Y-%m-%d %H:%M} UTC"
        )


@transaction.atomic
def endpoint_disable(pk: int, *, reason: str) -> bool:
    """Disable an endpoint (its queued deliveries fail) and mail the ADMINS; False if it
    already was."""
    now = timezone.now()
    if not Endpoint.objects.filter(pk=pk, enabled=True).update(enabled=False, disabled_at=now):
        return False
    endpoints_changed()  # a queryset update sends no signal
    Delivery.objects.filter(endpoint_id=pk, status=Status.QUEUED).update(
        status=Status.FAILED, last_response="the endpoint was disabled"
    )
    endpoint = Endpoint.objects.get(pk=pk)
    logger.error("webhook endpoint %s (%s) disabled: %s", pk, endpoint.url, reason)
    admins = [address for _name, address in settings.ADMINS]
    if admins:
        email_send(
            to=admins,
            template="account_notice",
            context={
                "subject": f"Webhook endpoint #{pk} disabled",
                "message": (
                    f"The webhook endpoint #{pk} ({endpoint.url}) has been disabled: {reason}.\n"
                    "Its undelivered events are kept in the delivery log; enable the endpoint "
                    "in the admin and resend them once it answers again."
                ),
            },
        )
    return True


def deliveries_release_stuck() -> int:
    """Put rows left `sending` past WEBHOOKS_STUCK_AFTER_SECONDS (a dead worker) back."""
    now = timezone.now()
    stuck = Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=stuck_cutoff(now))
    return stuck.update(
        status=Status.QUEUED,
        claimed_at=None,
        dispatched_at=None,
        next_attempt_at=now,
        last_response="the attempt did not finish (worker stopped or timed out)",
    )


def deliveries_undispatched_due() -> list[int]:
    """Due rows with no live delivery task; marks them dispatched (the caller queues tasks)."""
    now = timezone.now()
    lease_over = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stuck_cutoff(now))
    due = due_deliveries(now).filter(lease_over).order_by("next_attempt_at")
    pks = list(due.values_list("pk", flat=True)[: settings.WEBHOOKS_SWEEP_BATCH])
    Delivery.objects.filter(pk__in=pks).update(dispatched_at=now)
    return pks
