"""The login by emailed code: ask for a code, use it (API and browser), or use its link."""

# One store (accounts.models.LoginCode) and these functions serve the API routes
# (`/auth/login/code/…`), the browser's code form beside the login page and the emailed link's
# page, so a code follows the same rules wherever it is typed. A right code only proves the
# first factor: the API ends in `login_flow.login_finish`, the browser in allauth's login flow,
# each of which applies the second factor to accounts that have one.

from typing import Any

from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import links, notifications, tasks
from accounts.audit import Event, Outcome, audit_record, request_origin
from accounts.exceptions import AccountLinkError
from accounts.lockout import attempt_release, attempt_reserve
from accounts.login_codes import (
    CODE_VALIDITY,
    MAX_WRONG_TRIES,
    code_create,
    code_digest,
    code_matches,
    link_key_create,
    link_key_digest,
)
from accounts.mail_caps import mail_cap_allows
from accounts.models import LoginCode, User
from accounts.policy import account_can_log_in
from accounts.tokens import LinkState
from api.exceptions import DomainError

# What allauth records for a login by code (its authentication records, one per factor).
BROWSER_METHOD = "code"
# The backend a browser login by code is recorded with (Django's session login needs one).
BACKEND = "accounts.backends.AccountBackend"


class LoginCodeError(DomainError):
    """A code that signs nobody in: wrong, used, expired, or for no account — one answer."""

    default_message = _(
        "This code is not valid: it may be mistyped, replaced by a newer one, "
        "expired or already used. Ask for a new one."
    )
    field = "code"


# --- asking for a code ---
def login_code_request(*, email: str) -> None:
    """Queue `login_code_mail` and return: the address is looked up after the answer, which
    therefore takes as long, and reads the same, for any address."""
    tasks.enqueue(tasks.login_code_mail, email, request_origin())


@transaction.atomic
def login_code_mail(*, email: str, origin: dict[str, Any] | None = None) -> None:
    """A new code and link for an account that may log in, replacing its earlier one, within
    the address's hourly cap. A request the cap holds back changes nothing: the earlier code
    stays valid. Unknown, unconfirmed and deactivated addresses get nothing."""
    user = User.objects.with_email(email).first()
    if user is None or not account_can_log_in(user):
        _request_refused(email, "no mail sent", origin)
        return
    # Under the account's row lock: two requests at once leave one code, the one mailed last.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if not mail_cap_allows(kind="login_code", email=user.email):
        _request_refused(user.email, "no mail sent (hourly cap reached)", origin)
        return
    code = code_create()
    key, key_digest = link_key_create()
    LoginCode.objects.filter(user=user).delete()
    LoginCode.objects.create(
        user=user,
        code_digest=code_digest(user_pk=user.pk, code=code),
        key_digest=key_digest,
        sent_to=user.email_canonical,
        expires_at=timezone.now() + CODE_VALIDITY,
    )
    notifications.send_login_code(user=user, code=code, url=links.login_code_link(key))
    audit_record(Event.LOGIN_CODE_REQUEST, target=user.email, origin=origin)


def _request_refused(email: str, detail: str, origin: dict[str, Any] | None) -> None:
    audit_record(
        Event.LOGIN_CODE_REQUEST,
        outcome=Outcome.FAILURE,
        target=email,
        detail=detail,
        origin=origin,
    )


# --- using the code ---
def login_code_user(*, request: Any, email: str, code: str) -> User:
    """The account `code` signs in, which spends the code; LoginCodeError for anything else.

    A login attempt like a password's (accounts.lockout): counted before the code is compared,
    taken back when it is right, refused unchecked while the account or client address is
    locked (the request is then flagged, and its answer becomes the lockout's 429). A wrong
    code is a failed login: audit log, lockout counter.
    """
    credentials = {"email": email}
    if settings.AXES_ENABLED:
        AxesProxyHandler.update_request(request)
        if not attempt_reserve(request, credentials):
            request.axes_locked_out = True
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            raise LoginCodeError()
    user = _code_spend(email=email, code=code)
    if user is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise LoginCodeError()
    attempt_release(request)
    return user


def _code_spend(*, email: str, code: str) -> User | None:
    """Compare `code` with the account's live code and spend it if it matches.

    Each comparison first takes one of the code's tries in a single conditional UPDATE, so
    concurrent guesses never get more than MAX_WRONG_TRIES between them, and a match deletes
    the row in one statement, so one code signs in once.
    """
    user = User.objects.with_email(email).first()
    typed_digest = code_digest(user_pk=user.pk if user else None, code=code)
    stored = LoginCode.objects.filter(user=user).first() if user is not None else None
    if user is None or stored is None or not account_can_log_in(user):
        return None
    live = LoginCode.objects.filter(
        pk=stored.pk, expires_at__gt=timezone.now(), sent_to=user.email_canonical
    )
    if not live.filter(tries__lt=MAX_WRONG_TRIES).update(tries=F("tries") + 1):
        # Expired, moved or out of tries. The row stays: a concurrent attempt may hold its last
        # try (the purge removes expired rows, the third wrong code its own).
        return None
    if not code_matches(typed_digest=typed_digest, stored_digest=stored.code_digest):
        LoginCode.objects.filter(pk=stored.pk, tries__gte=MAX_WRONG_TRIES).delete()
        return None
    spent, _by_model = LoginCode.objects.filter(pk=stored.pk).delete()
    return user if spent else None


# --- using the link ---
def login_code_link_user(*, key: str) -> User:
    """The account an emailed sign-in link would sign in; changes nothing (the link page's
    GET). AccountLinkError when the link cannot be used."""
    stored = _link_code(key)
    return stored.user


@transaction.atomic
def login_code_link_spend(*, key: str) -> User:
    """Spend the link (and its code with it): the account it signs in."""
    stored = _link_code(key)
    spent, _by_model = LoginCode.objects.filter(pk=stored.pk).delete()
    if not spent:
        raise AccountLinkError(LinkState.INVALID, field="key")
    return stored.user


def _link_code(key: str) -> LoginCode:
    stored = (
        LoginCode.objects.select_related("user").filter(key_digest=link_key_digest(key)).first()
    )
    if stored is None or not account_can_log_in(stored.user):
        raise AccountLinkError(LinkState.INVALID, field="key")
    if stored.expires_at <= timezone.now() or stored.sent_to != stored.user.email_canonical:
        raise AccountLinkError(LinkState.EXPIRED, field="key")
    return stored


# --- the browser's sign-in ---
def browser_login(
    request: HttpRequest, user: User, redirect_url: str | None = None
) -> HttpResponse:
    """Sign the browser in through allauth's login flow, recorded as a login by code (the
    session registry reads that record, accounts.signals), so every stage allauth runs after
    a first factor — two-factor authentication among them — applies."""
    signed_in = getattr(request, "user", None)
    if signed_in is not None and signed_in.is_authenticated and signed_in.pk != user.pk:
        # Another account's session ends first, as a logout: Django's login would flush it
        # silently, this login's record with it.
        auth_logout(request)
    user.backend = BACKEND  # type: ignore[attr-defined]
    record_authentication(request, user, method=BROWSER_METHOD, email=user.email)
    return perform_login(request, Login(user=user, email=user.email, redirect_url=redirect_url))
