"""Two-factor authentication over allauth.mfa's authenticators: enrolment, code checks, notices.

allauth.mfa's `Authenticator` rows are the one store: the API routes (/dj-rest-auth/mfa/…),
allauth's code page after a browser login and the admin all read them, and every code any of
them accepts is checked by `code_accept` (a TOTP once, a recovery code once) — through
`second_factor_attempt` wherever a wrong code is a failed login of the account.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from accounts import notifications
from accounts.audit import Event, audit_record
from accounts.lockout import attempt_release, attempt_reserve, cooloff_seconds
from accounts.models import SecondFactorChallenge, TokenSession, User
from accounts.services import REAUTH_WITHIN
from api.exceptions import DomainError
from webhooks.events import mfa_emit

ACTIVATION_SALT = "accounts.two_factor.activation"
ACTIVATION_MAX_AGE = 10 * 60  # seconds to scan the QR code and type the first code


class TwoFactorError(DomainError):
    """A refused enrolment, code or ephemeral token (400 on the field at fault)."""


class SecondFactorLocked(DomainError):
    """Too many failed logins of the account, wrong codes included: the lockout's answer."""

    status = 429  # type: ignore[assignment]
    code = "locked_out"
    default_message = _("Too many failed login attempts. Try again later.")

    def __init__(self, *, checked: bool) -> None:
        super().__init__()
        self.retry_after = cooloff_seconds()
        self.checked = checked  # False: refused by the lock before the code was looked at


CODE_WRONG = _("The code is not valid: it is wrong, expired or already used.")
CODE_MISSING = _("Enter a code from your authenticator app, or a recovery code.")
ALREADY_ON = _("Two-factor authentication is already on.")
NOT_ON = _("Two-factor authentication is not on.")


