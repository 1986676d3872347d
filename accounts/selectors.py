"""Account reads: who an emailed link points to, whether it can still be used; sessions."""

# They change nothing, so link pages call them on GET; the services call them again inside
# their transaction before acting.

import copy
from importlib import import_module
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.addresses import AddressError, canonical_email
from accounts.exceptions import AccountLinkError
from accounts.jwt_sessions import token_sid
from accounts.models import PendingEmailChange, TokenSession, User
from accounts.policy import account_can_log_in
from accounts.sessions import expired_filter, key_digest
from accounts.tokens import (
    LinkState,
    activation_tokens,
    decode_uid,
    email_change_key_digest,
    password_reset_tokens,
)


def user_for_uid(uid: str) -> User | None:
    pk = decode_uid(uid)
    if not pk or not pk.isdigit():
        return None
    return User.objects.filter(pk=pk).first()


def awaits_confirmation(user: User) -> bool:
    """Never confirmed: inactive and without a verified address.

    A deactivated account keeps its verified address, so no emailed link or resend can
    activate it again; only an administrator can.
    """
    if user.is_active:
        return False
    return not EmailAddress.objects.filter(user=user, verified=True).exists()


def activation_link_user(*, uid: str, token: str) -> User:
    user = user_for_uid(uid)
    if user is None:
        raise AccountLinkError(LinkState.INVALID, field="uid")
    state = activation_tokens.state(user, token)
    if state is LinkState.INVALID and user.is_active:
        # The token hashes the inactive state; if it matches that, it was valid and is now used.
        before = copy.copy(user)
        before.is_active = False
        if activation_tokens.state(before, token) is not LinkState.INVALID:
            state = LinkState.USED
    if state is LinkState.VALID and not awaits_confirmation(user):
        state = LinkState.USED
    if state is not LinkState.VALID:
        raise AccountLinkError(state)
    return user


def verification_link_address(*, key: str) -> EmailAddress:
    """The address an allauth verification key (HMAC, ACCOUNT_EMAIL_CONFIRMATION_HMAC) names."""
    max_age = 24 * 3600 * settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS
    try:
        pk = signing.loads(key, max_age=max_age, salt=allauth_settings.SALT)
    except signing.SignatureExpired as error:
        raise AccountLinkError(LinkState.EXPIRED, field="key") from error
    except signing.BadSignature as error:
        raise AccountLinkError(LinkState.INVALID, field="key") from error
    address = (
        EmailAddress.objects.select_related("user").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if address is None or address.email != address.user.email.lower():
        raise AccountLinkError(LinkState.INVALID, field="key")
    if address.verified or not awaits_confirmation(address.user):
        raise AccountLinkError(LinkState.USED, field="key")
    return address


def password_reset_link_user(*, uid: str, token: str) -> User:
    user = user_for_uid(uid)
    if user is None:
        raise AccountLinkError(LinkState.INVALID, field="uid")
    state = password_reset_tokens.state(user, token)
    if state is LinkState.VALID and not account_can_log_in(user):
        state = LinkState.INVALID
    if state is not LinkState.VALID:
        raise AccountLinkError(state)
    return user


EMAIL_TAKEN_MESSAGE = _("This address now belongs to another account; ask for a new change.")


def email_change_link_target(*, key: str) -> PendingEmailChange:
    """The pending change an email-change key opens (its account and new address).

    A key used, replaced by a newer request or cancelled (password change or reset,
    deactivation) has no row any more: it is invalid like a key that never existed.
    """
    pending = (
        PendingEmailChange.objects.select_related("user")
        .filter(key_digest=email_change_key_digest(key))
        .first()
    )
    if pending is None or not account_can_log_in(pending.user):
        raise AccountLinkError(LinkState.INVALID, field="key")
    age = timezone.now() - pending.created_at
    if age.total_seconds() > settings.ACCOUNT_EMAIL_CHANGE_TIMEOUT:
        raise AccountLinkError(LinkState.EXPIRED, field="key")
    try:
        new_key = canonical_email(pending.new_email)
    except AddressError as error:  # an address stored before addresses were canonical
        raise AccountLinkError(LinkState.INVALID, field="key") from error
    if pending.user.email_canonical == new_key:
        raise AccountLinkError(LinkState.USED, field="key")
    if User.objects.with_email(pending.new_email).exclude(pk=pending.user_id).exists():
        raise AccountLinkError(LinkState.INVALID, field="key", message=EMAIL_TAKEN_MESSAGE)
    return pending


# --- the session registry ---
def sessions_of(user: User) -> list[TokenSession]:
    """The account's live sessions of every kind, newest first (`GET /auth/sessions/`). A
    browser session also needs Django's own session to exist still (a logout elsewhere, a
    flush, its expiry)."""
    rows = TokenSession.objects.filter(user=user).exclude(expired_filter(timezone.now()))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return [
        row
        for row in rows.order_by("-created_at", "-id")
        if row.kind != TokenSession.Kind.BROWSER or store().exists(row.session_key)
    ]


def current_session(request: Any) -> TokenSession | None:
    """The registry row of the session that made the request: the token session of its key,
    the JWT session of its access token's `sid`, or its browser session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, TokenSession):
        return auth
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    sid = token_sid(auth)
    if sid is not None:
        kind, key = TokenSession.Kind.JWT, sid
    else:
        django_request = getattr(request, "_request", request)
        session = getattr(django_request, "session", None)
        if session is None or session.session_key is None:
            return None
        kind, key = TokenSession.Kind.BROWSER, session.session_key
    return TokenSession.objects.filter(user=user, kind=kind, key_digest=key_digest(key)).first()
