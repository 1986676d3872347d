"""App config for webhooks: account and survey events, signed and delivered to other apps."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from webhooks import endpoint_cache  # noqa: F401  # its signal receivers
