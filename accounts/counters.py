"""Throttle and lockout counters: atomic increments in Redis, or in the database without it."""

import itertools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Protocol, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import F
from django.dispatch import receiver
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accounts.models import Counter

logger = logging.getLogger(__name__)

# What an unreachable Redis raises (django-redis wraps most of it in ConnectionInterrupted).
UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError)
# An increment that may move the end of a counter without a limit.
UNLIMITED = 2**62
# Every this many increments a process removes the database's expired counters.
PURGE_EVERY = 1000

T = TypeVar("T")


class Counted(NamedTuple):
    value: int
    expires_in: float  # seconds until the counter ends


class CounterStore(Protocol):
    def increment(self, key: str, *, timeout: int, renew_below: int, amount: int) -> Counted: ...
    def release(self, key: str, amount: int) -> None: ...
    def get_many(self, keys: Iterable[str]) -> dict[str, int]: ...
    def delete_many(self, keys: Iterable[str]) -> None: ...


class DatabaseCounters:
    """Counters in `accounts.Counter`, each change one statement (an upsert with RETURNING:
    SQLite ≥ 3.35, PostgreSQL): two workers counting the same key never read the same value.

    Django's database cache cannot do this: its `incr` reads, adds and writes back, so
    concurrent requests lose counts (16 admitted against a limit of 10)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.increments = itertools.count(1)

    @staticmethod
    def table() -> str:
        return connection.ops.quote_name(Counter._meta.db_table)

    def increment(self, key: str, *, timeout: int, renew_below: int, amount: int) -> Counted:
        now = self.clock()
        table, expires = self.table(), now + timeout
        # SET's right-hand sides read the row as it was: an expired counter starts again.
        statement = (
            f'INSERT INTO {table} ("key", "value", "expires_at") VALUES (%s, %s, %s) '  # noqa: S608  # nosec B608  # the model's table name; values are placeholders
            f'ON CONFLICT ("key") DO UPDATE SET '
            f'"value" = CASE WHEN {table}."expires_at" <= %s THEN %s '
            f'ELSE {table}."value" + %s END, '
            f'"expires_at" = CASE WHEN {table}."expires_at" <= %s THEN %s '
            f'WHEN {table}."value" + %s <= %s THEN %s ELSE {table}."expires_at" END '
            f'RETURNING "value", "expires_at"'
        )
        parameters: list[str | int | float] = [key, amount, expires, now, amount, amount, now]
        parameters += [expires, amount, renew_below, expires]
        with connection.cursor() as cursor:
            cursor.execute(statement, parameters)
            value, expires_at = cursor.fetchone()
        if next(self.increments) % PURGE_EVERY == 0:
            Counter.objects.filter(expires_at__lte=now).delete()
        return Counted(int(value), max(float(expires_at) - now, 0.0))

    def release(self, key: str, amount: int) -> None:
        Counter.objects.filter(key=key, value__gte=amount, expires_at__gt=self.clock()).update(
            value=F("value") - amount
        )

    def get_many(self, keys: Iterable[str]) -> dict[str, int]:
        alive = Counter.objects.filter(key__in=list(keys), expires_at__gt=self.clock())
        return dict(alive.values_list("key", "value"))

    def delete_many(self, keys: Iterable[str]) -> None:
        Counter.objects.filter(key__in=list(keys)).delete()


# Atomic on the server: INCR, then the expiry (a new key's, or a renewed one's), then its TTL.
REDIS_INCREMENT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 or value <= tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {value, ttl}
"""
# Only a live key is decremented: DECR on an expired one would create a counter without end.
REDIS_RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0
"""


class RedisCounters:
    """Counters in a django-redis cache: INCR and its expiry in one Lua script."""

    def __init__(self, alias: str) -> None:
        self.cache = caches[alias]

    def script(self, source: str, key: str, *args: int) -> Any:
        client = self.cache.client.get_client(write=True)  # type: ignore[attr-defined]
        return client.eval(source, 1, self.cache.make_key(key), *args)

    def increment(self, key: str, *, timeout: int, renew_below: int, amount: int) -> Counted:
        # The script compares the new value: renewing below the limit is "new value <= limit".
        value, ttl = self.script(REDIS_INCREMENT, key, timeout * 1000, renew_below, amount)
        return Counted(int(value), int(ttl) / 1000)

    def release(self, key: str, amount: int) -> None:
        self.script(REDIS_RELEASE, key, amount)

    def get_many(self, keys: Iterable[str]) -> dict[str, int]:
        return {key: int(value) for key, value in self.cache.get_many(list(keys)).items()}

    def delete_many(self, keys: Iterable[str]) -> None:
        self.cache.delete_many(list(keys))


class CounterCache:
    """Each call goes to Redis when the default cache is Redis; while that cannot be reached,
    and always without Redis, to the database (`DatabaseCounters`).

    Throttles and the failed-login lockout must keep counting when Redis is down. Failing open
    (django-redis's IGNORE_EXCEPTIONS) would switch brute-force protection off exactly when
    nobody watches; failing closed would turn a cache outage into a login outage. The database
    is shared by every worker process too, so the limits still hold — counted afresh during
    the outage. After a failure Redis is tried again once `COUNTER_CACHE_RETRY_SECONDS` have
    passed, so a dead Redis costs one connection attempt per interval and process, not one per
    request. Without Redis there is nothing to fall back to and errors propagate.

    Every change is atomic in either store, so concurrent requests never admit more than a
    limit. Only counters come here: a fallback would hold no revocations, so the token cache
    keeps its own handling (accounts.token_cache).
    """

    def __init__(
        self,
        primary: str = "default",
        fallback: CounterStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary, self.clock = primary, clock
        self.fallback: CounterStore = fallback or DatabaseCounters()
        self.primary_down_until = 0.0

    def primary_store(self) -> CounterStore | None:
        """Redis, when the primary cache is Redis; otherwise the database is the store."""
        cache = caches[self.primary]
        return RedisCounters(self.primary) if isinstance(cache, RedisCache) else None

    def call(self, operation: Callable[[CounterStore], T]) -> T:
        primary = self.primary_store()
        if primary is not None and self.clock() >= self.primary_down_until:
            try:
                return operation(primary)
            except UNREACHABLE:
                logger.warning(
                    "counter cache %r unreachable; counting in the database",
                    self.primary,
                    exc_info=True,
                )
                self.primary_down_until = self.clock() + settings.COUNTER_CACHE_RETRY_SECONDS
        return operation(self.fallback)

    def increment(
        self,
        key: str,
        *,
        timeout: int,
        extend: bool = False,
        limit: int | None = None,
        amount: int = 1,
    ) -> Counted:
        """Add `amount` to `key`; answer its new value and the seconds it has left.

        A counter that is absent or expired starts at `amount` and ends `timeout` seconds
        later. With `extend`, an increment whose new value stays within `limit` (any, without
        one) moves the end to `timeout` seconds from now; one past the limit leaves it as it was.
        """
        renew_below = (UNLIMITED if limit is None else limit) if extend else 0
        return self.call(
            lambda store: store.increment(
                key, timeout=timeout, renew_below=renew_below, amount=amount
            )
        )

    def release(self, key: str, amount: int = 1) -> None:
        """Take back an increment, if the counter still lives (its end stays)."""
        self.call(lambda store: store.release(key, amount))

    def get_many(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(keys)
        return self.call(lambda store: store.get_many(keys)) if keys else {}

    def delete_many(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if keys:
            self.call(lambda store: store.delete_many(keys))

    def get(self, key: str) -> int | None:
        return self.get_many([key]).get(key)

    def delete(self, key: str) -> None:
        self.delete_many([key])


counters = CounterCache()


@receiver(setting_changed, dispatch_uid="accounts.counters.caches_changed")
def caches_changed(setting: str, **kwargs: Any) -> None:
    """A new cache configuration (tests, a reloaded process) deserves a fresh try."""
    if setting == "CACHES":
        counters.primary_down_until = 0.0
