"""Identity-provider sign-in rules: which account a provider login signs into, and the links
between accounts and provider accounts (allauth's SocialAccount rows, the one store).

The API routes (accounts/oidc_views.py) and allauth's browser flow (the social adapter in
accounts/adapters.py) both call these functions, so a provider login follows one set of rules:

- a provider account already linked signs into its account;
- an address the provider marks verified signs into the account holding it (one canonical
  address, accounts/addresses.py) and links the two; an account never confirmed first loses its
  password (whoever registered the address may not own it) and is confirmed; no account: a new,
  confirmed one without a password;
- an unverified address never signs in; it is mailed as a sign-up would mail it.
"""

from typing import Any

from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts import notifications, services
from accounts.addresses import MAX_LENGTH, AddressError, canonical_email
from accounts.audit import Event, Outcome, audit_record
from accounts.exceptions import ProviderLinkError, ProviderLoginLocked, ProviderLoginRefused
from accounts.lockout import account_locked, cooloff_seconds
from accounts.models import User
from accounts.policy import account_can_log_in
from accounts.selectors import awaits_confirmation
from webhooks.events import ACCOUNT_LINKED, ACCOUNT_UNLINKED, account_emit


def provider_name(provider_id: str) -> str:
    """The name an operator gave the provider (OIDC_PROVIDERS), or its id."""
    names = {provider["id"]: provider["name"] for provider in settings.OIDC_PROVIDERS}
    return names.get(provider_id, provider_id)


def provider_address(sociallogin: SocialLogin) -> tuple[str | None, bool]:
    """The address the provider gave and whether it says it verified it (`email_verified`)."""
    for address in sociallogin.email_addresses:
        verified: Any = address.verified
        # Some providers send the claim as a string.
        is_verified = verified is True or (isinstance(verified, str) and verified == "true")
        return address.email, is_verified
    return None, False


def provider_login_user(*, sociallogin: SocialLogin) -> User:
    """The account a provider login signs into (the link recorded), or ProviderLoginRefused.

    The mail of a refused login (an unverified address) commits before the refusal is raised.
    """
    user = _provider_login_resolve(sociallogin=sociallogin)
    if user is None:
        raise ProviderLoginRefused()
    return user


@transaction.atomic
def _provider_login_resolve(*, sociallogin: SocialLogin) -> User | None:
    account = sociallogin.account
    linked = (
        SocialAccount.objects.select_related("user")
        .filter(provider=account.provider, uid=account.uid)
        .first()
    )
    if linked is not None:
        return _allowed(linked.user, provider=account.provider)
    email, verified = provider_address(sociallogin)
    if email is not None and not _has_canonical_form(email):
        email = None
    if email is None:
        audit_record(
            Event.LOGIN,
            outcome=Outcome.FAILURE,
            detail=f"provider {account.provider}: no usable address",
        )
        return None
    if not verified:
        # As a sign-up with the address would: a confirmation link for a new account (with no
        # password: set one through a reset, or sign in with a provider that verifies it), or
        # the already-registered notice for its owner. Nothing is linked: the mailbox's owner
        # may not own this provider account.
        services.account_register(email=email, password=None, confirm_with="verification")
        audit_record(
            Event.LOGIN,
            outcome=Outcome.FAILURE,
            target=email,
            detail=f"provider {account.provider}: address not verified by the provider",
        )
        return None
    owner = User.objects.with_email(email).select_for_update().first()
    if owner is None:
        owner = _account_create(email=email, provider=account.provider)
    elif awaits_confirmation(owner):
        # Whoever registered this address never proved they own it; the provider just did.
        owner.set_unusable_password()
        owner.save(update_fields=["password"])
        services.account_confirm(user=owner)
    if _allowed(owner, provider=account.provider) is None:
        return None
    provider_link(user=owner, sociallogin=sociallogin)
    return owner


def _has_canonical_form(email: str) -> bool:
    """Accounts are looked up by the canonical address (`with_email`); the provider's spelling
    is what a new account keeps."""
    try:
        validate_email(email)
        canonical_email(email)
    except (ValidationError, AddressError):
        return False
    return len(email) <= MAX_LENGTH


def _allowed(user: User, *, provider: str) -> User | None:
    if account_can_log_in(user):
        if account_locked(email=user.email):
            raise ProviderLoginLocked(retry_after=cooloff_seconds())
        return user
    audit_record(
        Event.LOGIN,
        outcome=Outcome.FAILURE,
        target=user.email,
        detail=f"provider {provider}: account may not log in",
    )
    return None


def _account_create(*, email: str, provider: str) -> User:
    """A new account for an address the provider verified: confirmed, without a password."""
    user = User.objects.create_user(email=email, password=None, is_active=False)
    audit_record(Event.SIGNUP, target=user.email, detail=f"provider {provider}")
    services.account_confirm(user=user)
    return user


@transaction.atomic
def provider_link(*, user: User, sociallogin: SocialLogin) -> SocialAccount:
    """Record that the provider account of `sociallogin` signs into `user`, and tell the
    account. A provider account linked to another account is refused."""
    account = sociallogin.account
    existing = SocialAccount.objects.filter(provider=account.provider, uid=account.uid).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise ProviderLinkError(
                "This provider account already signs into another account.", field="code"
            )
        return existing
    account.user = user
    account.pk = None
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ProviderLinkError(
            "This provider account already signs into another account.", field="code"
        ) from None
    sociallogin.user = user
    provider_linked(user=user, provider_id=account.provider)
    return account


def provider_linked(*, user: User, provider_id: str) -> None:
    """A link was made (here, or by allauth's connections page): the account is told."""
    notifications.send_provider_linked(user=user, provider=provider_name(provider_id))
    audit_record(Event.PROVIDER_LINK, target=user.email, detail=f"provider {provider_id}")
    account_emit(ACCOUNT_LINKED, user=user, provider=provider_id)


def provider_unlinked(*, user: User, provider_id: str) -> None:
    audit_record(Event.PROVIDER_UNLINK, target=user.email, detail=f"provider {provider_id}")
    account_emit(ACCOUNT_UNLINKED, user=user, provider=provider_id)


def provider_unlink_allowed(*, user: User, account: SocialAccount) -> bool:
    """A link may go unless it is the account's last way to sign in: no usable password and no
    other provider link."""
    others = SocialAccount.objects.filter(user=user).exclude(pk=account.pk)
    return user.has_usable_password() or others.exists()


@transaction.atomic
def provider_unlink(*, user: User, account: SocialAccount) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()
    if not provider_unlink_allowed(user=user, account=account):
        raise ProviderLinkError(
            "This is the last way to sign into the account: set a password first "
            "(the password reset mails a link).",
            field="account",
        )
    provider = account.provider
    account.delete()
    provider_unlinked(user=user, provider_id=provider)
