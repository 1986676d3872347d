"""The outbox: every outgoing message as a row, the source of truth for its delivery."""

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """One message as the caller handed it to EMAIL_BACKEND, and where its delivery stands."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    subject = models.TextField(blank=True)
    from_email = models.TextField()
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)

    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a delivery task for the row was last handed to the broker: the sweep re-dispatches a
    # due row only once this lease has run out, so a backlog is not queued twice.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # When the current attempt began; a row `sending` for too long belonged to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbound email"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def to_message(self) -> EmailMessage:
        """The message exactly as it was stored, ready for the real transport."""
        fields = {
            "subject": self.subject,
            "from_email": self.from_email,
            "to": self.to,
            "cc": self.cc,
            "bcc": self.bcc,
            "reply_to": self.reply_to,
            "headers": self.headers,
        }
        if self.html_body and not self.text_body:
            html_only = EmailMessage(body=self.html_body, **fields)
            html_only.content_subtype = "html"
            return html_only
        message = EmailMultiAlternatives(body=self.text_body, **fields)
        if self.html_body:
            message.attach_alternative(self.html_body, "text/html")
        return message
