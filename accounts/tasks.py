"""Account tasks: the mails a request only queues, and the daily housekeeping (Celery beat)."""

import logging
from functools import partial
from typing import Any, cast

from celery import Task, shared_task
from django.conf import settings
from django.core.management import call_command

from accounts import code_login, services
from emails import after_response

logger = logging.getLogger(__name__)


@shared_task(name="canvass.housekeeping", ignore_result=True)
def housekeeping() -> None:
    """Run every command of HOUSEKEEPING_COMMANDS; one that fails does not stop the others."""
    for command in settings.HOUSEKEEPING_COMMANDS:
        try:
            call_command(command)
        except Exception:
            logger.exception("housekeeping: %s failed", command)


# --- the queued half of reset, resend and sign-in code requests (accounts.services,
# accounts.code_login) ---
@shared_task(name="accounts.password_reset_mail", ignore_result=True)
def password_reset_mail(email: str, origin: dict[str, Any] | None = None) -> None:
    services.password_reset_mail(email=email, origin=origin)


@shared_task(name="accounts.confirmation_resend_mail", ignore_result=True)
def confirmation_resend_mail(
    email: str, confirm_with: str, origin: dict[str, Any] | None = None
) -> None:
    services.confirmation_resend_mail(
        email=email, confirm_with=cast(services.ConfirmWith, confirm_with), origin=origin
    )


@shared_task(name="accounts.login_code_mail", ignore_result=True)
def login_code_mail(email: str, origin: dict[str, Any] | None = None) -> None:
    code_login.login_code_mail(email=email, origin=origin)


def enqueue(task: Task, *args: Any) -> None:
    """Run `task(*args)` away from the answer: once the response of the request being served
    has been sent (emails.after_response), at once outside a request.

    With a broker the task is published then; without one, or when the broker does not take
    it (an outage), it runs in this process. Either way the caller's answer waits on neither
    the broker nor the task, so it takes as long whatever the task will find.
    """
    if not after_response.defer(partial(_publish, task, args)):
        _publish(task, args)


def _publish(task: Task, args: tuple[Any, ...]) -> None:
    if not task.app.conf.task_always_eager:
        try:
            task.delay(*args)
            return
        except Exception:
            logger.exception("%s: the broker did not take it; running it here", task.name)
    task.apply(args=args)
