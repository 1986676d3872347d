"""Tokens of the emailed links: uids, activation and reset tokens, email-change keys."""

import enum
import hashlib
from secrets import token_urlsafe
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode


class LinkState(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def encode_uid(pk: Any) -> str:
    """djoser's uid format (base64 of the primary key), used by every Canvass link."""
    return force_str(urlsafe_base64_encode(force_bytes(pk)))


def decode_uid(uid: str) -> str | None:
    try:
        return force_str(urlsafe_base64_decode(uid))
    except (TypeError, ValueError, UnicodeDecodeError):
        return None


class AccountTokenGenerator(PasswordResetTokenGenerator):
    """Django's token generator with a configurable lifetime and a reason when a token fails.

    The hash covers the password, last login and address, so a token stops working once the
    password changes (single-use reset) or the address changes.
    """

    timeout_setting = "PASSWORD_RESET_TIMEOUT"

    def state(self, user: Any, token: str) -> LinkState:
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except (AttributeError, ValueError):
            return LinkState.INVALID
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in secrets
        ):
            return LinkState.INVALID
        age = self._num_seconds(self._now()) - timestamp
        if age > getattr(settings, self.timeout_setting):
            return LinkState.EXPIRED
        return LinkState.VALID

    def check_token(self, user: Any, token: str | None) -> bool:
        return bool(user and token) and self.state(user, str(token)) is LinkState.VALID


class ActivationTokenGenerator(AccountTokenGenerator):
    """Activation tokens: their own salt (never valid as reset tokens) and activation state.

    Including `is_active` ends the token once the account is activated.
    """

    key_salt = "canvass.accounts.ActivationTokenGenerator"
    timeout_setting = "ACCOUNT_ACTIVATION_TIMEOUT"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


# Reset tokens keep Django's salt and hash: identical to `default_token_generator`'s, so djoser's
# and dj-rest-auth's confirm endpoints, and any Django view, accept the same link.
password_reset_tokens = AccountTokenGenerator()
activation_tokens = ActivationTokenGenerator()


def email_change_key_create() -> tuple[str, str]:
    """A new email-change key (256 random bits, URL-safe) and the digest stored in its place."""
    key = token_urlsafe(32)
    return key, email_change_key_digest(key)


def email_change_key_digest(key: str) -> str:
    """SHA-256 suffices: the key is random, so there is nothing to guess that a slow hash
    would protect; the database never holds a key that opens the link."""
    return hashlib.sha256(key.encode()).hexdigest()
