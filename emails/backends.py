"""The project's EMAIL_BACKEND: it stores messages in the outbox instead of talking to SMTP."""

import logging
from collections.abc import Sequence
from email.utils import make_msgid, parseaddr
from functools import partial

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import router, transaction
from django.utils import timezone

from emails.models import OutboundEmail
from emails.tasks import dispatch_delivery

logger = logging.getLogger("emails.outbox")


def outbound_email_from_message(message: EmailMessage) -> OutboundEmail:
    """An unsaved outbox row holding everything the transport needs to rebuild `message`."""
    if message.attachments:
        raise ValueError("The outbox stores text and HTML messages only, not attachments.")
    text, html = str(message.body), ""
    if message.content_subtype == "html":
        text, html = "", text
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype != "text/html" or html:
            raise ValueError(f"The outbox stores one text/html alternative, not {mimetype}.")
        html = str(content)
    headers = {str(name): str(value) for name, value in message.extra_headers.items()}
    if not any(name.lower() == "message-id" for name in headers):
        # Fixed now, so every attempt carries the same id and receivers can drop a duplicate
        # that a worker killed between SMTP's answer and the status update would cause.
        domain = parseaddr(message.from_email)[1].rpartition("@")[2] or "localhost"
        headers["Message-ID"] = make_msgid(domain=domain)
    return OutboundEmail(
        subject=str(message.subject),
        from_email=str(message.from_email),
        to=[str(address) for address in message.to],
        cc=[str(address) for address in message.cc],
        bcc=[str(address) for address in message.bcc],
        reply_to=[str(address) for address in message.reply_to],
        headers=headers,
        text_body=text,
        html_body=html,
    )


class OutboxBackend(BaseEmailBackend):
    """Store each message as an `OutboundEmail` in the caller's transaction; deliver after commit.

    djoser, allauth, dj-rest-auth and `emails.services.email_send` all send through
    EMAIL_BACKEND, so every message enters the outbox without patching any of them. The real
    transport comes from EMAIL_URL (`settings.EMAIL_TRANSPORT`) and is used by the delivery task.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        rows = [outbound_email_from_message(m) for m in email_messages if m.recipients()]
        if not rows:
            return 0
        now = timezone.now()
        for row in rows:
            # Handed to the broker right after commit; the sweep re-dispatches it only if that
            # message is lost (see OutboundEmail.dispatched_at).
            row.created_at = row.next_attempt_at = row.dispatched_at = now
        using = router.db_for_write(OutboundEmail)
        with transaction.atomic(using=using):
            stored = OutboundEmail.objects.using(using).bulk_create(rows)
            for row in stored:
                logger.info("outbound email %s: queued", row.pk)
            pks = [row.pk for row in stored]
            transaction.on_commit(partial(dispatch_delivery, pks), using=using)
        return len(stored)
