"""Scoped throttles for the account routes (rates: settings THROTTLE_RATES, README)."""

from typing import cast

from django.core.cache.backends.base import BaseCache
from rest_framework import throttling
from rest_framework.settings import api_settings

from accounts.clients import client_ip
from accounts.counters import counters


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, reading the rate when a request arrives.

    DRF binds THROTTLE_RATES at import, so changed settings (tests, a reloaded configuration)
    would otherwise be ignored. A scope without a rate is not throttled. Anonymous requests
    are counted per client address as the lockout counts them (accounts.clients), in the
    counter cache that outlives a Redis outage (accounts.counters).
    """

    cache = cast(BaseCache, counters)  # BaseCache's interface, by delegation

    def get_ident(self, request) -> str:
        return client_ip(request) or ""

    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope or "")


class ActionScopeMixin:
    """Give each action of a viewset its own throttle scope (`throttle_scopes[action]`)."""

    throttle_scopes: dict[str, str] = {}

    def get_throttles(self):
        self.throttle_scope = self.throttle_scopes.get(getattr(self, "action", None) or "", "")
        return super().get_throttles()  # type: ignore[misc]
