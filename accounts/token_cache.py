"""The DRF token cache: a token and its account from the cache, ended the moment either changes.

A hit is one cache round trip (`get_many` of the entry and the token's generation) and no
query. Revoking never deletes an entry: once the change commits, the token's generation is
replaced, and an entry is served only while it carries the current generation. A request that
read the database just before the change committed read the old generation first, so the entry
it writes afterwards is dead on arrival. Every path that ends a token or changes an account
(logout, password change and reset, deactivation, deletion, the token admin, the user admin, a
shell) goes through `Token` deletes or `User` saves, which the receivers below watch.

What signals cannot see (a queryset `.update()` of users, raw SQL) is seen at the latest after
TOKEN_CACHE_SECONDS. The entry holds the account without its password hash and its last login
(both deferred, `CACHED_WITHOUT`): the hash never leaves the database, a request that checks the
current password or reads the last login loads it then, and a save of the cached account never
writes an old value of either back (Django saves only the loaded fields of such an instance).
That is why recording a login (a save of `last_login` alone) leaves the entries in place.
Enabled by TOKEN_CACHE_SECONDS > 0 (settings/accounts.py; on with Redis by default).
"""

import hashlib
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.models import User

logger = logging.getLogger(__name__)

# Outlives any entry; a generation lost to eviction only turns its entries into misses.
GENERATION_SECONDS = 24 * 3600
VERSION = 2  # bump when the cached shape changes: old entries then simply miss
CACHED_WITHOUT = ("password", "last_login")


def token_cache_enabled() -> bool:
    return settings.TOKEN_CACHE_SECONDS > 0


def cache_keys(key: str) -> tuple[str, str]:
    """The entry's and the generation's cache keys; the token itself never appears in them."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"accounts:token:v{VERSION}:{digest}", f"accounts:token-generation:{digest}"


def token_cached(key: str) -> tuple[Token | None, str | None]:
    """The cached token (its user attached) when still current, and the generation under which
    a token read from the database now may be stored (None: do not store)."""
    if not token_cache_enabled():
        return None, None
    entry_key, generation_key = cache_keys(key)
    try:
        found: dict[str, Any] = cache.get_many([entry_key, generation_key])
        generation, entry = found.get(generation_key), found.get(entry_key)
        if generation is not None and entry is not None and entry[0] == generation:
            return entry[1], generation
        if generation is None:
            generation = uuid.uuid4().hex
            if not cache.add(generation_key, generation, GENERATION_SECONDS):
                generation = cache.get(generation_key)  # a revocation or another reader won
        return None, generation
    except Exception:  # an unreachable cache or an unreadable entry: the database answers
        logger.warning("token cache: lookup failed, reading the database", exc_info=True)
        return None, None


def token_store(token: Token, generation: str | None) -> None:
    if generation is None:
        return
    entry_key, _ = cache_keys(token.key)
    try:
        cache.set(entry_key, (generation, token), settings.TOKEN_CACHE_SECONDS)
    except Exception:  # the next request reads the database again
        logger.warning("token cache: store failed", exc_info=True)


def token_revoke(key: str) -> None:
    """End the cached entry of `key` once the current transaction commits (at once outside one)."""
    _, generation_key = cache_keys(key)

    def replace_generation() -> None:
        try:
            cache.set(generation_key, uuid.uuid4().hex, GENERATION_SECONDS)
        except Exception:
            # Nothing else can end the entry now; it expires after TOKEN_CACHE_SECONDS.
            logger.exception("token cache: revocation failed; cached entry lives until expiry")

    transaction.on_commit(replace_generation)


@receiver(post_delete, sender=Token, dispatch_uid="accounts.token_cache.token_deleted")
@receiver(post_delete, sender=TokenProxy, dispatch_uid="accounts.token_cache.proxy_deleted")
def token_deleted(sender, instance: Token, **kwargs) -> None:
    """Logout, credential revocation, account deletion (cascade) and the token admin."""
    if token_cache_enabled():
        token_revoke(instance.key)


@receiver(post_save, sender=User, dispatch_uid="accounts.token_cache.user_saved")
def user_saved(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """Any saved change to an account (password, `is_active`, address, names) ends its entries,
    so no request sees a stale copy of the account; a save of fields the entries do not hold
    (a login recording `last_login`) does not."""
    if created or not token_cache_enabled():
        return
    if update_fields is not None and set(update_fields) <= set(CACHED_WITHOUT):
        return
    for key in Token.objects.filter(user_id=instance.pk).values_list("key", flat=True):
        token_revoke(key)
