"""The enabled endpoints' subscriptions, read by every `emit`, from the shared cache.

The entry (every enabled endpoint's id and events) is served only while the generation it was
stored under is current. Every write that can change it (an `Endpoint` save or delete, the
admin and `manage.py webhook_endpoint` included, and the queryset update that disables a
failing endpoint, which calls `endpoints_changed` itself) replaces the generation once its
transaction commits, so another process's next `emit` reads the database. A reader reads the
generation before the database, so an entry it stores after a change committed meanwhile is
dead on arrival. Inside a transaction that changed an endpoint and has not committed yet, `emit`
reads the database (it must see its own change, and nobody else may). A cache miss or error
reads the database. What signals cannot see (raw SQL) is seen after
WEBHOOKS_ENDPOINT_CACHE_SECONDS. On with Redis (settings/webhooks.py); without a shared cache
that answers without a query, every `emit` reads the database.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from webhooks.models import Endpoint

logger = logging.getLogger(__name__)

VERSION = 1  # bump when the cached shape changes: old entries then simply miss
ENTRY_KEY = f"webhooks:endpoints:v{VERSION}"
GENERATION_KEY = "webhooks:endpoints-generation"
GENERATION_SECONDS = 24 * 3600  # outlives the entry; an evicted generation only means a miss

Subscriptions = list[tuple[int, list[str]]]


def endpoint_cache_enabled() -> bool:
    return settings.WEBHOOKS_ENDPOINT_CACHE_SECONDS > 0


def subscriptions() -> Subscriptions:
    """(id, events) of every enabled endpoint: one cache round trip on a hit, no query."""
    if not endpoint_cache_enabled() or _changed_in_this_transaction():
        return _read()
    try:
        found = cache.get_many([ENTRY_KEY, GENERATION_KEY])
        generation = found.get(GENERATION_KEY)
        entry = found.get(ENTRY_KEY)
        if entry is not None and generation is not None and entry[0] == generation:
            return entry[1]
        if generation is None:
            generation = _generation_start()
    except Exception:  # an unreachable cache or an unreadable entry: the database answers
        logger.warning("webhook endpoint cache: lookup failed, reading the database", exc_info=True)
        return _read()
    rows = _read()
    if generation is not None:
        try:
            cache.set(ENTRY_KEY, (generation, rows), settings.WEBHOOKS_ENDPOINT_CACHE_SECONDS)
        except Exception:  # the next emit reads the database again
            logger.warning("webhook endpoint cache: store failed", exc_info=True)
    return rows


def _read() -> Subscriptions:
    return [
        (pk, list(events))
        for pk, events in Endpoint.objects.filter(enabled=True).values_list("pk", "events")
    ]


def _generation_start() -> str | None:
    generation = uuid.uuid4().hex
    if cache.add(GENERATION_KEY, generation, GENERATION_SECONDS):
        return generation
    return cache.get(GENERATION_KEY)  # a change or another reader won


class _EndpointsChanged:
    """Pending while the transaction that changed an endpoint has not committed; replaces the
    generation once it has (a rollback drops it, and with it the change)."""

    def __call__(self) -> None:
        try:
            cache.set(GENERATION_KEY, uuid.uuid4().hex, GENERATION_SECONDS)
        except Exception:  # readers answer from the database while the cache is unreachable
            logger.exception(
                "webhook endpoint cache: invalidation failed; a stale entry may be served for "
                "up to WEBHOOKS_ENDPOINT_CACHE_SECONDS once the cache answers again"
            )


def _changed_in_this_transaction() -> bool:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(isinstance(call, _EndpointsChanged) for _s, call, _r in connection.run_on_commit)


def endpoints_changed() -> None:
    """An endpoint was written: the entry ends once the current transaction commits (at once
    outside one)."""
    if endpoint_cache_enabled() and not _changed_in_this_transaction():
        transaction.on_commit(_EndpointsChanged())


@receiver(post_save, sender=Endpoint, dispatch_uid="webhooks.endpoint_cache.saved")
@receiver(post_delete, sender=Endpoint, dispatch_uid="webhooks.endpoint_cache.deleted")
def endpoint_written(sender, **kwargs) -> None:
    """Any save or delete (services, the admin, its bulk delete, a shell)."""
    endpoints_changed()
