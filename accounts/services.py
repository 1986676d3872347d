"""Account write operations: the one place each account rule lives."""

# Both route sets (djoser under /auth/, dj-rest-auth under /dj-rest-auth/), the link pages and
# the admin call these functions; the views only parse input and shape the response.

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any, Literal

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.contrib.auth import (
    SESSION_KEY,
    update_session_auth_hash,
    user_logged_in,
    user_logged_out,
)
from django.contrib.auth import logout as session_logout
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

from accounts import links, notifications, tasks
from accounts.addresses import validate_canonical_email
from accounts.audit import Event, Outcome, audit_record, request_origin
from accounts.clients import client_ip, client_user_agent
from accounts.devices import device_label
from accounts.exceptions import AccountLinkError, AddressTakenError
from accounts.export import personal_data_export
from accounts.jwt_sessions import SID_CLAIM, ended_session_kept_until, token_sid
from accounts.lockout import lockout_lift
from accounts.mail_caps import mail_cap_allows
from accounts.models import (
    EndedJwtSession,
    KnownDevice,
    PendingEmailChange,
    TokenSession,
    User,
)
from accounts.policy import account_can_log_in
from accounts.selectors import (
    EMAIL_TAKEN_MESSAGE,
    activation_link_user,
    awaits_confirmation,
    current_session,
    email_change_link_target,
    password_reset_link_user,
    sessions_of,
    verification_link_address,
)
from accounts.sessions import PREFIX_LENGTH, key_create, key_digest, last_seen_due
from accounts.token_cache import jwt_session_revoke
from accounts.tokens import LinkState, email_change_key_create
from webhooks import events as webhook_events

ConfirmWith = Literal["activation", "verification"]


# --- allauth's copy of the address ---
def email_address_sync(*, user: User) -> EmailAddress:
    """Bring allauth's EmailAddress rows in step with the user row; return the primary one.

    The only writer of EmailAddress (accounts.signals calls it on every save of the address or
    `is_active`). allauth (and dj-rest-auth's login) read their own copy of the address and
    whether it is verified; the user row is the source of truth. Rules: the account keeps
    exactly one address row, the primary one, equal to `User.email`; a changed address carries
    the verified state of the one it replaces; an active account's address is verified (an
    active account is a confirmed one, see accounts.policy), while deactivating an account
    leaves it verified, so a deactivated account cannot confirm itself again.
    """
    email = user.email.lower()
    addresses = list(EmailAddress.objects.filter(user=user))
    current = next((address for address in addresses if address.email == email), None)
    previous = current or next((address for address in addresses if address.primary), None)
    verified = user.is_active or bool(previous and previous.verified)
    stale = [address.pk for address in addresses if address is not current]
    if stale:
        EmailAddress.objects.filter(pk__in=stale).delete()
    if current is None:
        return EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    if not (current.primary and current.verified == verified):
        current.primary, current.verified = True, verified
        current.save(update_fields=["primary", "verified"])
    return current


# --- registration and confirmation ---
@transaction.atomic
def account_register(*, email: str, password: str | None, confirm_with: ConfirmWith) -> None:
    """Create an unconfirmed account and mail its confirmation link — or, when the address
    already has an account (any letter case, confirmed or not), create nothing and mail the
    owner a notice. The caller cannot tell the two apart (no enumeration through sign-up).

    `confirm_with` picks the link: djoser's activation link or allauth's verification link;
    both end in `account_confirm`. The account and its message commit together. A provider
    sign-in with an address the provider did not verify registers with no password
    (accounts.social): once confirmed, the account sets one through a password reset.
    """
    owner = User.objects.with_email(email).first()
    if owner is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=password, is_active=False)
        except IntegrityError:
            # A concurrent sign-up with the same address (in any case) committed first.
            owner = User.objects.with_email(email).first()
            already_registered_notice_send(email=owner.email if owner else email)
            return
        confirmation_link_send(user=user, confirm_with=confirm_with)
        audit_record(Event.SIGNUP, target=user.email, detail=confirm_with)
        webhook_events.account_emit(webhook_events.ACCOUNT_CREATED, user=user)
        return
    # Hash anyway, so a known address takes as long to answer as a new one.
    make_password(password)
    already_registered_notice_send(email=owner.email)


