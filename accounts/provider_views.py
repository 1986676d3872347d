"""Sign-in with an OpenID Connect provider for API clients, and the caller's provider links.

The client takes its user through the provider itself and hands Canvass the authorization code
(dj-rest-auth's SocialLoginView pattern): accounts.oidc exchanges and checks it, accounts.social
decides the account, and accounts.login_flow ends the login like every other API login.
"""

from typing import cast

from allauth.socialaccount.models import SocialAccount
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import oidc, social
from accounts.login_flow import LoginRoute, login_finish
from accounts.models import TokenSession, User
from accounts.serializers import (
    ProviderCodeSerializer,
    ProviderLoginSerializer,
    SocialAccountSerializer,
)
from accounts.views import LoginRouteMixin

REDIRECT_URI_REFUSED = "This redirect URI is not one this service accepts (OIDC_REDIRECT_URIS)."
PROVIDER_ERRORS = {
    400: OpenApiResponse(
        description="The code, redirect URI or ID token was refused, or the provider's address "
        "is not verified (the address is mailed as a sign-up would be); one answer whether or "
        "not an account holds the address."
    ),
    404: OpenApiResponse(description="No provider with this id."),
    502: OpenApiResponse(description="The provider could not be reached or did not answer as "
                         "an OpenID Connect provider does."),
}  # fmt: skip
LOGIN_ANSWER = inline_serializer(
    "ProviderLoginAnswer",
    {
        "key": serializers.CharField(required=False, help_text="Without `credential`."),
        "access": serializers.CharField(required=False, help_text='With `"credential": "jwt"`.'),
        "refresh": serializers.CharField(required=False, help_text='With `"credential": "jwt"`.'),
        "mfa_required": serializers.BooleanField(
            required=False, help_text="Two-factor authentication is on: no credential yet."
        ),
        "ephemeral_token": serializers.CharField(required=False),
    },
)


def signed_in(request: Request) -> User:
    """The caller's account (the views ask IsAuthenticated first)."""
    return cast(User, request.user)


def exchanged_login(request: Request, provider_id: str, data: dict):
    """The provider login behind the request's code, once its redirect URI is allowed."""
    if not oidc.redirect_uri_allowed(data["redirect_uri"]):
        raise serializers.ValidationError({"redirect_uri": [REDIRECT_URI_REFUSED]})
    return oidc.code_exchange(
        request=request._request,
        provider_id=provider_id,
        code=data["code"],
        redirect_uri=data["redirect_uri"],
        code_verifier=data.get("code_verifier", ""),
        nonce=data.get("nonce", ""),
    )


class ProviderLoginView(LoginRouteMixin, GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = ProviderLoginSerializer

    @extend_schema(
        operation_id="oidc_login",
        responses={200: LOGIN_ANSWER, **PROVIDER_ERRORS},
        description="Signs in with an OpenID Connect provider's authorization code: a new "
        'session, `{"key"}` (or `{"access", "refresh"}` with `"credential": "jwt"`). A '
        "provider address marked verified signs into the account holding it (linked and mailed "
        "on first use) or a new confirmed account without a password; an unverified one never "
        "signs in. Deactivated accounts, the lockout and the `login` throttle apply as for "
        "password logins.",
    )
    def post(self, request: Request, provider_id: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sociallogin = exchanged_login(request, provider_id, data)
        user = social.provider_login_user(sociallogin=sociallogin)
        route = LoginRoute.JWT if data["credential"] == "jwt" else LoginRoute.REST_AUTH
        body = login_finish(
            request=request, user=user, route=route, method=TokenSession.Method.PROVIDER
        )
        return Response(body)


class ProviderConnectView(LoginRouteMixin, GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ProviderCodeSerializer

    @extend_schema(
        operation_id="oidc_connect",
        responses={200: SocialAccountSerializer, **PROVIDER_ERRORS},
        description="Links the provider account behind the code to the signed-in account, "
        "which is mailed; a provider account linked to another account is refused.",
    )
    def post(self, request: Request, provider_id: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sociallogin = exchanged_login(request, provider_id, serializer.validated_data)
        account = social.provider_link(user=signed_in(request), sociallogin=sociallogin)
        return Response(SocialAccountSerializer(account).data)


class SocialAccountListView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SocialAccountSerializer
    pagination_class = None

    def get_queryset(self):
        return SocialAccount.objects.filter(user=self.request.user).order_by("pk")

    @extend_schema(description="The provider accounts linked to the caller's account.")
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class SocialAccountDisconnectView(SocialAccountListView):
    http_method_names = ["post", "options"]

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Removed; no body."),
            400: OpenApiResponse(
                description="The last way to sign in: no usable password and no other link."
            ),
            404: OpenApiResponse(description="No such link of the caller's."),
        },
        description="Removes a provider link, unless it is the account's last way to sign in.",
    )
    def post(self, request: Request, pk: int) -> Response:
        social.provider_unlink(user=signed_in(request), account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
