"""Celery tasks of the outbox: deliver rows, and the periodic sweep that catches up."""

import logging
from collections.abc import Sequence
from functools import partial

from celery import shared_task
from django.conf import settings

from emails import after_response, delivery

logger = logging.getLogger("emails.outbox")


@shared_task(name="emails.deliver_outbound_emails", ignore_result=True)
def deliver_outbound_emails(pks: list[int]) -> None:
    """Deliver each row in turn: claimed, sent and recorded one at a time (see emails.delivery)."""
    for pk in pks:
        delivery.outbound_email_deliver(pk)


@shared_task(name="emails.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    """Release rows stuck in `sending`, then queue every due row that has no live task.

    Run by Celery beat (settings/tasks.py); a lost broker message or a killed worker therefore
    delays a message by at most one lease, and never loses it.
    """
    delivery.outbox_release_stuck()
    dispatch_delivery(delivery.outbox_undispatched_due())


def dispatch_delivery(pks: Sequence[int]) -> None:
    """Queue the delivery of rows, OUTBOX_TASK_BATCH per task; without a broker, run it here,
    after the response when a request queued them (emails.after_response).

    A bulk send (10,000 invitations in one transaction) becomes a few hundred tasks that the
    workers share, instead of 10,000 that each pay the broker's and the task's overhead; a
    single message is a task of one. Never raises: it runs after the caller's commit, and a
    broker that cannot be reached only delays the messages until the sweep dispatches them again.
    """
    in_process = deliver_outbound_emails.app.conf.task_always_eager
    if in_process and after_response.defer(partial(_dispatch, pks)):
        return
    _dispatch(pks)


def _dispatch(pks: Sequence[int]) -> None:
    size = settings.OUTBOX_TASK_BATCH
    for start in range(0, len(pks), size):
        batch = list(pks[start : start + size])
        try:
            deliver_outbound_emails.delay(batch)
        except Exception:
            logger.exception("outbound emails %s: could not queue their delivery", batch)
