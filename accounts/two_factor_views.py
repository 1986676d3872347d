"""The two-factor routes under /dj-rest-auth/mfa/: dj-rest-auth 7.2's paths and payloads, served
over allauth.mfa's authenticators (accounts.two_factor) — dj-rest-auth's own model is unused."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import two_factor
from accounts.login_flow import second_factor_finish
from accounts.selectors import current_session
from accounts.step_up import second_factor_step_up
from accounts.throttling import ScopedRateThrottle
from accounts.two_factor_serializers import (
    LOGIN_ANSWER,
    CodeSerializer,
    MFAStatusSerializer,
    MFAVerifySerializer,
    OptionalCodeSerializer,
    RecoveryCodesSerializer,
    TOTPActivateConfirmSerializer,
    TOTPActivateInitSerializer,
)

DETAIL = inline_serializer("MFADetail", {"detail": serializers.CharField()})
STEP_UP = (
    "`code` (a current TOTP or an unused recovery code) may be left out when the credential "
    "making the request logged in with the second factor in the last 10 minutes; otherwise it "
    'is required: `400 {"code": [...]}` when it is missing or wrong. A wrong code counts as a '
    "failed login of the account (429 once it is locked)."
)


def body_of(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


class MFAStatusView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MFAStatusSerializer}, description="Whether TOTP is on.")
    def get(self, request):
        totp = two_factor.totp_authenticator(request.user)
        return Response(
            {
                "mfa_enabled": totp is not None,
                "created_at": totp.created_at if totp else None,
                "last_used_at": totp.last_used_at if totp else None,
            }
        )


class TOTPActivateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: TOTPActivateInitSerializer},
        description="A new TOTP secret to scan (an `otpauth://` URL and its QR code as an SVG "
        "data URI) and the `activation_token` to send back with the first code; nothing is "
        "stored yet. 400 when TOTP is already on.",
    )
    def get(self, request):
        if two_factor.mfa_enabled(request.user):
            raise two_factor.TwoFactorError(two_factor.ALREADY_ON)
        setup = two_factor.totp_setup_begin(user=request.user)
        return Response(TOTPActivateInitSerializer(setup).data)

    @extend_schema(
        request=TOTPActivateConfirmSerializer,
        responses={200: RecoveryCodesSerializer.for_activation()},
        description="Turns TOTP on once `code` is a current code of the secret; answers the "
        "account's recovery codes (keep them: each works once). Mails the account.",
    )
    def post(self, request):
        serializer = TOTPActivateConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = two_factor.totp_activate(
            user=request.user,
            activation_token=serializer.validated_data["activation_token"],
            code=serializer.validated_data["code"],
        )
        return Response({"recovery_codes": codes})


class TOTPDeactivateView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(
        request=CodeSerializer,
        responses={200: DETAIL},
        description="Turns two-factor authentication off (TOTP and recovery codes) with a "
        "current TOTP or an unused recovery code; a wrong code counts as a failed login. "
        "Mails the account.",
    )
    def post(self, request):
        serializer = CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not two_factor.mfa_enabled(request.user):
            raise two_factor.TwoFactorError(two_factor.NOT_ON)
        code = serializer.validated_data["code"]
        second_factor_step_up(request=request, user=request.user, code=code)
        two_factor.totp_deactivate(user=request.user)
        return Response({"detail": _("Two-factor authentication is off.")})


class RecoveryCodesStepUpView(APIView):
    """The recovery-code routes: a code unless the credential passed the second factor lately."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    def step_up(self, request) -> None:
        serializer = OptionalCodeSerializer(data=body_of(request))
        serializer.is_valid(raise_exception=True)
        if not two_factor.mfa_enabled(request.user):
            raise two_factor.TwoFactorError(two_factor.NOT_ON)
        if two_factor.second_factor_recent(current_session(request)):
            return
        code = serializer.validated_data.get("code")
        second_factor_step_up(request=request, user=request.user, code=code)


class RecoveryCodesView(RecoveryCodesStepUpView):
    @extend_schema(
        request=OptionalCodeSerializer,
        responses={200: RecoveryCodesSerializer},
        description=f"The unused recovery codes. {STEP_UP}",
    )
    def post(self, request):
        self.step_up(request)
        return Response({"codes": two_factor.recovery_codes_unused(user=request.user)})


class RecoveryCodesRegenerateView(RecoveryCodesStepUpView):
    @extend_schema(
        request=OptionalCodeSerializer,
        responses={200: RecoveryCodesSerializer},
        description=f"New recovery codes; the old ones stop working. Mails the account. {STEP_UP}",
    )
    def post(self, request):
        self.step_up(request)
        codes = two_factor.recovery_codes_regenerate(user=request.user)
        return Response({"codes": codes})


class MFAVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(
        request=MFAVerifySerializer,
        responses={
            200: LOGIN_ANSWER,
            429: OpenApiResponse(description="Throttled, or the account is locked out."),
        },
        description="Ends a login that answered `mfa_required`: the `ephemeral_token` it "
        "gave and a current TOTP or an unused recovery code. Answers what the login's route "
        'would have: `{"auth_token"}` (/auth/token/login/), `{"access", "refresh"}` '
        '(/auth/jwt/create/), `{"key"}` (/dj-rest-auth/login/) or `{"token"}` '
        "(/api-token-auth/). The token lives 5 minutes and ends on success or at the fifth "
        "wrong code; every wrong code is a failed login of the account.",
    )
    def post(self, request):
        serializer = MFAVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = second_factor_finish(
            request=request,
            ephemeral_token=serializer.validated_data["ephemeral_token"],
            code=serializer.validated_data["code"],
        )
        return Response(body, status=status.HTTP_200_OK)