@transaction.atomic
def account_create_confirmed(*, email: str, password: str, is_staff: bool = False) -> User:
    """An operator's account (`manage.py create_account`): confirmed at once, no mail sent.

    The address must be valid and have no account in any spelling (AddressTakenError); the
    password must pass the validators every route uses (Django's ValidationError for both).
    The account goes through `account_confirm`, as a confirmed sign-up does, so every library
    sees it confirmed.
    """
    validate_email(email)
    validate_canonical_email(email)
    if User.objects.with_email(email).exists():
        raise AddressTakenError()
    user = User(email=User.objects.normalize_email(email).strip(), is_staff=is_staff)
    validate_password(password, user)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=user.email, password=password, is_staff=is_staff, is_active=False
            )
    except IntegrityError:
        raise AddressTakenError() from None
    audit_record(Event.SIGNUP, target=user.email, detail="create_account")
    webhook_events.account_emit(webhook_events.ACCOUNT_CREATED, user=user)
    account_confirm(user=user)
    return user


def already_registered_notice_send(*, email: str) -> None:
    if mail_cap_allows(kind="already_registered", email=email):
        notifications.send_already_registered(email)
    audit_record(Event.SIGNUP, outcome=Outcome.FAILURE, target=email, detail="address taken")


def confirmation_link_send(*, user: User, confirm_with: ConfirmWith) -> None:
    if confirm_with == "activation":
        notifications.send_activation(user)
        return
    key = EmailConfirmationHMAC(email_address_sync(user=user)).key
    notifications.send_confirmation(email=user.email, url=links.verification_link(key))


def confirmation_resend(*, email: str, confirm_with: ConfirmWith) -> None:
    """Queue `confirmation_resend_mail` and return: the address is looked up after the answer,
    which therefore takes as long for any address."""
    tasks.enqueue(tasks.confirmation_resend_mail, email, confirm_with, request_origin())


@transaction.atomic
def confirmation_resend_mail(
    *, email: str, confirm_with: ConfirmWith, origin: dict[str, Any] | None = None
) -> None:
    """A new confirmation link, only for an account that never confirmed its address, within
    the address's hourly cap. Unknown, confirmed and deactivated addresses get nothing."""
    user = User.objects.with_email(email).first()
    if (
        user is not None
        and awaits_confirmation(user)
        and mail_cap_allows(kind="confirmation", email=user.email)
    ):
        confirmation_link_send(user=user, confirm_with=confirm_with)


@transaction.atomic
def account_confirm(*, user: User) -> None:
    """The one end of both confirmation flows: the account may now log in on every route.

    Activates the user; saving it marks its primary allauth address verified (creating it if
    missing, `email_address_sync`), so djoser, dj-rest-auth, allauth and the admin agree.
    """
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(Event.CONFIRMATION, target=user.email)
    webhook_events.account_emit(webhook_events.ACCOUNT_CONFIRMED, user=user)


@transaction.atomic
def account_activate(*, uid: str, token: str) -> User:
    """djoser's activation link (`/activate/{uid}/{token}`, `POST /auth/users/activation/`)."""
    user = activation_link_user(uid=uid, token=token)
    User.objects.select_for_update().filter(pk=user.pk).first()
    user = activation_link_user(uid=uid, token=token)
    account_confirm(user=user)
    return user


@transaction.atomic
def email_address_verify(*, key: str) -> User:
    """allauth's verification key (`/verify-email/{key}`, `…/registration/verify-email/`)."""
    address = verification_link_address(key=key)
    User.objects.select_for_update().filter(pk=address.user_id).first()
    address = verification_link_address(key=key)
    account_confirm(user=address.user)
    return address.user


# --- token sessions ---
@dataclass(frozen=True)
class IssuedToken:
    """A new token session and its key: the only moment the key exists outside the client."""

    session: TokenSession
    key: str


