"""Access JWTs verified once per process: the payload of a token whose signature checked out is
remembered, keyed by the token's exact text, so the same token's next request skips the
base64, JSON and HMAC work (a fifth of an authenticated request's time).

Only verified tokens are remembered (a decode that raises caches nothing), so a token altered
in any byte is a different key and is verified in full. What can change over a token's life is
checked on every use: expiry here and again by simplejwt's `Token.verify` (type, `jti`); a
token's `iat` and `nbf`, once accepted, stay acceptable. Revocation is not the signature's
business: the session, the password and the account are checked by
`accounts.authentication.JWTAuthentication.get_user` on every request. The memo is bounded
(least recently used first out) and lives in the process, so a new signing key (a restart)
starts it empty. Only `Authorization: Bearer` authentication uses it (SIMPLE_JWT's
AUTH_TOKEN_CLASSES); refresh and verify decode as simplejwt does.
"""

import json
import time
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendExpiredToken
from rest_framework_simplejwt.settings import api_settings

VERIFIED_TOKENS = 4096  # per process; about 1 KB each


class VerifiedTokenBackend(TokenBackend):
    """simplejwt's token backend, remembering the payloads of the tokens it verified."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verified = lru_cache(maxsize=VERIFIED_TOKENS)(self.verified_payload)

    def verified_payload(self, token: bytes) -> str:
        """The payload as JSON (each use gets its own copy); raises for an invalid token."""
        return json.dumps(super().decode(token, verify=True))  # type: ignore[arg-type]

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        if not verify:
            return super().decode(token, verify=False)
        payload: dict[str, Any] = json.loads(
            self.verified(token.encode() if isinstance(token, str) else token)
        )
        expires = payload.get("exp")
        if expires is not None and int(expires) <= time.time() - self.get_leeway().total_seconds():
            raise TokenBackendExpiredToken(_("Token is expired"))
        return payload


verified_token_backend = VerifiedTokenBackend(
    api_settings.ALGORITHM,
    api_settings.SIGNING_KEY,
    api_settings.VERIFYING_KEY,
    api_settings.AUDIENCE,
    api_settings.ISSUER,
    api_settings.JWK_URL,
    api_settings.LEEWAY,
    api_settings.JSON_ENCODER,
)


class AccessToken(tokens.AccessToken):
    """simplejwt's access token (same name: error bodies name the class), decoded through the
    memo."""

    _token_backend = verified_token_backend
