"""App config for accounts: the email user and every account flow."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the EmailAddress sync, the token cache's revocations and the audit log's
        # receivers; register the OpenAPI extensions and the lockout's deploy check.
        from accounts import audit, lockout, schema, signals, token_cache  # noqa: F401
