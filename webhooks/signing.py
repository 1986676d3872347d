"""Standard Webhooks signatures (standardwebhooks.com), made with the specification's library."""

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105  # the specification's prefix, not a secret


def secret_create() -> str:
    """A new endpoint secret in the specification's form: `whsec_` + base64 of 32 bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(*, secret: str, webhook_id: str, timestamp: datetime, body: str) -> dict:
    """The three headers of one attempt; the signature covers `id.timestamp.body`."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, timestamp, body),
    }
