"""Celery tasks of webhook delivery, and the periodic sweep that catches up (as emails.tasks)."""

import logging
from collections.abc import Sequence
from functools import partial

from celery import shared_task
from django.conf import settings

from emails import after_response
from webhooks import delivery

logger = logging.getLogger("webhooks")


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver_webhooks(pks: list[int]) -> None:
    """Attempt each row in turn (webhooks.delivery: claimed, sent and recorded one at a time)."""
    for pk in pks:
        delivery.delivery_send(pk)


@shared_task(name="webhooks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> None:
    """Release rows stuck in `sending`, then queue every due row without a live task (beat,
    settings/tasks.py): retries happen here, and a lost broker message only delays a row."""
    delivery.deliveries_release_stuck()
    dispatch_delivery(delivery.deliveries_undispatched_due())


def dispatch_delivery(pks: Sequence[int]) -> None:
    """Queue the delivery of rows, WEBHOOKS_TASK_BATCH per task; without a broker, run it in
    this process after the response (emails.after_response), or now outside a request.
    Never raises: it runs after the caller's commit; the sweep retries what it could not queue."""
    if not pks:
        return
    in_process = deliver_webhooks.app.conf.task_always_eager
    if in_process and after_response.defer(partial(_dispatch, pks)):
        return
    _dispatch(pks)


def _dispatch(pks: Sequence[int]) -> None:
    size = settings.WEBHOOKS_TASK_BATCH
    for start in range(0, len(pks), size):
        batch = list(pks[start : start + size])
        try:
            deliver_webhooks.delay(batch)
        except Exception:
            logger.exception("webhook deliveries %s: could not queue them", batch)
