"""django-axes hooks: failed logins counted per account and per client IP; the lockout answer."""

import hashlib
import math
from typing import Any

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.helpers import get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.core import checks
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.addresses import email_key
from accounts.counters import counters
from api.prefixes import is_api_path

# ASVS 5.0 6.3.1 / NIST SP 800-63B 5.2.2: at most 100 failed attempts per hour per account.
MAX_FAILURES_PER_HOUR = 100


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a login attempt names, whatever the route's field name or letter case.

    djoser, simplejwt, dj-rest-auth and allauth pass `email`; DRF's obtain-token view and the
    admin pass `username`. The canonical address (accounts.addresses) makes every spelling
    that reaches one account (`Ann@x.org`, `ann@X.ORG`) one counter.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or ""
    return email_key(str(value)) or None


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def counter_key(kind: str, value: str) -> str:
    """A counter's cache key; the address or account appears only as a digest."""
    return f"lockout:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


class LockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    """axes' handler: one failure counter per account and one per client IP, each with its
    own limit, in the shared counter cache (accounts.counters).

    axes' own cache handler compares every counter with one limit: a per-IP limit low enough
    to protect one account would lock out everyone behind a shared address (an office NAT).
    Its successful login also resets the client IP's counter, which an attacker with an
    account of their own could use to keep guessing other accounts' passwords; here a
    success resets only the account's counter.

    A counter lives `AXES_COOLOFF_TIME` after the last failure it counted; reaching its limit
    locks at once (that attempt already gets the lockout answer), and attempts refused while
    locked are neither counted nor extend the lock — no password was tried — so the lock ends
    by itself `AXES_COOLOFF_TIME` after the failure that set it.

    A password login is counted before its password is checked (`attempt_reserve`, called by
    accounts.backends.AccountBackend): reading the counters, checking the password and then
    counting would let every guess that arrives while the others are being checked through.
    A failure's count is its reservation; `user_login_failed` counts only failures that had
    none (an attempt without a password).
    """

    def counters(self, request, credentials: dict | None) -> list[tuple[str, int]]:
        username = get_client_username(request, credentials)
        ip_address = getattr(request, "axes_ip_address", None)
        found = []
        if username:
            found.append((counter_key("account", username), settings.AXES_FAILURE_LIMIT))
        if ip_address:
            found.append((counter_key("ip", ip_address), settings.LOCKOUT_IP_FAILURE_LIMIT))
        return found

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        found = self.counters(request, credentials)
        counts = counters.get_many([key for key, _limit in found])
        return any(counts.get(key, 0) >= limit for key, limit in found)

    def get_failures(self, request, credentials: dict | None = None) -> int:
        counts = counters.get_many([key for key, _limit in self.counters(request, credentials)])
        return max(counts.values(), default=0)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is None:
            return  # authenticate() without a request is refused by axes' backend anyway
        request.axes_credentials = credentials
        if request.axes_locked_out:
            request.lockout_refused = True  # refused by the lock before any password check
            return
        reserved = attempt_reservation(request)
        if reserved is None:  # no password was checked: nothing was reserved
            reserved = [
                (key, count_failure(key), limit)
                for key, limit in self.counters(request, credentials)
            ]
        if any(count >= limit for _key, count, limit in reserved):
            request.axes_locked_out = True
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        if settings.AXES_RESET_ON_SUCCESS:
            lockout_lift(email=user.get_username())

    def user_logged_out(self, sender, request, user, **kwargs) -> None:
        pass

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        """axes' reset commands (`axes_reset_ip`, `axes_reset_username`)."""
        keys = []
        if username:
            keys.append(counter_key("account", email_key(username)))
        if ip_address:
            keys.append(counter_key("ip", ip_address))
        counters.delete_many(keys)
        return len(keys)


def count_failure(key: str) -> int:
    return counters.increment(key, timeout=cooloff_seconds(), extend=True).value


def attempt_reserve(request: HttpRequest, credentials: dict[str, Any]) -> bool:
    """Count a login attempt before its password is checked; False: locked, do not check it.

    Each counter is incremented atomically (accounts.counters), so with N attempts left at most
    N concurrent attempts pass, however many arrive at once. One that finds a counter past its
    limit is refused unchecked, and takes back what it reserved. A refused attempt does not
    move the lock's end; its account counter may have been renewed when only the address was
    locked.
    """
    reserved: list[tuple[str, int, int]] = []
    for key, limit in LockoutHandler().counters(request, credentials):
        counted = counters.increment(key, timeout=cooloff_seconds(), extend=True, limit=limit)
        reserved.append((key, counted.value, limit))
        if counted.value > limit:
            for held, _count, _limit in reserved:
                counters.release(held)
            return False
    request.lockout_reserved = reserved  # type: ignore[attr-defined]
    return True


def attempt_reservation(request: Any) -> list[tuple[str, int, int]] | None:
    """Take the reservation of the attempt under way: (key, count, limit) per counter."""
    reserved = getattr(request, "lockout_reserved", None)
    if reserved is not None:
        del request.lockout_reserved
    return reserved


def attempt_release(request: Any) -> None:
    """The password was right: the attempt is no failure, its reservation is taken back. (A
    login's success then resets the account's counter, `user_logged_in`.)"""
    for key, _count, _limit in attempt_reservation(request) or []:
        counters.release(key)


def lockout_lift(*, email: str) -> None:
    """Forget the account's failed logins: its owner proved control of it (a successful login,
    a completed password reset). The client IP's counter stays."""
    counters.delete(counter_key("account", email_key(email)))


def account_locked(*, email: str) -> bool:
    """Whether failed logins lock the account now: a login that needs no password (an
    identity provider's) is refused too, as a password login would be."""
    key = counter_key("account", email_key(email))
    return counters.get_many([key]).get(key, 0) >= settings.AXES_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with Retry-After: JSON under the API prefixes, a small page elsewhere."""
    message = _("Too many failed login attempts. Try again later.")
    response: HttpResponse
    if is_api_path(request.path):
        response = JsonResponse({"detail": message}, status=429)
    else:
        context = {"title": _("Too many attempts"), "message": message, "failed": True}
        response = render(request, "accounts/result.html", context, status=429)
    response["Retry-After"] = str(cooloff_seconds())
    return response


def failures_per_hour_bound() -> int:
    """The most password guesses an hour lets through against one account.

    Between two runs of at most `AXES_FAILURE_LIMIT` counted failures lies at least one
    cool-off (the lock, or the counter's expiry), so an hour holds at most
    `floor(3600 / cool-off) + 1` runs.
    """
    return settings.AXES_FAILURE_LIMIT * (math.floor(3600 / max(cooloff_seconds(), 1)) + 1)


@checks.register(checks.Tags.security, deploy=True)
def lockout_bound_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A configuration that lets more than 100 guesses an hour through fails `check --deploy`."""
    if not settings.AXES_ENABLED:
        return [checks.Warning("AXES_ENABLED=0: failed logins are unlimited.", id="accounts.W001")]
    bound = failures_per_hour_bound()
    if bound > MAX_FAILURES_PER_HOUR:
        return [
            checks.Warning(
                f"The lockout lets up to {bound} failed logins an hour through per account "
                f"(more than {MAX_FAILURES_PER_HOUR}).",
                hint="Lower AXES_FAILURE_LIMIT or raise AXES_COOLOFF_MINUTES.",
                id="accounts.W002",
            )
        ]
    return []
