"""The one rule deciding whether an account may log in, asked by every login route."""

from typing import Any


def account_can_log_in(user: Any) -> bool:
    """An account may log in once its address is confirmed, until an administrator deactivates it.

    Both states are `is_active`: both registration routes create accounts inactive, and
    `accounts.services.account_confirm` (the end of djoser activation and of allauth email
    verification) activates them. `User.objects.confirmed()` is the queryset form of this rule.
    The authentication backend (`accounts.backends`), the API authentication classes and
    allauth's adapter all call this function, so no route can hand out a credential it refuses.
    """
    return user is not None and bool(user.is_active)


def jwt_user_authentication_rule(user: Any) -> bool:
    """simplejwt's USER_AUTHENTICATION_RULE (token obtain and refresh): the same rule."""
    return account_can_log_in(user)
