"""Without a broker, deliveries queued by a request run once its response has been sent.

The embedded default (no broker) runs the delivery task in-process. Run at commit, inside the
view, it would make the user wait on SMTP — a slow or unreachable server would hold every
sign-up for its timeout. So while a request is being handled, `defer()` collects the calls, and
they run when Django's `request_finished` fires: when the server has written the response and
closes it. The worker is busy a little longer; the client is not. Outside a request (commands,
the shell, Celery itself) nothing is deferred.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

logger = logging.getLogger("emails.outbox")

# The calls deferred by the request being handled; None outside a request.
_deferred: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "emails_after_response", default=None
)


def defer(call: Callable[[], None]) -> bool:
    """Run `call` after the current response; False (not deferred) outside a request."""
    calls = _deferred.get()
    if calls is None:
        return False
    calls.append(call)
    return True


def _run(calls: list[Callable[[], None]] | None) -> None:
    for call in calls or ():
        try:
            call()
        except Exception:  # the sweep or send_queued_emails sends it later
            logger.exception("a delivery deferred past its response failed to start")


@receiver(request_started, dispatch_uid="emails.after_response.started")
def _request_started(**kwargs) -> None:
    # A previous request whose response was never closed left its calls behind: run them now
    # rather than leave their messages to the retry path.
    _run(_deferred.get())
    _deferred.set([])


@receiver(request_finished, dispatch_uid="emails.after_response.finished")
def _request_finished(**kwargs) -> None:
    calls = _deferred.get()
    _deferred.set(None)
    _run(calls)
