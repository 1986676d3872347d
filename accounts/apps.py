"""App config for accounts: the email user and every account flow."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the EmailAddress sync and the token cache's revocations; register the
        # OpenAPI extensions.
        from accounts import schema, signals, token_cache  # noqa: F401
