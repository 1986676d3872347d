"""Celery tasks of the outbox: deliver one row, and the periodic sweep that catches up."""

import logging

from celery import shared_task

from emails import delivery

logger = logging.getLogger("emails.outbox")


@shared_task(name="emails.deliver_outbound_email", ignore_result=True)
def deliver_outbound_email(pk: int) -> None:
    delivery.outbound_email_deliver(pk)


@shared_task(name="emails.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    """Release rows stuck in `sending`, then queue every due row that has no live task.

    Run by Celery beat (settings/tasks.py); a lost broker message or a killed worker therefore
    delays a message by at most one lease, and never loses it.
    """
    delivery.outbox_release_stuck()
    for pk in delivery.outbox_undispatched_due():
        dispatch_delivery(pk)


def dispatch_delivery(pk: int) -> None:
    """Queue the delivery of one row; without a broker it runs here and now.

    Never raises: it runs after the caller's commit, and a broker that cannot be reached only
    delays the message until the sweep dispatches it again.
    """
    try:
        deliver_outbound_email.delay(pk)
    except Exception:
        logger.exception("outbound email %s: could not queue its delivery", pk)
