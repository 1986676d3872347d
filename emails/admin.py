"""Admin for the outbox: browse and search messages, see both parts redacted, retry failures."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from emails.models import OutboundEmail
from emails.redaction import body_redacted
from emails.services import outbound_emails_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "recipients", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    # Counts per status beside each filter choice: the outbox's health at a glance.
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("subject", "to", "cc", "bcc")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    actions = ("retry",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "status",
                    "subject",
                    "from_email",
                    "recipients",
                    "cc_addresses",
                    "bcc_addresses",
                    "reply_to_addresses",
                )
            },
        ),
        (
            "Delivery",
            {
                "fields": (
                    "attempts",
                    "last_error",
                    "created_at",
                    "next_attempt_at",
                    "dispatched_at",
                    "claimed_at",
                    "sent_at",
                )
            },
        ),
        ("Message", {"fields": ("headers", "text_part", "html_part")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The outbox is a record of what was sent: nothing in it is edited by hand.
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # Addresses as a person writes them, not as the stored JSON list.
    @admin.display(description="to")
    def recipients(self, email: OutboundEmail) -> str:
        return ", ".join(email.to)

    @admin.display(description="cc")
    def cc_addresses(self, email: OutboundEmail) -> str:
        return ", ".join(email.cc)

    @admin.display(description="bcc")
    def bcc_addresses(self, email: OutboundEmail) -> str:
        return ", ".join(email.bcc)

    @admin.display(description="reply to")
    def reply_to_addresses(self, email: OutboundEmail) -> str:
        return ", ".join(email.reply_to)

    # Both parts redacted for everyone: a pending activation, reset or sign-in message would
    # otherwise hand any staff member the account it is addressed to.
    @admin.display(description="text part (links and codes masked)")
    def text_part(self, email: OutboundEmail) -> str:
        return format_html(
            '<pre style="white-space:pre-wrap">{}</pre>', body_redacted(email.text_body)
        )

    @admin.display(description="HTML part (links and codes masked)")
    def html_part(self, email: OutboundEmail) -> str:
        if not email.html_body:
            return "—"
        # An empty sandbox: the message's markup is shown, never run, and cannot reach the admin.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" style="width:100%;height:480px;border:1px solid #ccc">'
            "</iframe>",
            body_redacted(email.html_body),
        )

    @admin.action(description="Retry selected failed messages", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        retried = outbound_emails_retry(queryset)
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} queued again, {skipped} skipped (not failed).")
        if skipped:
            self.message_user(request, "Only failed messages can be retried.", messages.WARNING)
