"""Step-up checks: a signed-in account's current password or second factor, asked again, is a
login attempt."""

from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from accounts import two_factor
from accounts.models import User
from accounts.throttling import throttle_by_address


def current_password_check(*, request: Any, user: User, password: str) -> bool:
    """Whether `password` is `user`'s, checked exactly as a login of that account would be.

    A stolen token must not turn a route that asks for the current password (changing the
    password or the address, deleting the account) into an unlimited guessing oracle: the
    request shares the login routes' `login` throttle (per client address; 429 past it), a
    wrong password counts as a failed login of the account (accounts.lockout; the audit log
    records it as a failed login, detail "current password"), and while the account is
    locked even the right password is refused — the lockout's 429 with Retry-After, answered
    by axes' middleware from the flag `authenticate` sets on the request.
    """
    throttle_by_address(request, "login")
    django_request = getattr(request, "_request", request)  # the one axes' middleware reads
    django_request.step_up = True
    try:
        checked = authenticate(django_request, email=user.email, password=password)
    finally:
        del django_request.step_up
    return checked is not None and checked.pk == user.pk


def second_factor_step_up(*, request: Any, user: User, code: str | None) -> None:
    """With two-factor authentication on, a route that asks for the current password (or the
    data export) also needs `code`: a current TOTP or an unused recovery code, checked as a
    login attempt is (the `login` throttle, the lockout: a wrong code is a failed login).

    Refusals: `400 {"code": [...]}` (a DRF ValidationError) when it is missing or wrong; the
    lockout's 429 (accounts.two_factor.SecondFactorLocked). Without two-factor authentication
    it does nothing."""
    if not two_factor.mfa_enabled(user):
        return
    if not code:
        raise serializers.ValidationError({"code": [two_factor.CODE_MISSING]})
    throttle_by_address(request, "login")
    if two_factor.second_factor_attempt(request=request, user=user, code=code) is None:
        raise serializers.ValidationError({"code": [two_factor.CODE_WRONG]})