@transaction.atomic
def token_session_start(
    *,
    user: User,
    request: HttpRequest | None = None,
    source: str = TokenSession.Source.LOGIN,
    method: str = TokenSession.Method.PASSWORD,
    second_factor_at: datetime | None = None,
) -> IssuedToken:
    """A login on a token route: a new session with a new key. Past SESSIONS_MAX_PER_ACCOUNT
    live sessions, the oldest end."""
    key, digest = key_create()
    session = TokenSession.objects.create(
        user=user,
        source=source,
        method=method,
        second_factor_at=second_factor_at,
        key_digest=digest,
        key_prefix=key[:PREFIX_LENGTH],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=client_user_agent(request) if request is not None else "",
    )
    sessions_limit_enforce(user=user, keep=session)
    _session_started(session, user)
    return IssuedToken(session=session, key=key)


def sessions_limit_enforce(*, user: User, keep: TokenSession) -> int:
    """A login of any kind past SESSIONS_MAX_PER_ACCOUNT live sessions ends the oldest ones
    (`session_end`, so JWT and browser sessions really end); how many ended."""
    limit = settings.SESSIONS_MAX_PER_ACCOUNT
    if limit <= 0 or TokenSession.objects.filter(user=user).count() <= limit:
        return 0  # one COUNT on most logins; the live check below asks the session store too
    others = [session for session in sessions_of(user) if session.pk != keep.pk]
    surplus = others[limit - 1 :]  # newest first: the oldest go
    for session in surplus:
        session_end(session=session)
    return len(surplus)


def _session_started(session: TokenSession, user: User) -> None:
    webhook_events.account_emit(
        webhook_events.SESSION_CREATED, user=user, session=_session_data(session)
    )


def _session_data(session: TokenSession) -> dict[str, Any]:
    """A session as webhooks describe it: never its key or anything derived from it."""
    return {"id": session.pk, "kind": session.kind, "method": session.method}


def _sessions_delete(sessions: QuerySet[TokenSession]) -> int:
    """Delete registry rows, each one a `session.ended` event; how many."""
    ending = list(sessions.select_related("user"))
    if not ending:
        return 0
    TokenSession.objects.filter(pk__in=[session.pk for session in ending]).delete()
    for session in ending:
        webhook_events.account_emit(
            webhook_events.SESSION_ENDED, user=session.user, session=_session_data(session)
        )
    return len(ending)


# --- the session registry (GET /auth/sessions/) ---
# Ending a session without the password is allowed this long after its login.
REAUTH_WITHIN = timedelta(minutes=10)


def _registry_row(
    *,
    user: User,
    kind: str,
    key: str,
    request: HttpRequest | None,
    method: str = TokenSession.Method.PASSWORD,
    second_factor_at: datetime | None = None,
) -> TokenSession:
    row, created = TokenSession.objects.get_or_create(
        key_digest=key_digest(key),
        defaults={
            "user": user,
            "kind": kind,
            "method": method,
            "second_factor_at": second_factor_at,
            "session_key": key,
            "ip_address": client_ip(request) if request is not None else None,
            "user_agent": client_user_agent(request) if request is not None else "",
        },
    )
    if created:
        sessions_limit_enforce(user=user, keep=row)
        _session_started(row, user)
    return row


def jwt_session_register(
    *,
    user: User,
    sid: str,
    request: HttpRequest | None,
    method: str = TokenSession.Method.PASSWORD,
    second_factor_at: datetime | None = None,
) -> TokenSession:
    """A JWT login (`/auth/jwt/create/`): its session in the registry, keyed by its `sid`."""
    return _registry_row(
        user=user,
        kind=TokenSession.Kind.JWT,
        key=sid,
        request=request,
        method=method,
        second_factor_at=second_factor_at,
    )


def jwt_session_refreshed(*, user_id: object, sid: str | None, request: HttpRequest) -> None:
    """A refresh of a JWT session: `last_seen_at`, at most once a minute. A session from before
    the registry joins it here."""
    if sid is None:
        return
    now = timezone.now()
    row = TokenSession.objects.filter(key_digest=key_digest(sid)).first()
    if row is None:
        user = User.objects.filter(pk=user_id).first()
        if user is not None:
            jwt_session_register(user=user, sid=sid, request=request)
    elif last_seen_due(row, now):
        TokenSession.objects.filter(pk=row.pk).update(last_seen_at=now)


