"""Admin for webhooks: endpoints (secret shown once, at creation) and the delivery log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from webhooks.events import EVENT_TYPES
from webhooks.guard import RefusedURL, endpoint_url_check
from webhooks.models import Delivery, Endpoint
from webhooks.services import deliveries_resend, events_parse
from webhooks.signing import secret_create


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.CharField(
        help_text=f"Comma-separated, or * for every event: {', '.join(EVENT_TYPES)}"
    )

    class Meta:
        model = Endpoint
        fields = ("url", "events", "enabled", "description")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["events"] = ",".join(self.instance.events)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            endpoint_url_check(url)
        except RefusedURL as error:
            raise ValidationError(str(error)) from None
        return url

    def clean_events(self) -> list[str]:
        try:
            return events_parse(self.cleaned_data["events"])
        except ValueError as error:
            raise ValidationError(str(error)) from None


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("id", "url", "enabled", "events", "failing_since", "description", "log")
    list_filter = ("enabled",)
    search_fields = ("url", "description")
    readonly_fields = ("created_at", "failing_since", "disabled_at")

    @admin.display(description="delivery log")
    def log(self, endpoint: Endpoint) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">deliveries</a>', url)

    def save_model(self, request: HttpRequest, obj: Endpoint, form, change: bool) -> None:
        if not change:
            obj.secret = secret_create()
        if obj.enabled:
            obj.disabled_at = None
        super().save_model(request, obj, form, change)
        if not change:
            # The only time the secret is shown: the receiver needs it to verify signatures.
            messages.warning(
                request,
                f"Secret of endpoint #{obj.pk} (copy it now, it is not shown again): {obj.secret}",
            )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_latency_ms",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type", "endpoint")
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("webhook_id", "event_type")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    actions = ("resend",)
    fields = (
        "endpoint",
        "event_type",
        "webhook_id",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_latency_ms",
        "last_response",
        "payload",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resend the selected deliveries (same webhook-id)")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = deliveries_resend(queryset)
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)
