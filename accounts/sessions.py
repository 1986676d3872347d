"""The session registry (accounts.models.TokenSession): token keys, digests and lifetimes."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts.models import TokenSession

# 192 random bits, hex like DRF's keys; the stored prefix leaves 160 of them unknown.
KEY_BYTES = 24
PREFIX_LENGTH = 8
# `last_seen_at` is written at most this often per session, never on every request.
LAST_SEEN_EVERY = timedelta(minutes=1)


def key_create() -> tuple[str, str]:
    """A new key and its digest; only the digest is stored."""
    key = secrets.token_hex(KEY_BYTES)
    return key, key_digest(key)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def session_expired(session: TokenSession, now: datetime | None = None) -> bool:
    """Unused for TOKEN_IDLE_DAYS, or signed in more than TOKEN_MAX_AGE_DAYS ago."""
    now = now or timezone.now()
    idle = now - session.last_seen_at > timedelta(days=settings.TOKEN_IDLE_DAYS)
    too_old = now - session.created_at > timedelta(days=settings.TOKEN_MAX_AGE_DAYS)
    return idle or too_old


def expired_filter(now: datetime) -> Q:
    """Rows past their lifetime: a token session past either of its own; a JWT session not
    refreshed within a refresh token's lifetime (its `last_seen_at` is its last refresh); a
    browser session older than its cookie (Django's SESSION_COOKIE_AGE)."""
    kind = TokenSession.Kind
    refresh_lifetime = jwt_settings.REFRESH_TOKEN_LIFETIME + LAST_SEEN_EVERY
    cookie_age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return (
        Q(kind=kind.TOKEN, last_seen_at__lt=now - timedelta(days=settings.TOKEN_IDLE_DAYS))
        | Q(kind=kind.TOKEN, created_at__lt=now - timedelta(days=settings.TOKEN_MAX_AGE_DAYS))
        | Q(kind=kind.JWT, last_seen_at__lt=now - refresh_lifetime)
        | Q(kind=kind.BROWSER, created_at__lt=now - cookie_age)
    )


def expired_sessions():
    """Every session past its lifetime (`manage.py purge_token_sessions`)."""
    return TokenSession.objects.filter(expired_filter(timezone.now()))


def last_seen_due(session: TokenSession, now: datetime) -> bool:
    return now - session.last_seen_at >= LAST_SEEN_EVERY
