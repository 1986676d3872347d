"""OpenAPI descriptions the account libraries cannot give themselves (spectacular extensions)."""

from django.conf import settings
from drf_spectacular.contrib.rest_framework_simplejwt import (
    SimpleJWTScheme,
    TokenObtainPairSerializerExtension,
)
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiViewExtension,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view

# --- security schemes: the three ways to authenticate (README "Integrating a client") ---


class AccountTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        # OpenAPI's `http` type knows only the Basic and Bearer prefixes, so a prefixed key is
        # an API key whose value is the whole header.
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A token session: `Authorization: Token <key>`. Every login on "
            "`POST /auth/token/login/` (`auth_token`), `POST /auth/login/code/confirm/` "
            "(`auth_token`), `POST /dj-rest-auth/login/` (`key`) or `POST /api-token-auth/` "
            "(`token`) returns a new key. In Swagger UI's Authorize "
            "dialog enter `Token <key>`.",
        }


class AccountJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.JWTAuthentication"

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": "A JWT access token: `Authorization: Bearer <access>`, from "
            "`POST /auth/jwt/create/` (or `POST /auth/login/code/confirm/` with "
            '`"credential": "jwt"`); renew it with the refresh token at '
            "`POST /auth/jwt/refresh/`. In Swagger UI's Authorize dialog paste the access "
            "token alone.",
        }


class SessionCookieScheme(OpenApiAuthenticationExtension):
    target_class = "rest_framework.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The session of a browser sign-in at `/accounts/login/` (the "
            "browsable API and the admin). Requests that change something also need the "
            "`X-CSRFToken` header holding the `csrftoken` cookie's value.",
        }


# --- serializers ---


class DjoserTokenSerializerExtension(OpenApiSerializerExtension):
    """djoser's and dj-rest-auth's token serializers share the class name `TokenSerializer`;
    each gets a component of its own instead of a collision."""

    target_class = "djoser.serializers.TokenSerializer"

    def get_name(self, auto_schema, direction):
        return "DjoserToken"


class RestAuthTokenSerializerExtension(OpenApiSerializerExtension):
    target_class = "dj_rest_auth.serializers.TokenSerializer"

    def get_name(self, auto_schema, direction):
        return "RestAuthToken"


class AccountTokenObtainPairSerializerExtension(TokenObtainPairSerializerExtension):
    """simplejwt's login payload and answer (`{"email", "password"}` → `{"access", "refresh"}`)
    for Canvass's subclass, which the contrib extension matches only by exact class."""

    target_class = "accounts.serializers.TokenObtainPairSerializer"

    def get_name(self, auto_schema, direction):
        return "TokenObtainPair"


# --- library views mounted as they are (accounts/urls.py) ---

INVALID_JWT = OpenApiResponse(
    description="The token is malformed, expired, blacklisted, of a session ended by a logout, "
    "or its account cannot log in."
)


class UserDetailsViewExtension(OpenApiViewExtension):
    target_class = "dj_rest_auth.views.UserDetailsView"

    def view_replacement(self):
        class UserDetailsView(self.target):
            pass

        profile = "The signed-in account, as on `/auth/users/me/`."
        names = (
            "Changes the names (`first_name`, `last_name`); the address changes only through "
            "`POST /auth/users/set_email/`."
        )
        return extend_schema_view(
            get=extend_schema(description=profile),
            put=extend_schema(description=names),
            patch=extend_schema(description=names),
        )(UserDetailsView)


class TokenRefreshViewExtension(OpenApiViewExtension):
    target_class = "rest_framework_simplejwt.views.TokenRefreshView"

    def view_replacement(self):
        from accounts.serializers import TokenRefreshSerializer

        class TokenRefreshView(self.target):
            pass

        return extend_schema_view(
            post=extend_schema(
                description="A new access token and a new refresh token; the refresh token "
                "sent is blacklisted (one use each).",
                responses={200: TokenRefreshSerializer, 401: INVALID_JWT},
            )
        )(TokenRefreshView)


class TokenVerifyViewExtension(OpenApiViewExtension):
    target_class = "rest_framework_simplejwt.views.TokenVerifyView"

    def view_replacement(self):
        class TokenVerifyView(self.target):
            pass

        return extend_schema_view(
            post=extend_schema(
                description="`200 {}` when the token (access or refresh) would be accepted; "
                '`401 {"detail", "code": "token_not_valid"}` when authentication would refuse '
                "it, as for a malformed or expired token.",
                responses={
                    200: OpenApiResponse(
                        OpenApiTypes.OBJECT, description="Valid; an empty object."
                    ),
                    401: INVALID_JWT,
                },
            )
        )(TokenVerifyView)


# The routes a person uses before having any credential: Swagger UI shows them without a
# padlock and sends no Authorization header. Credentials sent anyway are still checked (401).
CREDENTIAL_FREE_ROUTES = {
    "/auth/users/": {"post"},
    "/auth/users/activation/": {"post"},
    "/auth/users/resend_activation/": {"post"},
    "/auth/users/reset_password/": {"post"},
    "/auth/users/reset_password_confirm/": {"post"},
    "/auth/users/set_email/confirm/": {"post"},
    "/auth/token/login/": {"post"},
    "/auth/jwt/create/": {"post"},
    "/auth/jwt/refresh/": {"post"},
    "/auth/jwt/verify/": {"post"},
    "/dj-rest-auth/login/": {"post"},
    "/dj-rest-auth/registration/": {"post"},
    "/dj-rest-auth/registration/verify-email/": {"post"},
    "/dj-rest-auth/registration/resend-email/": {"post"},
    "/dj-rest-auth/password/reset/": {"post"},
    "/dj-rest-auth/password/reset/confirm/": {"post"},
    "/api-token-auth/": {"post"},
}


def credential_free_routes(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry (after api.schema's): sign-up, login, confirmation and reset
    routes need no credential; their operations list no security requirement."""
    for path, methods in CREDENTIAL_FREE_ROUTES.items():
        for method in methods:
            operation = result["paths"].get(path, {}).get(method)
            if operation is not None:
                operation["security"] = []
    return result


PROVIDER_ROUTES = ("/dj-rest-auth/oidc/", "/dj-rest-auth/socialaccounts/")


def provider_routes_only_when_configured(endpoints):
    """PREPROCESSING_HOOKS entry: without OIDC_PROVIDERS the provider routes are not offered,
    so the document does not list them."""
    if settings.OIDC_PROVIDERS:
        return endpoints
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith(PROVIDER_ROUTES)]
