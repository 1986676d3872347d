"""Throttle and lockout counters: in the shared cache, in the database one while it is down."""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What an unreachable Redis raises (django-redis wraps most of it in ConnectionInterrupted).
UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError)


class CounterCache:
    """Each call goes to the default cache; while that cannot be reached, to the database cache.

    Throttles and the failed-login lockout must keep counting when Redis is down. Failing open
    (django-redis's IGNORE_EXCEPTIONS) would switch brute-force protection off exactly when
    nobody watches; failing closed would turn a cache outage into a login outage. The database
    cache is shared by every worker process too, so the limits still hold — counted afresh
    during the outage. After a failure the default cache is tried again once
    `COUNTER_CACHE_RETRY_SECONDS` have passed, so a dead Redis costs one connection attempt
    per interval and process, not one per request. When the default cache is the database
    cache itself (no `REDIS_URL`) there is nothing to fall back to and errors propagate.

    Only counters come here: a fallback cache would hold no revocations, so the token cache keeps
    its own handling (accounts.token_cache: read the database while the cache fails, retry a
    revocation the cache did not take).
    """

    def __init__(
        self,
        primary: str = "default",
        fallback: str = "database",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary, self.fallback, self.clock = primary, fallback, clock
        self.primary_down_until = 0.0

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.clock() >= self.primary_down_until:
                try:
                    return getattr(caches[self.primary], name)(*args, **kwargs)
                except UNREACHABLE:
                    logger.warning(
                        "counter cache %r unreachable; counting in %r",
                        self.primary,
                        self.fallback,
                        exc_info=True,
                    )
                    retry = settings.COUNTER_CACHE_RETRY_SECONDS
                    self.primary_down_until = self.clock() + retry
            return getattr(caches[self.fallback], name)(*args, **kwargs)

        return call


counters = CounterCache()


@receiver(setting_changed, dispatch_uid="accounts.counters.caches_changed")
def caches_changed(setting: str, **kwargs: Any) -> None:
    """A new cache configuration (tests, a reloaded process) deserves a fresh try."""
    if setting == "CACHES":
        counters.primary_down_until = 0.0
