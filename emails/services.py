"""The one door for Canvass's own mail: render a template and hand it to EMAIL_BACKEND."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from emails.rendering import render_email


def email_send(
    *, to: str | Sequence[str], template: str, context: dict[str, Any] | None = None
) -> None:
    """Queue `emails/<template>/` for `to` through the configured EMAIL_BACKEND.

    Call it inside the transaction of the change that caused the message: the backend stores
    the message with that transaction, so a rollback sends nothing.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    rendered = render_email(template, context)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()