def browser_session_register(
    *,
    user: User,
    request: HttpRequest,
    method: str = TokenSession.Method.PASSWORD,
    second_factor_at: datetime | None = None,
) -> TokenSession | None:
    """A browser login (allauth's pages, the admin): its Django session in the registry."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    if session.session_key is None:
        session.save()  # a login that flushed the session has no key until it is saved
    key = session.session_key
    return _registry_row(
        user=user,
        kind=TokenSession.Kind.BROWSER,
        key=key,
        request=request,
        method=method,
        second_factor_at=second_factor_at,
    )


def browser_session_seen(*, session_key: str, now: datetime) -> None:
    """A signed-in browser's request: its row's `last_seen_at` (accounts.middleware calls
    this at most once a minute)."""
    TokenSession.objects.filter(
        kind=TokenSession.Kind.BROWSER, key_digest=key_digest(session_key)
    ).update(last_seen_at=now)


def browser_session_forget(*, request: HttpRequest) -> None:
    """A browser logout: its row goes with the session."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key is not None:
        _sessions_delete(
            TokenSession.objects.filter(
                kind=TokenSession.Kind.BROWSER, key_digest=key_digest(session.session_key)
            )
        )


def session_end(*, session: TokenSession) -> None:
    """End one session at once: a token's row (its cached entry with it), a JWT session
    (`jwt_session_end`) or a browser's Django session (signed out on its next request)."""
    if session.kind == TokenSession.Kind.JWT:
        jwt_session_end(sid=session.session_key)
    elif session.kind == TokenSession.Kind.BROWSER and session.session_key:
        import_module(settings.SESSION_ENGINE).SessionStore(session.session_key).delete()
    _sessions_delete(TokenSession.objects.filter(pk=session.pk))


def sessions_end_others(*, user: User, keep: TokenSession | None = None) -> int:
    """End every session of the account but `keep`; how many ended."""
    others = TokenSession.objects.filter(user=user)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    ended = 0
    for session in others:
        session_end(session=session)
        ended += 1
    return ended


def session_reauth_needed(*, current: TokenSession | None) -> bool:
    """Ending sessions asks for the password unless the caller logged in moments ago."""
    return current is None or timezone.now() - current.created_at > REAUTH_WITHIN


def _refresh_tokens_blacklist(*, user: User, keep_sid: str | None) -> int:
    """Blacklist the account's unexpired refresh tokens but those of the JWT session
    `keep_sid`; how many."""
    outstanding = OutstandingToken.objects.filter(
        user=user, blacklistedtoken__isnull=True, expires_at__gt=timezone.now()
    )
    ending = [token for token in outstanding if keep_sid is None or _sid_of(token) != keep_sid]
    blacklisted = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in ending], ignore_conflicts=True
    )
    return len(blacklisted)


def _sid_of(outstanding: OutstandingToken) -> str | None:
    """The `sid` of a refresh token Canvass issued (its own outstanding record)."""
    try:
        payload = token_backend.decode(outstanding.token, verify=False)  # type: ignore[arg-type]
    except TokenBackendError:
        return None
    sid = payload.get(SID_CLAIM)
    return sid if isinstance(sid, str) else None


# --- credentials ---
def credentials_revoke(*, user: User, keep: TokenSession | None = None) -> None:
    """End every session and API credential of the account: its sessions of every kind (all
    but `keep`, the one that changed the password), its JWT refresh tokens (but those of
    `keep`'s JWT session) and a pending email change (whoever asked for it may have known the
    old password only).

    Password change and reset, deactivation and deletion all end here. Browser sessions end by
    themselves: a password change alters the session auth hash, and a deactivated or deleted
    account fails the backend's `get_user` on the next request. Access JWTs carry a password
    hash (CHECK_REVOKE_TOKEN) and live at most 15 minutes.
    """
    sessions = sessions_end_others(user=user, keep=keep)
    email_changes, _by_model = PendingEmailChange.objects.filter(user=user).delete()
    keep_sid = keep.session_key if keep is not None and keep.kind == TokenSession.Kind.JWT else None
    refresh_tokens = _refresh_tokens_blacklist(user=user, keep_sid=keep_sid)
    detail = (
        f"{sessions} session(s), {refresh_tokens} JWT refresh token(s), "
        f"{email_changes} pending email change(s)"
    )
    audit_record(Event.CREDENTIALS_REVOKED, target=user.email, detail=detail)


