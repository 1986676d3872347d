"""Keeps allauth's EmailAddress rows in step with the user row; browser logins in the session
registry; each login's device."""

from allauth.account.internal.flows.login import get_authentication_records
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.clients import client_ip, client_user_agent
from accounts.models import TokenSession, User
from accounts.services import (
    browser_session_forget,
    browser_session_register,
    email_address_sync,
    known_device_record,
)


@receiver(post_save, sender=User, dispatch_uid="accounts.sync_email_address")
def sync_email_address(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """Mirror `User.email` and `is_active` into allauth's primary EmailAddress (the rules:
    `accounts.services.email_address_sync`).

    The user row changes in places allauth never hears of (djoser, the admin, a shell,
    `createsuperuser`), so a signal is the only hook that sees every change.
    """
    if update_fields is not None and not {"email", "is_active"} & set(update_fields):
        return
    email_address_sync(user=instance)


@receiver(user_logged_in, dispatch_uid="accounts.browser_session_registered")
def browser_session_registered(sender, request, user, **kwargs) -> None:
    """A session login (allauth's pages, the admin: Django's `login`) is a browser session of
    the registry. API logins send the same signal with no session login behind it."""
    django_request = getattr(request, "_request", request)
    session = getattr(django_request, "session", None)
    if session is not None and session.get(SESSION_KEY) == str(user.pk):
        method = browser_login_method(django_request, user)
        # Set by the code page of a login with two-factor authentication (accounts.mfa_forms).
        second_factor_at = getattr(django_request, "second_factor_at", None)
        browser_session_register(
            user=user, request=django_request, method=method, second_factor_at=second_factor_at
        )


# allauth's name of a first factor (its session's authentication records) → the registry's.
ALLAUTH_METHODS = {
    "code": TokenSession.Method.CODE,
    "socialaccount": TokenSession.Method.PROVIDER,
}


def browser_login_method(request, user) -> str:
    """How this browser login proved who it is: allauth records each factor in the session
    (accounts.code_login records a login by code so, a provider login is `socialaccount`,
    then perhaps `mfa`); anything unrecorded (the admin's login) is a password."""
    records = get_authentication_records(request, user)
    first_factors = [record.get("method") for record in records if record.get("method") != "mfa"]
    latest = first_factors[-1] if first_factors else None
    return ALLAUTH_METHODS.get(str(latest), TokenSession.Method.PASSWORD)


@receiver(user_logged_out, dispatch_uid="accounts.browser_session_forgotten")
def browser_session_forgotten(sender, request, user, **kwargs) -> None:
    """Any browser logout (allauth's, the admin's, the API's) drops its row."""
    if request is not None:
        browser_session_forget(request=getattr(request, "_request", request))


@receiver(user_logged_in, dispatch_uid="accounts.known_device")
def login_device(sender, request=None, user=None, **kwargs) -> None:
    """Every successful login sends `user_logged_in`: the API routes through
    `accounts.services.api_login_record`, allauth and the admin themselves. A login with no
    client request behind it (a shell's, a test client's `force_login`) has no device."""
    # Django's fake request has no method (its META is not empty: `login` stores a CSRF cookie).
    if request is None or user is None or getattr(request, "method", None) is None:
        return
    known_device_record(
        user=user, user_agent=client_user_agent(request), ip_address=client_ip(request)
    )
