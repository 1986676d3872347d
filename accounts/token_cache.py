"""The credential cache: a token session or a JWT session and its account from the cache, ended the
moment any of them changes.

A hit is one cache round trip (`get_many` of the entry and its generations) and no query.
Revoking never deletes an entry: once the change commits, a generation is replaced, and an
entry is served only while every generation it was stored under is still current. A request
reading the database reads the generations first, so if a change commits meanwhile, the entry it
writes afterwards is dead on arrival; a generation lost to eviction only turns entries into
misses.

- A token session's entry (accounts.sessions: the session, its user attached), keyed by the
  digest of its key, lives under the session's generation, replaced when the session ends
  (logout, credential revocation, account deletion by cascade, expiry, the admin) and when its
  account is saved.
- A JWT session's entry (accounts.jwt_sessions: the `sid` claim every token of a login carries)
  holds the account and the digest of its password hash that simplejwt's CHECK_REVOKE_TOKEN
  compares with the token's claim, so a token minted before a password change is refused on a
  hit too. It lives under the account's generation, replaced when the account is saved or
  deleted, and under the session's, replaced when a logout ends the session. Tokens without a
  session id skip the cache.

Every path that ends a credential or changes an account (logout, password change and reset,
deactivation, deletion, the admin, a shell) goes through `TokenSession` deletes, `User` saves and
deletes, or `jwt_session_revoke`, which the receivers and services below call. What signals
cannot see (a queryset `.update()` of users, raw SQL) is seen at the latest after
TOKEN_CACHE_SECONDS. Entries hold the account without its password hash and its last login (both
deferred, `CACHED_WITHOUT`): the hash never leaves the database, a request that checks the
current password or reads the last login loads it then, and a save of the cached account never
writes an old value of either back (Django saves only the loaded fields of such an instance).
That is why recording a login (a save of `last_login` alone) leaves the entries in place.
Any cache error sends the request to the database. Enabled by TOKEN_CACHE_SECONDS > 0
(settings/accounts.py; on with Redis by default).
"""

import copy
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import EndedJwtSession, TokenSession, User

logger = logging.getLogger(__name__)

# Outlives any entry; a generation lost to eviction only turns its entries into misses.
GENERATION_SECONDS = 24 * 3600
VERSION = 4  # bump when the cached shape changes: old entries then simply miss
CACHED_WITHOUT = ("password", "last_login")
# Per-request annotations of the JWT user query (accounts.authentication), never cached.
NOT_CACHED = ("jwt_session_ended",)

Generations = tuple[str, ...]


def token_cache_enabled() -> bool:
    return settings.TOKEN_CACHE_SECONDS > 0


def _digest(value: str) -> str:
    """Credentials and session ids never appear in cache keys, only their digests."""
    return hashlib.sha256(value.encode()).hexdigest()


# --- entries valid while the generations they were stored under are current ---


def cached(entry_key: str, generation_keys: Sequence[str]) -> tuple[Any, Generations | None]:
    """One round trip: the cached value when every generation it was stored under is still
    current, and the generations under which a value read from the database now may be stored
    (None: do not store)."""
    if not token_cache_enabled():
        return None, None
    try:
        found: dict[str, Any] = cache.get_many([entry_key, *generation_keys])
        current: list[Any] = [found.get(key) for key in generation_keys]
        entry = found.get(entry_key)
        if entry is not None and None not in current and entry[0] == tuple(current):
            return entry[1], tuple(current)
        generations = [
            generation if generation is not None else _generation_start(key)
            for key, generation in zip(generation_keys, current, strict=True)
        ]
        if any(generation is None for generation in generations):
            return None, None
        return None, tuple(str(generation) for generation in generations)
    except Exception:  # an unreachable cache or an unreadable entry: the database answers
        logger.warning("token cache: lookup failed, reading the database", exc_info=True)
        return None, None


def _generation_start(generation_key: str) -> str | None:
    generation = uuid.uuid4().hex
    if cache.add(generation_key, generation, GENERATION_SECONDS):
        return generation
    return cache.get(generation_key)  # a revocation or another reader won


def store(entry_key: str, value: Any, generations: Generations | None) -> None:
    if generations is None:
        return
    try:
        cache.set(entry_key, (generations, value), settings.TOKEN_CACHE_SECONDS)
    except Exception:  # the next request reads the database again
        logger.warning("token cache: store failed", exc_info=True)


def generation_replace(generation_key: str) -> None:
    """End the entries stored under a generation once the current transaction commits (at once
    outside one)."""

    def replace() -> None:
        try:
            _write_generation(generation_key)
        except Exception:
            logger.exception("token cache: revocation failed; retrying until the cache answers")
            pending_revocations.add(generation_key)

    transaction.on_commit(replace)


def _write_generation(generation_key: str) -> None:
    cache.set(generation_key, uuid.uuid4().hex, GENERATION_SECONDS)


