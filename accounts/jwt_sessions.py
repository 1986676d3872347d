"""JWT sessions: one random id per login, carried by every token of it, ended by a logout.

`/auth/jwt/create/` issues a pair whose refresh token holds a `sid` claim. simplejwt copies
every claim but the type, `exp`, `jti` and `iat` (`RefreshToken.no_copy_claims`) into the
access tokens made from it, and a refresh rotation re-signs the same payload, so every token
of the session carries the same id. A logout records the id (`EndedJwtSession`); the
authentication class, refresh and verify then refuse the session's tokens. Access tokens issued
before session ids existed have none and work until they expire; such a refresh token gets
one at its next refresh.
"""

import secrets
from datetime import datetime, timedelta
from typing import cast

from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import EndedJwtSession

SID_CLAIM = "sid"
# simplejwt's message for a revoked token: an ended session's tokens answer exactly as a
# blacklisted refresh token does.
REVOKED = _("Token is blacklisted")


def token_sid(token: object) -> str | None:
    """The session id of a decoded JWT; None for anything else and for tokens without one."""
    sid = token.get(SID_CLAIM) if isinstance(token, Token) else None
    return sid if isinstance(sid, str) else None


def ended(sid: str) -> QuerySet[EndedJwtSession]:
    return EndedJwtSession.objects.filter(sid=sid)


def ended_annotation(sid: str) -> Exists:
    """For the user's own query: whether the session has ended, at no extra round trip."""
    return Exists(ended(sid))


def ended_session_kept_until(now: datetime) -> datetime:
    """When every token a session ended at `now` could hold has expired: no token of it is
    issued after its end, and none was issued with a longer lifetime (plus simplejwt's
    leeway)."""
    lifetime = max(api_settings.REFRESH_TOKEN_LIFETIME, api_settings.ACCESS_TOKEN_LIFETIME)
    leeway: timedelta = token_backend.get_leeway()
    return now + lifetime + leeway


class SessionRefreshToken(RefreshToken):
    """simplejwt's refresh token (`/auth/jwt/create/`, `/auth/jwt/refresh/`) with a session id,
    refused (as blacklisted) once its session has ended.

    A new token gets a new id. A decoded one without an id (issued before session ids) gets
    one too, so the pair its refresh answers is a session a logout can end: otherwise such a
    chain, its lifetime renewed by every rotation, would never carry one.
    """

    def __init__(self, token=None, verify: bool = True) -> None:
        super().__init__(token, verify)
        if token_sid(self) is None:
            self.payload[SID_CLAIM] = secrets.token_urlsafe(16)

    @property
    def access_token(self) -> AccessToken:
        """The access token of this refresh token, carrying the digest of the account's password
        as it is now: a refresh token still accepted (not blacklisted, its session not ended)
        outlived a password change only as the caller's own session (services.password_change
        blacklists the others), whose new access tokens must then work."""
        if api_settings.CHECK_REVOKE_TOKEN and api_settings.REVOKE_TOKEN_CLAIM in self.payload:
            user_id = self.payload.get(api_settings.USER_ID_CLAIM)
            users = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id})
            password = users.values_list("password", flat=True).first()
            if password is not None:
                self.payload[api_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(password)
        return super().access_token

    def check_blacklist(self) -> None:
        super().check_blacklist()
        sid = token_sid(self)
        if sid is not None and ended(sid).exists():
            raise TokenError(REVOKED)

    def blacklist(self) -> BlacklistedToken:
        """Claim the token before a refresh issues the next pair (simplejwt's refresh calls this
        first): its blacklist row is unique, so of concurrent refreshes of one token exactly one
        inserts it and the others are refused as for a blacklisted token. The refresh serializer
        runs this in its transaction, so a refresh that fails later leaves the token unused."""
        claimed = super().blacklist()
        # simplejwt returns get_or_create's (row, created) pair, whatever its annotation says.
        _row, created = cast(tuple[BlacklistedToken, bool], claimed)
        if not created:
            raise TokenError(REVOKED)
        return claimed