def totp_authenticator(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def mfa_enabled(user: User) -> bool:
    """Whether the account has TOTP on (recovery codes alone are no second factor)."""
    return user.is_authenticated and (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


# --- enrolment ---
@dataclass(frozen=True)
class TotpSetup:
    secret: str
    totp_url: str
    qr_code_data_uri: str
    activation_token: str


def totp_setup_begin(*, user: User) -> TotpSetup:
    """A new secret to scan. Nothing is stored: the secret travels, encrypted and signed for
    this account, in the activation token the client hands back with its first code."""
    adapter = get_adapter()
    secret = generate_totp_secret()
    url = adapter.build_totp_url(user, secret)
    svg = adapter.build_totp_svg(url)  # the qrcode package, drawn locally
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    token = signing.dumps(
        {"user": user.pk, "secret": adapter.encrypt(secret)}, salt=ACTIVATION_SALT, compress=True
    )
    return TotpSetup(secret=secret, totp_url=url, qr_code_data_uri=data_uri, activation_token=token)


def totp_counter_of(secret: str, code: str) -> int | None:
    """The time step (±1 around now) whose RFC 6238 code `code` is, if any."""
    for counter in yield_hotp_counters_from_time():
        if constant_time_compare(format_hotp_value(hotp_value(secret, counter)), code):
            return counter
    return None


def code_normalize(code: str) -> str:
    return "".join(str(code).split()).replace("-", "")


def totp_activate(*, user: User, activation_token: str, code: str) -> list[str]:
    """Turn TOTP on with the secret of `activation_token` once `code` proves the app has it;
    the account's new recovery codes."""
    try:
        data = signing.loads(activation_token, salt=ACTIVATION_SALT, max_age=ACTIVATION_MAX_AGE)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        message = _("This activation token is not valid or has expired; ask for a new one.")
        raise TwoFactorError(message, field="activation_token")
    secret = get_adapter().decrypt(data["secret"])
    counter = totp_counter_of(secret, code_normalize(code))
    if counter is None:
        raise TwoFactorError(CODE_WRONG, field="code")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # one enrolment at a time
        if mfa_enabled(user):
            raise TwoFactorError(ALREADY_ON)
        totp = TOTP.activate(user, secret).instance
        totp.data["last_counter"] = counter  # the code just typed logs nobody in
        totp.save(update_fields=["data"])
        Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()
        codes = RecoveryCodes.activate(user)
        mfa_emit(user=user, enabled=True)
        transaction.on_commit(lambda: mfa_enabled_announce(user=user, authenticator=totp))
    return codes.generate_codes()


def totp_deactivate(*, user: User, actor: User | None = None) -> bool:
    """Turn two-factor authentication off (TOTP and recovery codes); whether it was on.
    `actor`: a staff member resetting it from the admin."""
    with transaction.atomic():
        totp = totp_authenticator(user)
        Authenticator.objects.filter(user=user).delete()
        if totp is not None:
            mfa_emit(user=user, enabled=False)
            transaction.on_commit(
                lambda: mfa_disabled_announce(user=user, authenticator=totp, actor=actor)
            )
    return totp is not None


def recovery_codes_unused(*, user: User) -> list[str]:
    found = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    return found.wrap().get_unused_codes() if found is not None else []


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()
        codes = RecoveryCodes.activate(user)
        transaction.on_commit(lambda: recovery_codes_announce(user=user, codes=codes.instance))
    return codes.generate_codes()


# --- checking a code ---
def code_accept(*, user: User, code: str) -> Authenticator | None:
    """The authenticator that accepts `code` — a TOTP of a time step later than the last one
    accepted (so each code works once), or an unused recovery code, then used up — or None.

    The rows are locked: two requests with one code cannot both pass."""
    code = code_normalize(code)
    if not code or not code.isdigit():
        return None
    with transaction.atomic():
        rows = Authenticator.objects.select_for_update().filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        )
        for row in rows.order_by("pk"):
            if row.type == Authenticator.Type.TOTP:
                counter = totp_counter_of(get_adapter().decrypt(row.data["secret"]), code)
                if counter is None or counter <= row.data.get("last_counter", -1):
                    continue
                row.data["last_counter"] = counter
                row.last_used_at = timezone.now()
                row.save(update_fields=["data", "last_used_at"])
                return row
            if row.wrap().validate_code(code):  # marks the recovery code used
                row.record_usage()
                transaction.on_commit(partial(recovery_code_used_announce, user=user, row=row))
                return row
    return None


def second_factor_attempt(*, request, user: User, code: str) -> Authenticator | None:
    """`code_accept` as a login attempt of the account: counted by the lockout before the code
    is checked (accounts.lockout), a wrong code a failed login (audited, detail "two-factor
    code"), and no code checked while the account is locked (`SecondFactorLocked`)."""
    if not settings.AXES_ENABLED:  # the lockout is off for passwords too
        return code_accept(user=user, code=code)
    django_request = getattr(request, "_request", request)
    AxesProxyHandler.update_request(django_request)
    credentials = {"email": user.email}
    if not attempt_reserve(django_request, credentials):
        django_request.axes_locked_out = True  # pages get the lockout's page (axes' middleware)
        raise SecondFactorLocked(checked=False)
    accepted = code_accept(user=user, code=code)
    if accepted is not None:
        attempt_release(django_request)
        return accepted
    django_request.second_factor = True
    try:
        user_login_failed.send(sender=__name__, credentials=credentials, request=django_request)
    finally:
        del django_request.second_factor
    if getattr(django_request, "axes_locked_out", False):
        raise SecondFactorLocked(checked=True)
    return None


# --- the ephemeral token of a login waiting for its code ---
def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def challenge_start(*, user: User, route: str, method: str) -> str:
    """The ephemeral token of a login whose first factor passed; only its digest is kept."""
    now = timezone.now()
    SecondFactorChallenge.objects.filter(
        user=user, created_at__lt=now - SecondFactorChallenge.LIFETIME
    ).delete()
    token = secrets.token_urlsafe(32)
    SecondFactorChallenge.objects.create(
        user=user, token_digest=token_digest(token), route=route, method=method, created_at=now
    )
    return token


EPHEMERAL_TOKEN_INVALID = _(
    "This login has expired or ended; log in again with your password (or your first factor)."
)


def challenge_pass(*, request, token: str, code: str) -> SecondFactorChallenge:
    """The challenge of `token` once `code` passes, ended; a wrong code counts against the
    challenge (ended at its fifth) and as a failed login of the account."""
    digest = token_digest(str(token))
    with transaction.atomic():
        challenge = (
            SecondFactorChallenge.objects.select_for_update(of=("self",))  # not the user row
            .select_related("user")
            .filter(token_digest=digest)
            .first()
        )
        # An expired row stays until the account's next login purges it (challenge_start).
        if challenge is None or challenge.expired:
            raise TwoFactorError(EPHEMERAL_TOKEN_INVALID, field="ephemeral_token")
        locked: SecondFactorLocked | None = None
        try:
            accepted = second_factor_attempt(request=request, user=challenge.user, code=code)
        except SecondFactorLocked as error:
            accepted, locked = None, error
        if accepted is not None:
            challenge.delete()
            return challenge
        if locked is not None and not locked.checked:
            raise locked
        challenge.failures += 1
        if challenge.failures >= SecondFactorChallenge.MAX_FAILURES:
            challenge.delete()
        else:
            challenge.save(update_fields=["failures"])
    if locked is not None:
        raise locked
    raise TwoFactorError(CODE_WRONG, field="code")


def second_factor_recent(session: TokenSession | None, *, now: datetime | None = None) -> bool:
    """Whether the session making a request passed the second factor in the last 10 minutes."""
    if session is None or session.second_factor_at is None:
        return False
    return (now or timezone.now()) - session.second_factor_at <= REAUTH_WITHIN


# --- notices and the audit trail (never a secret or a code) ---
def mfa_enabled_announce(*, user: User, authenticator: Authenticator) -> None:
    audit_record(Event.MFA_ENABLED, target=user.email, detail="totp")
    notifications.send_two_factor_notice(user=user, change="enabled")
    mfa_signals.authenticator_added.send(
        sender=Authenticator, request=None, user=user, authenticator=authenticator
    )


def mfa_disabled_announce(
    *, user: User, authenticator: Authenticator, actor: User | None = None
) -> None:
    detail = "reset by staff" if actor is not None else "totp"
    audit_record(Event.MFA_DISABLED, target=user.email, actor=actor, detail=detail)
    notifications.send_two_factor_notice(
        user=user, change="reset" if actor is not None else "disabled"
    )
    mfa_signals.authenticator_removed.send(
        sender=Authenticator, request=None, user=user, authenticator=authenticator
    )


def recovery_codes_announce(*, user: User, codes: Authenticator) -> None:
    audit_record(Event.MFA_RECOVERY_CODES_REGENERATED, target=user.email)
    notifications.send_two_factor_notice(user=user, change="regenerated")
    mfa_signals.authenticator_reset.send(
        sender=Authenticator, request=None, user=user, authenticator=codes
    )


def recovery_code_used_announce(*, user: User, row: Authenticator) -> None:
    left = len(row.wrap().get_unused_codes())
    audit_record(Event.MFA_RECOVERY_CODE_USED, target=user.email, actor=user, detail=f"{left} left")
    notifications.send_two_factor_notice(user=user, change="recovery_code_used", codes_left=left)
