"""Where every API login ends once the account is known and allowed in: a new session and the
credential the starting route answers with.

The password routes, the login by emailed code and the identity-provider logins all finish
through `login_finish`, so a rule about what a login hands out (the session registry, the
second factor) is written once.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accounts import services, two_factor
from accounts.jwt_sessions import SessionRefreshToken, token_sid
from accounts.models import TokenSession, User


class LoginRoute(StrEnum):
    """The login routes' answers: each client gets the body its library documents."""

    TOKEN = "token"  # noqa: S105 (a route name) djoser /auth/token/login/ → {"auth_token"}
    JWT = "jwt"  # simplejwt /auth/jwt/create/ → {"access", "refresh"}
    REST_AUTH = "rest_auth"  # dj-rest-auth /dj-rest-auth/login/ → {"key"}
    OBTAIN = "obtain"  # DRF /api-token-auth/ → {"token"}


KEY_FIELDS = {
    LoginRoute.TOKEN: "auth_token",
    LoginRoute.REST_AUTH: "key",
    LoginRoute.OBTAIN: "token",
}


def credential_issue(
    *,
    request: HttpRequest,
    user: User,
    route: LoginRoute,
    method: str = TokenSession.Method.PASSWORD,
    second_factor_at: datetime | None = None,
) -> dict[str, Any]:
    """A new session of `user` and the body `route` answers a login with."""
    if route == LoginRoute.JWT:
        refresh = SessionRefreshToken.for_user(user)
        sid = str(token_sid(refresh))  # SessionRefreshToken always carries one
        services.jwt_session_register(
            user=user, sid=sid, request=request, method=method, second_factor_at=second_factor_at
        )
        body: dict[str, Any] = {"access": str(refresh.access_token), "refresh": str(refresh)}
    else:
        issued = services.token_session_start(
            user=user, request=request, method=method, second_factor_at=second_factor_at
        )
        body = {KEY_FIELDS[route]: issued.key}
    services.api_login_record(request=request, user=user)
    return body


def login_finish(
    *,
    request: HttpRequest,
    user: User,
    route: LoginRoute,
    method: str = TokenSession.Method.PASSWORD,
) -> dict[str, Any]:
    """The answer of a login whose first factor (password, emailed code, provider) passed.

    With two-factor authentication on, no credential yet: `{"mfa_required": true,
    "ephemeral_token"}`, which `second_factor_finish` turns into the route's answer. Nothing
    of the login is recorded before then (no last login, the failure count not reset)."""
    if two_factor.mfa_enabled(user):
        token = two_factor.challenge_start(user=user, route=route, method=method)
        return {"mfa_required": True, "ephemeral_token": token}
    return credential_issue(request=request, user=user, route=route, method=method)


def second_factor_finish(*, request: HttpRequest, ephemeral_token: str, code: str) -> dict:
    """`/dj-rest-auth/mfa/verify/`: the answer the login's route would have given, once the
    code passes (refusals: accounts.two_factor.challenge_pass)."""
    challenge = two_factor.challenge_pass(request=request, token=ephemeral_token, code=code)
    return credential_issue(
        request=request,
        user=challenge.user,
        route=LoginRoute(challenge.route),
        method=challenge.method,
        second_factor_at=timezone.now(),
    )