def refresh_token_blacklist(raw_token: object) -> None:
    """Blacklist a JWT refresh token a client hands in at logout and end its session; an
    unusable one is ignored. One already used (rotated) still ends its session: it is a
    token of that session, signed by Canvass and unexpired."""
    if not isinstance(raw_token, str) or not raw_token:
        return
    try:
        token = UntypedToken(raw_token)  # type: ignore[arg-type]
    except TokenError:
        return
    if token.get(jwt_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type:
        return
    jwt_session_end(sid=token_sid(token))
    with suppress(TokenError):
        RefreshToken(raw_token).blacklist()  # type: ignore[arg-type]


def jwt_session_end(*, sid: str | None) -> None:
    """End a JWT session (accounts.jwt_sessions): none of its tokens is accepted again. Ending
    one twice keeps the first record."""
    if sid is None:
        return
    now = timezone.now()
    ended = EndedJwtSession(sid=sid, ended_at=now, expires_at=ended_session_kept_until(now))
    EndedJwtSession.objects.bulk_create([ended], ignore_conflicts=True)
    _sessions_delete(
        TokenSession.objects.filter(kind=TokenSession.Kind.JWT, key_digest=key_digest(sid))
    )
    jwt_session_revoke(sid)  # the cached session (accounts.token_cache), once this commits


def api_login_record(*, request: HttpRequest, user: User) -> None:
    """An API route issued a credential: tell Django (last_login) and axes (reset the failure
    count), as a session login does. djoser's token login sends this signal itself."""
    user_logged_in.send(sender=user.__class__, request=request, user=user)


# --- the new sign-in notice ---
# How long a device stays known after its last login; purge_known_devices deletes older rows.
KNOWN_DEVICE_DAYS = 90


def device_digest(*, user_agent: str, ip_address: str | None) -> str:
    """The stored form of a (user agent, client address) pair: the table holds neither."""
    return hashlib.sha256(f"{user_agent}\n{ip_address or ''}".encode()).hexdigest()


def known_device_record(*, user: User, user_agent: str, ip_address: str | None) -> None:
    """Every successful login (accounts.signals): remember its device and, when the account has
    not logged in from it in KNOWN_DEVICE_DAYS, mail the account (NEW_SIGNIN_EMAIL, capped).

    An account with no device yet (its first login after confirming, or its first since this
    record began) records the device without a mail: there is no earlier device to compare."""
    now = timezone.now()
    digest = device_digest(user_agent=user_agent, ip_address=ip_address)
    # One read answers both questions: this device's row if there is one, else any row.
    this_device_first = ExpressionWrapper(Q(digest=digest), output_field=BooleanField())
    seen = (
        KnownDevice.objects.filter(user=user)
        .order_by(this_device_first.desc())
        .values_list("pk", "digest", "last_seen_at")
        .first()
    )
    this_device = seen is not None and seen[1] == digest
    if seen is not None and this_device and seen[2] >= now - timedelta(days=KNOWN_DEVICE_DAYS):
        # The usual login: nothing to decide, one row's date to move (no transaction needed).
        KnownDevice.objects.filter(pk=seen[0]).update(last_seen_at=now)
        return
    with transaction.atomic():
        if seen is not None and this_device:
            KnownDevice.objects.filter(pk=seen[0]).update(last_seen_at=now)
        else:
            # A concurrent login from the same new device may insert it first.
            KnownDevice.objects.update_or_create(
                user=user, digest=digest, defaults={"last_seen_at": now}
            )
        if seen is None or not settings.NEW_SIGNIN_EMAIL:
            return
        notifications.send_new_signin(
            user=user, device=device_label(user_agent), ip_address=ip_address, when=now
        )


def known_devices_expired():
    """Devices unused for KNOWN_DEVICE_DAYS, but never an account's latest one: an account
    that comes back after a long absence is not taken for a first login (which sends none)."""
    cutoff = timezone.now() - timedelta(days=KNOWN_DEVICE_DAYS)
    latest = KnownDevice.objects.filter(user=OuterRef("user")).order_by("-last_seen_at", "-pk")
    return KnownDevice.objects.filter(last_seen_at__lt=cutoff).exclude(
        pk=Subquery(latest.values("pk")[:1])
    )


def account_logout(*, request: HttpRequest, refresh: object = None) -> None:
    """Both logout routes: only the credential that made the request — its token session, its
    browser session or the JWT session of its access token — and, when given, a JWT refresh
    token and its session. The account's other logins keep working."""
    user = request.user
    auth = getattr(request, "auth", None)
    jwt_session_end(sid=token_sid(auth))
    django_request = getattr(request, "_request", request)
    if isinstance(auth, TokenSession):
        _sessions_delete(TokenSession.objects.filter(pk=auth.pk))
    if SESSION_KEY in django_request.session:
        session_logout(django_request)  # sends user_logged_out itself
    elif user.is_authenticated:
        user_logged_out.send(sender=user.__class__, request=request, user=user)
    refresh_token_blacklist(refresh)


def _keep_callers_session(
    request: HttpRequest | None, user: User, current: TokenSession | None
) -> None:
    """After a password change, the session that made it stays signed in (others end); its
    new session key follows into the registry."""
    if request is None:
        return
    django_request = getattr(request, "_request", request)
    if django_request.session.get(SESSION_KEY) == str(user.pk):
        update_session_auth_hash(django_request, user)
        key = django_request.session.session_key
        if current is not None and current.kind == TokenSession.Kind.BROWSER and key:
            TokenSession.objects.filter(pk=current.pk).update(
                session_key=key, key_digest=key_digest(key)
            )


@transaction.atomic
def password_change(*, user: User, new_password: str, request: HttpRequest | None = None) -> None:
    """Set a new (already validated) password and end every other credential of the account:
    the caller's token session and browser session keep working."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(Event.PASSWORD_CHANGE, target=user.email)
    webhook_events.account_emit(webhook_events.ACCOUNT_PASSWORD_CHANGED, user=user)
    current = current_session(request) if request is not None else None
    credentials_revoke(user=user, keep=current)
    _keep_callers_session(request, user, current)
    notifications.send_password_changed(user)


def password_reset_request(*, email: str) -> None:
    """Queue `password_reset_mail` and return: the address is looked up after the answer, which
    therefore takes as long for any address (no enumeration by timing)."""
    tasks.enqueue(tasks.password_reset_mail, email, request_origin())


@transaction.atomic
def password_reset_mail(*, email: str, origin: dict[str, Any] | None = None) -> None:
    """Mail a reset link to a confirmed account, within the address's hourly cap; anything
    else gets nothing. An account without a usable password gets one too (a provider sign-in
    made it, accounts.social, or an operator did): the link proves control of the mailbox, as
    for any reset, and sets the account's first password."""
    user = User.objects.with_email(email).first()
    if user is not None and account_can_log_in(user):
        if not mail_cap_allows(kind="password_reset", email=user.email):
            detail = "no mail sent (hourly cap reached)"
            audit_record(
                Event.PASSWORD_RESET_REQUEST,
                outcome=Outcome.FAILURE,
                target=user.email,
                detail=detail,
                origin=origin,
            )
            return
        notifications.send_password_reset(user)
        audit_record(Event.PASSWORD_RESET_REQUEST, target=user.email, origin=origin)
        return
    audit_record(
        Event.PASSWORD_RESET_REQUEST,
        outcome=Outcome.FAILURE,
        target=email,
        detail="no mail sent",
        origin=origin,
    )


@transaction.atomic
def password_reset_complete(*, uid: str, token: str, new_password: str) -> User:
    """Use a reset link once: the new password (already validated) replaces every credential."""
    user = password_reset_link_user(uid=uid, token=token)
    # Re-check under the row lock: two submissions of one link cannot both succeed.
    User.objects.select_for_update().filter(pk=user.pk).first()
    user = password_reset_link_user(uid=uid, token=token)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(Event.PASSWORD_RESET, target=user.email)
    webhook_events.account_emit(webhook_events.ACCOUNT_PASSWORD_CHANGED, user=user, reset=True)
    credentials_revoke(user=user)
    # The owner proved control of the address: a lock set by someone guessing ends here.
    email = user.email
    transaction.on_commit(lambda: lockout_lift(email=email))
    notifications.send_password_changed(user)
    return user


# --- email change ---
@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> None:
    """Mail a confirmation link to the new address and a notice to the current one.

    Nothing changes yet. The request replaces any earlier one (its link stops working), even
    when the new address is taken. An address that already has an account gets a harmless
    notice instead of the link, and the caller's answer is the same either way.
    """
    # Under the account's row lock: two requests at once leave one pending change.
    User.objects.select_for_update().filter(pk=user.pk).first()
    PendingEmailChange.objects.filter(user=user).delete()
    notifications.send_email_change_requested(user=user, new_email=new_email)
    detail = f"to {new_email}"
    if User.objects.with_email(new_email).exists():
        notifications.send_email_change_taken(email=new_email)
        audit_record(
            Event.EMAIL_CHANGE_REQUEST,
            outcome=Outcome.FAILURE,
            target=user.email,
            detail=f"{detail} (address taken)",
        )
        return
    audit_record(Event.EMAIL_CHANGE_REQUEST, target=user.email, detail=detail)
    key, digest = email_change_key_create()
    PendingEmailChange.objects.create(user=user, new_email=new_email, key_digest=digest)
    notifications.send_email_change_link(new_email=new_email, key=key)


@transaction.atomic
def email_change_confirm(*, key: str) -> User:
    """Apply a pending email change and spend its key; the database's case-insensitive unique
    constraint settles a race for the same address. allauth's verified address moves with it."""
    pending = email_change_link_target(key=key)
    # Re-check under the account's row lock, then delete the pending row: of two submissions
    # of one key (or a submission racing a cancelling password change) only one can succeed.
    User.objects.select_for_update().filter(pk=pending.user_id).first()
    pending = email_change_link_target(key=key)
    spent, _by_model = PendingEmailChange.objects.filter(pk=pending.pk).delete()
    if not spent:
        raise AccountLinkError(LinkState.INVALID, field="key")
    user = pending.user
    old_email = user.email
    user.email = User.objects.normalize_email(pending.new_email).strip()
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as error:
        raise AccountLinkError(
            LinkState.INVALID, field="key", message=EMAIL_TAKEN_MESSAGE
        ) from error
    notifications.send_email_changed(old_email=old_email, new_email=user.email)
    audit_record(Event.EMAIL_CHANGE, target=user.email, detail=f"from {old_email}")
    webhook_events.account_emit(
        webhook_events.ACCOUNT_EMAIL_CHANGED, user=user, previous_email=old_email
    )
    return user


# --- profile ---
@transaction.atomic
def profile_update(*, user: User, names: dict[str, str]) -> User:
    """The names of `/auth/users/me/` and `/dj-rest-auth/user/` (the address changes only
    through the email-change flow)."""
    for name, value in names.items():
        setattr(user, name, value)
    user.save(update_fields=list(names))
    webhook_events.account_emit(
        webhook_events.ACCOUNT_UPDATED,
        user=user,
        first_name=user.first_name,
        last_name=user.last_name,
    )
    return user


# --- the personal-data export ---
@transaction.atomic
def personal_data_export_make(*, user: User) -> dict[str, Any]:
    """Everything Canvass holds about the account (accounts.export); the export is audited
    and the account mailed a notice."""
    document = personal_data_export(user)
    audit_record(Event.DATA_EXPORT, target=user.email)
    notifications.send_data_export_notice(user)
    return document


# --- removal ---
@transaction.atomic
def account_delete(*, user: User) -> None:
    credentials_revoke(user=user)
    audit_record(Event.DELETION, target=user.email)
    webhook_events.account_emit(webhook_events.ACCOUNT_DELETED, user=user)
    user.delete()


@transaction.atomic
def account_deactivate(*, user: User) -> None:
    """An administrator's deactivation: the account can no longer log in, anywhere."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(Event.DEACTIVATION, target=user.email)
    credentials_revoke(user=user)
