"""The audit log: account events written by the services and the authentication signals."""

# Every write goes through `audit_record`. Services call it for what they do; the receivers
# below cover what happens inside the libraries' login flows (Django's, allauth's, the
# admin's, axes'), where the signals are the only hook. The request an event came from is
# found through a context variable that `AuditRequestMiddleware` sets, so services need no
# request parameter just for the log.

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request

from accounts.clients import client_ip, client_user_agent
from accounts.lockout import lockout_username
from accounts.models import AuditEvent

Event = AuditEvent.Event
Outcome = AuditEvent.Outcome

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class AuditRequestMiddleware:
    """Make the request being served known to `audit_record` (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def authenticated_user(request: Any) -> Any:
    """The request's signed-in account, if any; a DRF request passes its user on to Django's.

    A DRF request still authenticating has none yet: asking it would authenticate again, and
    an authenticator that calls Django's `authenticate` (Basic, remote user) would land back
    here through `user_login_failed`, without end."""
    if isinstance(request, Request) and "_user" not in vars(request):
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def route_name(request: Any) -> str:
    """The route as its view name: a link's path would carry its token."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else "")[:100]


def request_origin(request: Any = None) -> dict[str, Any]:
    """Where a request came from (route, client address, user agent), as plain values: work
    queued by a request records its events with them once the request is gone."""
    request = request if request is not None else current_request.get()
    if request is None:
        return {"route": "", "ip_address": None, "user_agent": ""}
    return {
        "route": route_name(request),
        "ip_address": client_ip(request),
        "user_agent": client_user_agent(request),
    }


def audit_record(
    event: str,
    *,
    outcome: str = Outcome.SUCCESS,
    target: str = "",
    actor: Any = None,
    detail: str = "",
    request: Any = None,
    origin: dict[str, Any] | None = None,
) -> AuditEvent:
    """Store one event. `actor` defaults to the signed-in account of the current request;
    `target` is the address acted on (or named, for sign-ups and failed logins); `origin`
    (`request_origin`) stands for a request that has already been answered."""
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        actor = authenticated_user(request)
    return AuditEvent.objects.create(
        event=event,
        outcome=outcome,
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_email=getattr(actor, "email", "") or "",
        target=str(target)[:254],
        detail=detail[:255],
        **(origin if origin is not None else request_origin(request)),
    )


# --- the libraries' login flows ---
@receiver(user_logged_in, dispatch_uid="accounts.audit.logged_in")
def logged_in(sender, request, user, **kwargs) -> None:
    audit_record(Event.LOGIN, target=user.email, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts.audit.login_failed")
def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """`credentials` arrive with the password masked; only the address is kept."""
    refused_by_lock = bool(request is not None and getattr(request, "lockout_refused", False))
    # A current password asked again (accounts.step_up) fails as a login of the account does.
    step_up = bool(request is not None and getattr(request, "step_up", False))
    # A wrong two-factor code (accounts.two_factor.second_factor_attempt) too.
    second_factor = bool(request is not None and getattr(request, "second_factor", False))
    details = [
        "current password" if step_up else "",
        "two-factor code" if second_factor else "",
        "locked" if refused_by_lock else "",
    ]
    audit_record(
        Event.LOGIN,
        outcome=Outcome.FAILURE,
        target=lockout_username(request, credentials) or "",
        detail=", ".join(filter(None, details)),
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="accounts.audit.logged_out")
def logged_out(sender, request, user, **kwargs) -> None:
    audit_record(Event.LOGOUT, target=getattr(user, "email", ""), actor=user, request=request)


@receiver(user_locked_out, dispatch_uid="accounts.audit.locked_out")
def locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    audit_record(Event.LOCKOUT, outcome=Outcome.FAILURE, target=username or "", request=request)
