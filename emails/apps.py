"""App config for emails: the one door every outgoing message leaves through."""

from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "emails"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the request signals before the first request, not at the first message.
        from emails import after_response  # noqa: F401