class PendingRevocations:
    """Generations a revocation could not replace because the cache did not answer.

    Readers fall back to the database while the cache is unreachable, but once it answers again
    the entries a missed revocation should have ended would be served. So the process that
    missed it keeps replacing the generation, from a daemon thread every RETRY_SECONDS, until
    the cache takes it, or until TOKEN_CACHE_SECONDS have passed and every entry stored before
    the revocation has expired anyway. Only a process that dies before the cache is back leaves
    that bound as the window.
    """

    RETRY_SECONDS = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deadlines: dict[str, float] = {}
        self.thread: threading.Thread | None = None

    def add(self, generation_key: str) -> None:
        with self.lock:
            deadline = time.monotonic() + settings.TOKEN_CACHE_SECONDS
            self.deadlines.setdefault(generation_key, deadline)
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._run, name="token-cache-revocations", daemon=True
                )
                self.thread.start()

    def retry(self) -> int:
        """One pass over the pending revocations; how many are still pending."""
        with self.lock:
            pending = list(self.deadlines.items())
        for generation_key, deadline in pending:
            if time.monotonic() < deadline:
                try:
                    _write_generation(generation_key)
                except Exception:
                    logger.debug("token cache: still unreachable", exc_info=True)
                    continue
                logger.warning("token cache: a missed revocation reached the cache")
            with self.lock:
                self.deadlines.pop(generation_key, None)
        with self.lock:
            return len(self.deadlines)

    def _run(self) -> None:
        while True:
            time.sleep(self.RETRY_SECONDS)
            if self.retry() == 0:
                with self.lock:
                    if not self.deadlines:  # an add() in between keeps this thread going
                        self.thread = None
                        return


pending_revocations = PendingRevocations()


# --- token sessions ---


def cache_keys(key_digest: str) -> tuple[str, str]:
    """The token session entry's and its generation's cache keys (by the key's digest)."""
    return (
        f"accounts:token:v{VERSION}:{key_digest}",
        f"accounts:token-generation:{key_digest}",
    )


def token_cached(key_digest: str) -> tuple[TokenSession | None, Generations | None]:
    """The cached token session (its user attached) when still current, and the generations
    under which one read from the database now may be stored (None: do not store)."""
    entry_key, generation_key = cache_keys(key_digest)
    return cached(entry_key, [generation_key])


def token_store(session: TokenSession, generations: Generations | None) -> None:
    store(cache_keys(session.key_digest)[0], session, generations)


def token_revoke(key_digest: str) -> None:
    generation_replace(cache_keys(key_digest)[1])


# --- JWT sessions ---


def account_generation_key(user_id: object) -> str:
    return f"accounts:account-generation:{user_id}"


def jwt_session_generation_key(sid: str) -> str:
    return f"accounts:jwt-session-generation:{_digest(sid)}"


def jwt_cache_keys(sid: str, user_id: object) -> tuple[str, str, str]:
    """The session entry's, its account generation's and its session generation's keys."""
    return (
        f"accounts:jwt-session:v{VERSION}:{_digest(sid)}",
        account_generation_key(user_id),
        jwt_session_generation_key(sid),
    )


def jwt_cached(
    sid: str | None, user_id: object
) -> tuple[tuple[User, str] | None, Generations | None]:
    """The cached (account, password-hash digest) of a JWT session, when still current and of
    that account, and the generations under which one read from the database now may be
    stored. A token without a session id skips the cache."""
    if sid is None or not isinstance(user_id, int | str):
        return None, None
    entry_key, *generation_keys = jwt_cache_keys(sid, user_id)
    entry, generations = cached(entry_key, generation_keys)
    if entry is not None and str(entry[0].pk) != str(user_id):
        return None, None  # never another account's entry
    return entry, generations


def jwt_store(sid: str | None, user: User, generations: Generations | None) -> str:
    """Store the session's account (a copy without `CACHED_WITHOUT`) and the digest of its
    password hash, which is returned (simplejwt's CHECK_REVOKE_TOKEN value)."""
    digest = get_md5_hash_password(user.password)
    if sid is not None and generations is not None:
        kept = copy.copy(user)
        for name in (*CACHED_WITHOUT, *NOT_CACHED):
            kept.__dict__.pop(name, None)  # deferred: loaded again on demand
        store(jwt_cache_keys(sid, user.pk)[0], (kept, digest), generations)
    return digest


def jwt_session_revoke(sid: str | None) -> None:
    """A logout ended the session (accounts.services.jwt_session_end)."""
    if sid is not None and token_cache_enabled():
        generation_replace(jwt_session_generation_key(sid))


# --- revocations ---


@receiver(post_delete, sender=TokenSession, dispatch_uid="accounts.token_cache.token_deleted")
def token_deleted(sender, instance: TokenSession, **kwargs) -> None:
    """A session ended: logout, credential revocation, account deletion (cascade), expiry, the
    admin."""
    if token_cache_enabled():
        token_revoke(instance.key_digest)


@receiver(post_save, sender=User, dispatch_uid="accounts.token_cache.user_saved")
def user_saved(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """Any saved change to an account (password, `is_active`, address, names) ends its entries,
    so no request sees a stale copy of the account; a save of fields the entries do not hold
    (a login recording `last_login`) does not. A JWT session entry holds the password hash's
    digest, so a save of the password alone ends those."""
    if created or not token_cache_enabled():
        return
    saved = None if update_fields is None else set(update_fields)
    if saved is None or not saved <= {"last_login"}:
        generation_replace(account_generation_key(instance.pk))
    if saved is not None and saved <= set(CACHED_WITHOUT):
        return
    sessions = TokenSession.objects.filter(user_id=instance.pk)
    for key_digest in sessions.values_list("key_digest", flat=True):
        token_revoke(key_digest)


@receiver(post_delete, sender=User, dispatch_uid="accounts.token_cache.user_deleted")
def user_deleted(sender, instance: User, **kwargs) -> None:
    """Its tokens go by cascade (`token_deleted`); its JWT sessions' entries end here."""
    if token_cache_enabled():
        generation_replace(account_generation_key(instance.pk))


@receiver(post_save, sender=EndedJwtSession, dispatch_uid="accounts.token_cache.session_ended")
def jwt_session_saved(sender, instance: EndedJwtSession, **kwargs) -> None:
    """An ended session saved one by one (a shell); the logout's bulk insert calls
    `jwt_session_revoke` itself."""
    jwt_session_revoke(instance.sid)
