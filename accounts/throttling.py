"""Scoped throttles for the account routes (rates: settings THROTTLE_RATES, README)."""

import math
from typing import cast

from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings

from accounts.clients import client_ip
from accounts.counters import counters


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle as a fixed-window counter, reading the rate when a request arrives.

    DRF's own keeps a list of request times that each request reads and writes back: requests
    arriving together read the same list and are all admitted. Here each request is one atomic
    increment (accounts.counters), so at most the rate's number of requests get through in a
    window, however many arrive at once; the window starts with its first request and
    `Retry-After` is the time it has left. Throttled requests count too (they end no sooner).

    DRF binds THROTTLE_RATES at import, so changed settings (tests, a reloaded configuration)
    would otherwise be ignored. A scope without a rate is not throttled. Anonymous requests
    are counted per client address as the lockout counts them (accounts.clients), in the
    counters that outlive a Redis outage.
    """

    expires_in = 0.0

    def get_ident(self, request) -> str:
        return client_ip(request) or ""

    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope or "")

    def allow_request(self, request, view) -> bool:
        return self.allow_scope(
            request, getattr(view, self.scope_attr, None), lambda: self.get_cache_key(request, view)
        )

    def allow_scope(self, request, scope: str | None, key) -> bool:
        self.scope = scope
        if not scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        limit, duration = self.parse_rate(self.rate)
        self.num_requests, self.duration = limit, duration
        cache_key = key()
        if cache_key is None or limit is None or duration is None:
            return True
        counted = counters.increment(cache_key, timeout=duration)
        self.expires_in = counted.expires_in
        return counted.value <= limit

    def wait(self) -> float:
        return max(math.ceil(self.expires_in), 1)


def throttle_by_address(request, scope: str) -> None:
    """Count a request against `scope` under its client address, as the anonymous login routes
    are counted whoever is signed in; raise DRF's 429 (with Retry-After) past the rate."""
    throttle = ScopedRateThrottle()
    ident = client_ip(request) or ""
    if not throttle.allow_scope(
        request, scope, lambda: throttle.cache_format % {"scope": scope, "ident": ident}
    ):
        raise exceptions.Throttled(wait=throttle.wait())


class ActionScopeMixin:
    """Give each action of a viewset its own throttle scope (`throttle_scopes[action]`)."""

    throttle_scopes: dict[str, str] = {}

    def get_throttles(self):
        self.throttle_scope = self.throttle_scopes.get(getattr(self, "action", None) or "", "")
        return super().get_throttles()  # type: ignore[misc]
