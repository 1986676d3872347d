"""Account API views: the libraries' views, each changed at one method to call the services."""

# djoser's routes (/auth/…) and dj-rest-auth's (/dj-rest-auth/…) keep their paths and payloads;
# whatever either does to an account happens in the same accounts.services function.

from collections.abc import Mapping, Sequence

from dj_rest_auth import views as rest_auth_views
from dj_rest_auth.registration import views as registration_views
from dj_rest_auth.serializers import TokenSerializer as RestAuthTokenSerializer
from django.utils.translation import gettext_lazy as _
from djoser import signals
from djoser import views as djoser_views
from djoser.serializers import TokenSerializer as DjoserTokenSerializer
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from accounts import code_login, services
from accounts.backends import AWAITS_CONFIRMATION
from accounts.login_flow import LoginRoute, login_finish
from accounts.models import TokenSession, User
from accounts.selectors import current_session, sessions_of
from accounts.serializers import (
    EmailSerializer,
    KeySerializer,
    LoginCodeConfirmSerializer,
    ObtainTokenSerializer,
    PersonalDataExportSerializer,
    SessionEndSerializer,
    SessionSerializer,
)
from accounts.throttling import ActionScopeMixin, ScopedRateThrottle
from accounts.tokens import password_reset_tokens
from accounts.two_factor_serializers import (
    MFARequiredSerializer,
    ObtainAnswerSerializer,
    PairAnswerSerializer,
    login_answer,
)

NO_CONTENT = OpenApiResponse(description="Done; no body.")
UNCONFIRMED = _(
    "Confirm your address first: open the link in the mail we sent (resend: POST "
    '/auth/users/resend_activation/ {"email"}, or the page /accounts/resend-confirmation/).'
)
DETAIL = inline_serializer("AccountDetail", {"detail": serializers.CharField()})
LOGOUT_REQUEST = inline_serializer("Logout", {"refresh": serializers.CharField(required=False)})
# OpenAPI texts of the routes whose library docstrings describe another set-up.
LOGIN = (
    "Only confirmed, active accounts log in. Every login route shares the `login` throttle and "
    "one failed-login counter per account: too many failures answer 429 with Retry-After."
)
MFA_REQUIRED = (
    'With two-factor authentication on, the answer is `{"mfa_required": true, '
    '"ephemeral_token"}` and no credential: send the token with a code to '
    "/dj-rest-auth/mfa/verify/, which answers what this route would have."
)
OWN_ACCOUNT = "Only your own account (staff: any); another id is 404."
STEP_UP_REFUSED = (
    'Wrong or no password (`{"current_password": [...]}`); with two-factor authentication on, '
    'also a wrong or missing `code` (`{"code": [...]}`).'
)
DELETE_ACCOUNT = (
    'Deletes the account; the JSON body `{"current_password"}` is required (400 without it).'
)
ENDS_JWT_SESSION = (
    "Ends the JWT session of the Bearer access token that authenticates the request, and of "
    'the refresh token sent as `{"refresh"}` (which is blacklisted): none of that login\'s '
    "access or refresh tokens is accepted again. Other JWT logins of the account keep working."
)
NAMES_ONLY = "Changes the names; the address changes only through `set_email`."
_RECORDS = serializers.ListField(child=serializers.DictField())
PERSONAL_DATA_EXPORT = inline_serializer(
    "PersonalDataExport",
    {
        "exported_at": serializers.DateTimeField(),
        "account": serializers.DictField(),
        "email_addresses": _RECORDS,
        "sessions": _RECORDS,
        "audit_events": _RECORDS,
        "surveys": _RECORDS,
        "responses": _RECORDS,
        "social_accounts": _RECORDS,
    },
)


def refresh_from(request: Request) -> object:
    """A JWT refresh token handed in at logout, if the body is an object that has one."""
    return request.data.get("refresh") if isinstance(request.data, Mapping) else None


