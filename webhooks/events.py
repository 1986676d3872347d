"""The events other apps receive, and `emit`: the one way an event enters the outbox.

accounts and surveys call `emit` inside the transaction of the change: the delivery rows
commit or roll back with it, so an event is never sent for a change that did not happen and
never lost for one that did. Delivery starts once the transaction has committed.
"""

import json
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from webhooks.endpoint_cache import subscriptions
from webhooks.models import Delivery
from webhooks.tasks import dispatch_delivery

ACCOUNT_CREATED = "account.created"
ACCOUNT_CONFIRMED = "account.confirmed"
ACCOUNT_UPDATED = "account.updated"
ACCOUNT_EMAIL_CHANGED = "account.email_changed"
ACCOUNT_PASSWORD_CHANGED = "account.password_changed"  # noqa: S105  # an event name
ACCOUNT_DELETED = "account.deleted"
ACCOUNT_LINKED = "account.linked"
ACCOUNT_UNLINKED = "account.unlinked"
SESSION_CREATED = "session.created"
SESSION_ENDED = "session.ended"
MFA_ENABLED = "mfa.enabled"
MFA_DISABLED = "mfa.disabled"
SURVEY_PUBLISHED = "survey.published"
SURVEY_RESPONSE_CREATED = "survey.response_created"

# Stable names: receivers subscribe to them (docs/webhooks.md has each payload's schema).
EVENT_TYPES = (
    ACCOUNT_CREATED,
    ACCOUNT_CONFIRMED,
    ACCOUNT_UPDATED,
    ACCOUNT_EMAIL_CHANGED,
    ACCOUNT_PASSWORD_CHANGED,
    ACCOUNT_DELETED,
    ACCOUNT_LINKED,
    ACCOUNT_UNLINKED,
    SESSION_CREATED,
    SESSION_ENDED,
    MFA_ENABLED,
    MFA_DISABLED,
    SURVEY_PUBLISHED,
    SURVEY_RESPONSE_CREATED,
)


def webhook_id_create() -> str:
    return f"msg_{secrets.token_urlsafe(18)}"


def emit(event_type: str, data: dict[str, Any]) -> list[int]:
    """Queue `event_type` with `data` for every enabled endpoint subscribed to it; the ids of
    the deliveries. Call it inside the transaction of the change (see the module docstring).

    `data` must hold no password, token, code or link: it leaves Canvass as it is.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    endpoints = [pk for pk, events in subscriptions() if "*" in events or event_type in events]
    if not endpoints:
        return []
    now = timezone.now()
    payload = json.dumps(
        {"type": event_type, "timestamp": now.isoformat(), "data": data},
        separators=(",", ":"),
        default=str,
    )
    rows = Delivery.objects.bulk_create(
        Delivery(
            endpoint_id=endpoint_id,
            event_type=event_type,
            webhook_id=webhook_id_create(),
            payload=payload,
            created_at=now,
            next_attempt_at=now,
            dispatched_at=now,
        )
        for endpoint_id in endpoints
    )
    pks = [row.pk for row in rows]
    if not all(pks):  # a backend that returns no ids from a bulk insert
        ids = [row.webhook_id for row in rows]
        pks = list(Delivery.objects.filter(webhook_id__in=ids).values_list("pk", flat=True))
    _dispatch_on_commit(pks)
    return pks


class _CommitBatch:
    """The deliveries one transaction emitted, dispatched together once it commits: a
    transaction that emits many events (a bulk change) makes a few delivery tasks, not one each."""

    def __init__(self, pks: list[int]) -> None:
        self.pks = pks
        self.dispatched = False

    def __call__(self) -> None:
        self.dispatched = True
        dispatch_delivery(self.pks)


def _dispatch_on_commit(pks: list[int]) -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # The transaction's batch, if it has one still pending. Rows of a savepoint rolled back
        # after joining it are simply not found by the delivery's claim.
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _CommitBatch) and not callback.dispatched:
                callback.pks.extend(pks)
                return
    transaction.on_commit(_CommitBatch(pks))


def account_data(user: Any) -> dict[str, Any]:
    """What every account event carries: the account's id and address."""
    return {"id": user.pk, "email": user.email}


def account_emit(event_type: str, *, user: Any, **extra: Any) -> list[int]:
    """An account event (account.*, session.*, mfa.*) about `user`, plus `extra` fields."""
    return emit(event_type, {**account_data(user), **extra})


def mfa_emit(*, user: Any, enabled: bool) -> list[int]:
    """`mfa.enabled` / `mfa.disabled`: two-factor authentication turned on or off."""
    return account_emit(MFA_ENABLED if enabled else MFA_DISABLED, user=user)