class LoginRouteMixin:
    """Every API login route: the one `login` throttle scope, and axes' lockout as a 429.

    axes flags the request object `authenticate()` received — DRF's — while its middleware
    reads Django's; copying the flag lets the middleware answer with the lockout response.
    """

    throttle_scope = "login"
    throttle_classes: Sequence[type[BaseThrottle]] = [ScopedRateThrottle]

    def handle_exception(self, exc):
        """The right password for an account never confirmed: say what to do, in the body
        and status this route's library answers a refused login with."""
        if getattr(self.request, AWAITS_CONFIRMATION, False):
            if isinstance(exc, exceptions.AuthenticationFailed):
                exc = exceptions.AuthenticationFailed(UNCONFIRMED, "account_unconfirmed")
            elif isinstance(exc, exceptions.ValidationError):
                exc = exceptions.ValidationError({"non_field_errors": [UNCONFIRMED]}, "unconfirmed")
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(request, "axes_locked_out", False):
            request._request.axes_locked_out = True
            request._request.axes_credentials = getattr(request, "axes_credentials", None)
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


# --- djoser: /auth/ ---
@extend_schema_view(
    list=extend_schema(description="Your own account only (staff: every account)."),
    retrieve=extend_schema(description=OWN_ACCOUNT),
    update=extend_schema(description=f"{NAMES_ONLY} {OWN_ACCOUNT}"),
    partial_update=extend_schema(description=f"{NAMES_ONLY} {OWN_ACCOUNT}"),
    destroy=extend_schema(
        description=f"{DELETE_ACCOUNT} {OWN_ACCOUNT}",
        responses={204: NO_CONTENT, 400: OpenApiResponse(description=STEP_UP_REFUSED)},
    ),
    me=[
        extend_schema(methods=["GET"], description="The signed-in account."),
        extend_schema(methods=["PUT", "PATCH"], description=NAMES_ONLY),
        extend_schema(
            methods=["DELETE"],
            description=DELETE_ACCOUNT,
            responses={
                204: NO_CONTENT,
                400: OpenApiResponse(description=STEP_UP_REFUSED),
            },
        ),
    ],
)
class AccountViewSet(ActionScopeMixin, djoser_views.UserViewSet):
    """djoser's users resource over Canvass's services.

    djoser's username-reset actions (`users/reset_email/`, `users/reset_email_confirm/`) are
    removed: with the address as identity they would move an account to an unverified address.
    """

    token_generator = password_reset_tokens
    # A stable order for the paginated list (HIDE_USERS shows a user only themselves).
    queryset = User.objects.order_by("pk")
    # Ids are integers: `users/reset_email/` must be a 404, not a detail route named so.
    lookup_value_regex = "[0-9]+"
    reset_username = None
    reset_username_confirm = None
    throttle_scopes = {
        "create": "registration",
        "activation": "activation",
        "resend_activation": "activation",
        "reset_password": "password_reset",
        "reset_password_confirm": "password_reset",
        "set_username": "email_change",
        "set_email_confirm": "email_change",
    }
    # Checked as a login attempt (accounts.step_up): the OpenAPI document adds their 429.
    current_password_asked = {
        "set_password": {"POST"},
        "set_username": {"POST"},
        "me": {"DELETE"},
        "destroy": {"DELETE"},
        "export": {"POST"},
    }

    @extend_schema(
        responses={201: inline_serializer("Registered", {"email": serializers.EmailField()})},
        description="Answers the same for a new and an already registered address; the "
        "address's owner gets either the activation link or a notice.",
    )
    def create(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.account_register(
            email=data["email"], password=data["password"], confirm_with="activation"
        )
        return Response({"email": data["email"]}, status.HTTP_201_CREATED)

    def get_queryset(self):
        # Only staff look past their own account. djoser's HIDE_USERS turns another account's
        # id into a 404 worded unlike an unknown id's, and into a 403 for DELETE; here every
        # id but one's own is unknown, so ids tell nothing about who has an account.
        queryset = super().get_queryset()
        user = self.request.user
        return queryset if user.is_staff else queryset.filter(pk=user.pk)

    def validated_data(self, request) -> dict:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def perform_update(self, serializer):
        # djoser's version re-sends an activation mail to inactive accounts; names only here.
        serializer.save()
        signals.user_updated.send(
            sender=self.__class__, user=serializer.instance, request=self.request
        )

    def perform_destroy(self, instance):
        services.account_delete(user=instance)

    @extend_schema(
        responses={204: NO_CONTENT},
        description="Confirms the address with the `uid` and `token` of the activation link.",
    )
    @action(["post"], detail=False)
    def activation(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.account_activate(uid=data["uid"], token=data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=EmailSerializer,
        responses={204: NO_CONTENT},
        description="Mails a new activation link if the address awaits confirmation; answers "
        "the same for any address.",
    )
    @action(["post"], detail=False)
    def resend_activation(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.confirmation_resend(email=data["email"], confirm_with="activation")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={204: NO_CONTENT},
        description="Ends every other session of the account (token sessions, JWT refresh "
        "tokens, browser sessions); the caller's token or browser session keeps working.",
    )
    @action(["post"], detail=False)
    def set_password(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.password_change(
            user=request.user, new_password=data["new_password"], request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=EmailSerializer,
        responses={204: NO_CONTENT},
        description="Mails a password-reset link if an active account has the address; "
        "answers the same for any address.",
    )
    @action(["post"], detail=False)
    def reset_password(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.password_reset_request(email=data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={204: NO_CONTENT},
        description="Sets the new password with the `uid` and `token` of the reset link and "
        "signs the account out everywhere.",
    )
    @action(["post"], detail=False)
    def reset_password_confirm(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.password_reset_complete(
            uid=data["uid"], token=data["token"], new_password=data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={204: NO_CONTENT},
        description="Mails a confirmation link to the new address and a notice to the current "
        "one; nothing changes until the link is used. Answers the same whether or not the new "
        "address is taken.",
    )
    @action(["post"], detail=False, url_path="set_email")
    def set_username(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.email_change_request(user=request.user, new_email=data["new_email"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=KeySerializer,
        responses={204: NO_CONTENT},
        description="Moves the account to the new address with the `key` of the email-change link.",
    )
    @action(
        ["post"],
        detail=False,
        url_path="set_email/confirm",
        serializer_class=KeySerializer,
        permission_classes=[AllowAny],
    )
    def set_email_confirm(self, request, *args, **kwargs):
        data = self.validated_data(request)
        services.email_change_confirm(key=data["key"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=PersonalDataExportSerializer,
        responses={
            200: PERSONAL_DATA_EXPORT,
            400: OpenApiResponse(description="Wrong or no password."),
        },
        description="Everything Canvass holds about the signed-in account, as one JSON "
        'document (docs/webhooks.md, "The personal-data export"). Needs the current password '
        "(and `code` with two-factor authentication on); "
        "the account is mailed a notice and the export is audited.",
    )
    @action(
        ["post"],
        detail=False,
        url_path="me/export",
        serializer_class=PersonalDataExportSerializer,
        permission_classes=[IsAuthenticated],
    )
    def export(self, request, *args, **kwargs):
        self.validated_data(request)
        return Response(services.personal_data_export_make(user=request.user))


@extend_schema_view(
    post=extend_schema(
        responses={200: login_answer("TokenLoginAnswer", DjoserTokenSerializer)},
        description=f"{LOGIN} {MFA_REQUIRED}",
    )
)
class TokenLoginView(LoginRouteMixin, djoser_views.TokenCreateView):
    def _action(self, serializer):
        # djoser's login_user would hand out the account's one DRF token (get_or_create).
        body = login_finish(request=self.request, user=serializer.user, route=LoginRoute.TOKEN)
        return Response(body)


class TokenLogoutView(djoser_views.TokenDestroyView):
    @extend_schema(
        request=LOGOUT_REQUEST,
        responses={204: NO_CONTENT},
        description=f"Ends the token session of the key that authenticates the request (other "
        f"logins keep working). {ENDS_JWT_SESSION}",
    )
    def post(self, request):
        services.account_logout(request=request, refresh=refresh_from(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=extend_schema(
        responses={
            200: login_answer("JWTLoginAnswer", PairAnswerSerializer),
            401: OpenApiResponse(description="No account that may log in has these credentials."),
        },
        description=f"{LOGIN} {MFA_REQUIRED}",
    )
)
class JWTCreateView(LoginRouteMixin, jwt_views.TokenObtainPairView):
    pass


@extend_schema_view(
    post=extend_schema(
        responses={200: login_answer("ObtainTokenAnswer", ObtainAnswerSerializer)},
        description=f'`"username"` holds the email. {LOGIN} {MFA_REQUIRED}',
    )
)
class ObtainTokenView(LoginRouteMixin, ObtainAuthToken):
    """DRF's obtain-token view: `{"username": <email>, "password"}` → `{"token"}`."""

    serializer_class = ObtainTokenSerializer
    # DRF's view names its own parsers; the project's (DEFAULT_PARSER_CLASSES) refuse what
    # would crash them.
    parser_classes = APIView.parser_classes

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        return Response(login_finish(request=request, user=user, route=LoginRoute.OBTAIN))


# --- login by emailed code: /auth/login/code/ ---
CODE_LOGIN = (
    "A code works once, for 10 minutes, and 3 wrong codes end it; a newer request replaces it. "
    "A wrong, used, expired or unknown code answers the same 400. A wrong code counts as a "
    f"failed login. {LOGIN}"
)


class LoginCodeRequestView(LoginRouteMixin, APIView):
    """`POST /auth/login/code/ {"email"}`: queue a sign-in code (accounts.code_login)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=EmailSerializer,
        responses={204: NO_CONTENT},
        description="Mails a sign-in code and link if a confirmed, active account has the "
        "address (at most MAIL_CAP_PER_HOUR an hour; a request past the cap changes "
        "nothing); answers the same for any address.",
    )
    def post(self, request):
        serializer = EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code_login.login_code_request(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginCodeConfirmView(LoginRouteMixin, APIView):
    """`POST /auth/login/code/confirm/ {"email", "code"}`: the code's login, ended by
    `login_finish` like every API login."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=LoginCodeConfirmSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="LoginCodeCredential",
                serializers=[DjoserTokenSerializer, PairAnswerSerializer, MFARequiredSerializer],
                resource_type_field_name=None,
            ),
            400: OpenApiResponse(
                description='`{"code": [...]}`: the code signs nobody in (the same answer for '
                "a wrong, used, expired or unknown code and an unknown address)."
            ),
        },
        description=CODE_LOGIN,
    )
    def post(self, request):
        serializer = LoginCodeConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = code_login.login_code_user(request=request, email=data["email"], code=data["code"])
        route = LoginRoute.JWT if data["credential"] == "jwt" else LoginRoute.TOKEN
        body = login_finish(
            request=request, user=user, route=route, method=TokenSession.Method.CODE
        )
        return Response(body)


# --- dj-rest-auth: /dj-rest-auth/ ---
@extend_schema_view(
    post=extend_schema(
        responses={200: login_answer("RestAuthLoginAnswer", RestAuthTokenSerializer)},
        description=f"{LOGIN} {MFA_REQUIRED}",
    )
)
class RestAuthLoginView(LoginRouteMixin, rest_auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        # dj-rest-auth's login() would hand out the account's one DRF token (TOKEN_CREATOR).
        self.request = request
        self.serializer = self.get_serializer(data=request.data)
        self.serializer.is_valid(raise_exception=True)
        user = self.serializer.validated_data["user"]
        return Response(login_finish(request=request, user=user, route=LoginRoute.REST_AUTH))


class RestAuthLogoutView(rest_auth_views.LogoutView):
    throttle_scope = ""
    http_method_names = ["post", "options"]

    @extend_schema(
        request=LOGOUT_REQUEST,
        responses={200: DETAIL},
        description="Ends the token session of the key, or the browser session, that "
        f"authenticates the request (other logins keep working). {ENDS_JWT_SESSION}",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def logout(self, request):
        services.account_logout(request=request, refresh=refresh_from(request))
        return Response({"detail": _("Successfully logged out.")})


class RestAuthPasswordChangeView(rest_auth_views.PasswordChangeView):
    throttle_scope = ""
    current_password_asked = {None: {"POST"}}  # a login attempt (accounts.step_up)

    @extend_schema(
        responses={200: DETAIL},
        description="Ends every other session of the account (token sessions, JWT refresh "
        "tokens, browser sessions); the caller's token or browser session keeps working.",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


@extend_schema_view(
    post=extend_schema(
        responses={200: DETAIL},
        description="Mails the same password-reset link as `/auth/users/reset_password/`; "
        "answers the same for any address.",
    )
)
class RestAuthPasswordResetView(rest_auth_views.PasswordResetView):
    throttle_scope = "password_reset"


@extend_schema_view(
    post=extend_schema(
        responses={200: DETAIL},
        description="Sets the new password with the `uid` and `token` of the reset link (from "
        "either route) and signs the account out everywhere.",
    )
)
class RestAuthPasswordResetConfirmView(rest_auth_views.PasswordResetConfirmView):
    throttle_scope = "password_reset"


class RestAuthRegisterView(registration_views.RegisterView):
    throttle_scope = "registration"

    @extend_schema(
        responses={201: DETAIL},
        description="Answers the same for a new and an already registered address; the "
        "address's owner gets either the verification link or a notice.",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer):
        # The service sent the verification (or the owner's notice); allauth's
        # complete_signup would log in or mail a second time.
        serializer.save(self.request)


class RestAuthVerifyEmailView(registration_views.VerifyEmailView):
    throttle_scope = "activation"

    def get_serializer(self, *args, **kwargs):
        return KeySerializer(*args, **kwargs)  # the key bounded in length

    @extend_schema(
        request=KeySerializer,
        responses={200: DETAIL},
        description="Confirms the address with the `key` of the verification link.",
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.email_address_verify(key=serializer.validated_data["key"])
        return Response({"detail": _("ok")})


class RestAuthResendEmailView(registration_views.ResendEmailVerificationView):
    throttle_scope = "activation"
    serializer_class = EmailSerializer  # the address bounded in length

    @extend_schema(
        request=EmailSerializer,
        responses={200: DETAIL},
        description="Mails a new verification link if the address awaits confirmation; "
        "answers the same for any address.",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.confirmation_resend(
            email=serializer.validated_data["email"], confirm_with="verification"
        )
        return Response({"detail": _("ok")})


# --- the session registry: /auth/sessions/ ---
SESSION_END_ERRORS = {
    204: NO_CONTENT,
    400: OpenApiResponse(
        description='`{"current_password": [...]}`: missing (the session logged in more than '
        "10 minutes ago) or wrong (counted as a failed login). With two-factor authentication on, "
        '`code` is asked instead: `{"code": [...]}`.'
    ),
}


class SessionViewSet(viewsets.GenericViewSet):
    """The caller's own sessions of every kind (token, JWT, browser): list them, end one, end
    all but the current one. Ending asks for the current password unless the caller's session
    logged in within the last 10 minutes."""

    permission_classes = [IsAuthenticated]
    serializer_class = SessionSerializer
    pagination_class = None
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return TokenSession.objects.filter(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current": current_session(self.request)}

    @extend_schema(description="The caller's live sessions, newest first; not paginated.")
    def list(self, request):
        sessions = sessions_of(request.user)
        return Response(self.get_serializer(sessions, many=True).data)

    @extend_schema(
        request=SessionEndSerializer,
        responses={**SESSION_END_ERRORS, 404: OpenApiResponse(description="No such session.")},
        description="Ends the session at once on every route: its token, its JWT session's "
        "tokens, or the browser's session (signed out on its next request).",
    )
    def destroy(self, request, pk=None):
        session = self.get_object()
        self._reauthenticate(request)
        services.session_end(session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=SessionEndSerializer,
        responses=SESSION_END_ERRORS,
        description="Ends every session of the account but the one making the request.",
    )
    @action(detail=False, methods=["post"])
    def end_others(self, request):
        self._reauthenticate(request)
        keep = self.get_serializer_context()["current"]
        services.sessions_end_others(user=request.user, keep=keep)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _reauthenticate(self, request) -> None:
        context = self.get_serializer_context()
        SessionEndSerializer(data=request.data, context=context).is_valid(raise_exception=True)
