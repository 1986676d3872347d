"""Account serializers: input per endpoint, and one profile serializer for both route sets."""

from dj_rest_auth import serializers as rest_auth
from dj_rest_auth.registration.serializers import RegisterSerializer
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from djoser.conf import settings as djoser_settings
from djoser.serializers import TokenCreateSerializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import UntypedToken

from accounts import jwt_sessions, services
from accounts.addresses import email_key, validate_canonical_email
from accounts.authentication import JWTAuthentication
from accounts.devices import device_label
from accounts.jwt_sessions import SessionRefreshToken, token_sid
from accounts.login_codes import TYPED_MAX_LENGTH
from accounts.login_flow import LoginRoute, login_finish
from accounts.models import TokenSession, User
from accounts.policy import account_can_log_in
from accounts.selectors import password_reset_link_user
from accounts.step_up import current_password_check, second_factor_step_up
from accounts.two_factor import mfa_enabled
from accounts.validators import PASSWORD_MAX_LENGTH

PASSWORD_STYLE = {"input_type": "password"}
# A simplejwt token is a few hundred characters; anything far longer is not one.
JWT_MAX_LENGTH = 2048


def password_field(**kwargs) -> serializers.CharField:
    """Every password input: taken exactly as typed (no trimming), and never longer than any
    password can be, so an oversized one is refused before anything hashes it."""
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style=PASSWORD_STYLE,
        **kwargs,
    )


def email_field() -> serializers.EmailField:
    """Every address input: refused (400 on the field) when it has no canonical form — a quoted
    local part, a domain IDNA cannot encode (accounts.addresses)."""
    return serializers.EmailField(max_length=254, validators=[validate_canonical_email])


def check_password_rules(password: str, user: User, field: str) -> None:
    """Django's password validators, errors reported under the endpoint's own field name."""
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: list(error.messages)}) from error


DATE_JOINED = serializers.DateTimeField(read_only=True)


class ProfileSerializer(serializers.Serializer):
    """`/auth/users/me/` and `/dj-rest-auth/user/`: names are editable, the address is not."""

    # A plain Serializer: a ModelSerializer builds its fields from the model on every request,
    # a third of a profile read's time (bench/README.md).
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True, label=_("Email address"))
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    date_joined = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: User) -> dict:
        # Every authenticated /me read lands here: building the bound fields (a deep copy of
        # each) would cost more than the rest of the view. Kept equal to the generic
        # representation by tests/accounts/test_profile.py.
        return {
            "id": instance.pk,
            "email": instance.email,
            "first_name": instance.first_name,
            "last_name": instance.last_name,
            "date_joined": DATE_JOINED.to_representation(instance.date_joined),
        }

    def update(self, instance: User, validated_data: dict) -> User:
        return services.profile_update(user=instance, names=validated_data)


class EmailSerializer(serializers.Serializer):
    email = email_field()


class UidTokenSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class KeySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=1024)


class DjoserRegistrationSerializer(serializers.Serializer):
    """`POST /auth/users/` `{"email", "password", "re_password"?}`; the answer is `{"email"}`."""

    email = email_field()
    password = password_field()
    re_password = password_field(required=False)

    def validate(self, attrs):
        re_password = attrs.pop("re_password", None)
        if re_password is not None and re_password != attrs["password"]:
            raise serializers.ValidationError(
                {"non_field_errors": [djoser_settings.CONSTANTS.messages.PASSWORD_MISMATCH_ERROR]}
            )
        check_password_rules(attrs["password"], User(email=attrs["email"]), "password")
        return attrs


class DjoserPasswordResetConfirmSerializer(UidTokenSerializer):
    """`POST /auth/users/reset_password_confirm/` `{"uid", "token", "new_password"}`."""

    new_password = password_field()
    re_new_password = password_field(required=False)

    def validate(self, attrs):
        user = password_reset_link_user(uid=attrs["uid"], token=attrs["token"])
        re_new_password = attrs.pop("re_new_password", None)
        if re_new_password is not None and re_new_password != attrs["new_password"]:
            raise serializers.ValidationError(
                {"non_field_errors": [djoser_settings.CONSTANTS.messages.PASSWORD_MISMATCH_ERROR]}
            )
        check_password_rules(attrs["new_password"], user, "new_password")
        return attrs


def second_factor_code_field() -> serializers.CharField:
    """The `code` a step-up asks for when two-factor authentication is on (a TOTP or a
    recovery code; accounts.step_up.second_factor_step_up)."""
    return serializers.CharField(
        required=False,
        max_length=32,
        write_only=True,
        help_text="With two-factor authentication on: a current TOTP or an unused recovery code.",
    )


class CurrentPasswordSerializer(serializers.Serializer):
    """djoser's routes that ask for the current password (set_password, set_email, deleting
    the account), plus `code` with two-factor authentication on. The password is checked once
    every field is valid: a request with an oversized or missing field is refused without
    hashing anything. It is checked as a login is (accounts.step_up): throttled, counted by
    the lockout, audited."""

    current_password = password_field()
    code = second_factor_code_field()

    def validate(self, attrs):
        request = self.context["request"]
        password = attrs["current_password"]
        if not current_password_check(request=request, user=request.user, password=password):
            raise serializers.ValidationError(
                {"current_password": [djoser_settings.CONSTANTS.messages.INVALID_PASSWORD_ERROR]}
            )
        self.validate_request(attrs)
        # Last: a TOTP is spent once accepted, so nothing may refuse the request after it.
        second_factor_step_up(request=request, user=request.user, code=attrs.get("code"))
        return attrs

    def validate_request(self, attrs) -> None:
        """The route's own checks, once the password is known to be right."""


class PasswordChangeSerializer(CurrentPasswordSerializer):
    """`POST /auth/users/set_password/` `{"current_password", "new_password"}`."""

    new_password = password_field()

    def validate_request(self, attrs) -> None:
        check_password_rules(attrs["new_password"], self.context["request"].user, "new_password")


class PersonalDataExportSerializer(CurrentPasswordSerializer):
    """`POST /auth/users/me/export/` `{"current_password"}`."""


class AccountDeleteSerializer(CurrentPasswordSerializer):
    """`DELETE /auth/users/me/` `{"current_password"}`."""


class LoginSerializer(TokenCreateSerializer):
    """djoser's token login, the password taken exactly as typed and bounded in length; a
    missing field is named (400), as on the other login routes."""

    password = password_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[djoser_settings.LOGIN_FIELD] = serializers.CharField(max_length=254)


class EmailChangeSerializer(CurrentPasswordSerializer):
    """`POST /auth/users/set_email/` `{"current_password", "new_email"}`."""

    new_email = email_field()

    def validate_new_email(self, value: str) -> str:
        if email_key(value) == self.context["request"].user.email_canonical:
            raise serializers.ValidationError(_("This is already the address of your account."))
        return value


class RestAuthLoginSerializer(rest_auth.LoginSerializer):
    """dj-rest-auth login, `{"email", "password"}` only, with the account policy as its gate."""

    username = None
    email = email_field()
    password = serializers.CharField(max_length=128, trim_whitespace=False, style=PASSWORD_STYLE)

    @staticmethod
    def validate_auth_user_status(user) -> None:
        if not account_can_log_in(user):
            raise exceptions.ValidationError(_("User account is disabled."))

    @staticmethod
    def validate_email_verification_status(user, email=None) -> None:
        """Confirmed is `account_can_log_in`, already asked above; allauth's copy agrees."""


class RestAuthRegisterSerializer(RegisterSerializer):
    """dj-rest-auth registration, `{"email", "password1", "password2"}` (no username)."""

    username = None
    email = email_field()
    password1 = password_field()
    password2 = password_field()

    def validate_email(self, email: str) -> str:
        """No existence check here: the answer must not tell whether an address is registered."""
        return email

    def validate_password1(self, password: str) -> str:
        return password

    def validate(self, data):
        data = super().validate(data)
        check_password_rules(data["password1"], User(email=data["email"]), "password1")
        return data

    def save(self, request):
        services.account_register(
            email=self.validated_data["email"],
            password=self.validated_data["password1"],
            confirm_with="verification",
        )


class RestAuthPasswordResetSerializer(rest_auth.PasswordResetSerializer):
    """dj-rest-auth reset request: the same link and mail as djoser's (accounts.services)."""

    email = email_field()

    def validate_email(self, value: str) -> str:
        return value

    def save(self):
        services.password_reset_request(email=self.validated_data["email"])


class RestAuthPasswordResetConfirmSerializer(rest_auth.PasswordResetConfirmSerializer):
    """dj-rest-auth reset confirm, accepting the djoser-format link both routes send."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password1 = password_field()
    new_password2 = password_field()

    def validate(self, attrs):
        self.user = password_reset_link_user(uid=attrs["uid"], token=attrs["token"])
        self.set_password_form = SetPasswordForm(user=self.user, data=attrs)
        if not self.set_password_form.is_valid():
            raise serializers.ValidationError(self.set_password_form.errors)
        return attrs

    def save(self):
        return services.password_reset_complete(
            uid=self.validated_data["uid"],
            token=self.validated_data["token"],
            new_password=self.set_password_form.cleaned_data["new_password1"],
        )


class RestAuthPasswordChangeSerializer(rest_auth.PasswordChangeSerializer):
    """dj-rest-auth password change (old password required) through the shared service."""

    old_password = password_field()
    new_password1 = password_field()
    new_password2 = password_field()
    code = second_factor_code_field()

    def validate_old_password(self, value: str) -> str:
        """Checked in `validate`, once every field is known to be valid."""
        return value

    def validate(self, attrs):
        password = attrs["old_password"]
        if not current_password_check(request=self.request, user=self.user, password=password):
            message = _("Your old password was entered incorrectly. Please enter it again.")
            raise serializers.ValidationError({"old_password": [message]})
        attrs = super().validate(attrs)
        # Last: a TOTP is spent once accepted, so nothing may refuse the request after it.
        second_factor_step_up(request=self.request, user=self.user, code=attrs.get("code"))
        return attrs

    def save(self):
        services.password_change(
            user=self.user,
            new_password=self.set_password_form.cleaned_data["new_password1"],
            request=self.request,
        )


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """simplejwt's login, recorded like the other login routes' (last login, axes reset); the
    password taken exactly as typed (simplejwt trims it) and bounded in length. Each pair is a
    JWT session of its own (accounts.jwt_sessions), which a logout ends."""

    token_class = SessionRefreshToken

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(max_length=254, write_only=True)
        self.fields["password"] = password_field()

    def validate(self, attrs):
        # simplejwt's parent makes the pair; only its password check (the grandparent) runs
        # here, and the login ends where every API login does (accounts.login_flow).
        jwt_serializers.TokenObtainSerializer.validate(self, attrs)
        return login_finish(request=self.context["request"], user=self.user, route=LoginRoute.JWT)


class ObtainTokenSerializer(AuthTokenSerializer):
    """DRF's obtain-token login, recorded like the other login routes'."""

    username = serializers.CharField(max_length=254, write_only=True)
    password = password_field()


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """simplejwt's refresh, answering 401 (not 500) when the token's account was deleted, and
    401 as for a blacklisted token when its session was ended by a logout. One refresh token
    makes one new pair: the token is claimed (`SessionRefreshToken.blacklist`) in the same
    transaction that issues the pair, so of concurrent uses only one succeeds."""

    refresh = serializers.CharField(max_length=JWT_MAX_LENGTH)
    token_class = SessionRefreshToken

    def validate(self, attrs):
        try:
            with transaction.atomic():
                data = super().validate(attrs)
        except User.DoesNotExist as error:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            ) from error
        new = SessionRefreshToken(data.get("refresh", attrs["refresh"]), verify=False)
        services.jwt_session_refreshed(
            user_id=new.get(jwt_settings.USER_ID_CLAIM),
            sid=token_sid(new),
            request=self.context["request"],
        )
        return data


class TokenVerifySerializer(jwt_serializers.TokenVerifySerializer):
    """simplejwt's verify, with the token bounded in length like every other input, answering
    as authentication would: a token it refuses (blacklisted, of a session ended by a logout,
    issued before a password change, of an account deleted or unable to log in) is
    `401 token_not_valid`, as an invalid one is."""

    token = serializers.CharField(max_length=JWT_MAX_LENGTH, write_only=True)

    def validate(self, attrs):
        token = UntypedToken(attrs["token"])  # signature and expiry: TokenError, answered 401
        jti = token.get(jwt_settings.JTI_CLAIM)
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            raise TokenError(jwt_sessions.REVOKED)
        try:
            JWTAuthentication().get_user(token)
        except exceptions.AuthenticationFailed as error:
            # simplejwt's failures carry {"detail", "code"}: keep the message, not the code.
            detail = error.detail.get("detail") if isinstance(error.detail, dict) else error.detail
            raise InvalidToken(str(detail)) from error
        return {}


# --- the session registry: /auth/sessions/ ---
class SessionSerializer(serializers.ModelSerializer):
    """One session of the caller's account (`GET /auth/sessions/`)."""

    created = serializers.DateTimeField(source="created_at", read_only=True)
    last_seen = serializers.DateTimeField(source="last_seen_at", read_only=True)
    ip = serializers.IPAddressField(source="ip_address", read_only=True, allow_null=True)
    device = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()

    class Meta:
        model = TokenSession
        fields = ("id", "kind", "created", "last_seen", "ip", "user_agent", "device", "current")
        read_only_fields = fields

    def get_device(self, session: TokenSession) -> str:
        return device_label(session.user_agent)

    def get_current(self, session: TokenSession) -> bool:
        current = self.context.get("current")
        return current is not None and current.pk == session.pk


class SessionEndSerializer(serializers.Serializer):
    """Ending sessions: the current password — with two-factor authentication on, a `code`
    instead — unless the caller's session logged in within the last 10 minutes
    (services.REAUTH_WITHIN); checked as a login attempt (accounts.step_up)."""

    current_password = password_field(required=False)
    code = second_factor_code_field()

    def validate(self, attrs):
        request = self.context["request"]
        if not services.session_reauth_needed(current=self.context.get("current")):
            return attrs
        if mfa_enabled(request.user):  # the second factor stands in for the password
            second_factor_step_up(request=request, user=request.user, code=attrs.get("code"))
            return attrs
        password = attrs.get("current_password")
        if not password:
            message = _("Enter your current password to end a session.")
            raise serializers.ValidationError({"current_password": [message]})
        if not current_password_check(request=request, user=request.user, password=password):
            raise serializers.ValidationError(
                {"current_password": [djoser_settings.CONSTANTS.messages.INVALID_PASSWORD_ERROR]}
            )
        return attrs


# --- login by emailed code (accounts.code_login) ---
class LoginCodeConfirmSerializer(serializers.Serializer):
    """`{"email", "code", "credential"?}`: the code as mailed, in any letter case."""

    email = email_field()
    code = serializers.CharField(max_length=TYPED_MAX_LENGTH, trim_whitespace=True)
    credential = serializers.ChoiceField(
        choices=["token", "jwt"],
        required=False,
        default="token",
        help_text='`"jwt"`: answer `{"access", "refresh"}` instead of `{"auth_token"}`.',
    )


# --- identity providers (accounts.social, accounts/provider_views.py) ---
class ProviderCodeSerializer(serializers.Serializer):
    """`POST /dj-rest-auth/oidc/{id}/`: the code an OpenID Connect provider gave the client."""

    code = serializers.CharField(max_length=2048)
    redirect_uri = serializers.CharField(
        max_length=2048, help_text="Exactly as sent to the provider; one of OIDC_REDIRECT_URIS."
    )
    code_verifier = serializers.CharField(
        max_length=128, required=False, help_text="PKCE: when the client sent a code_challenge."
    )
    nonce = serializers.CharField(
        max_length=255,
        required=False,
        help_text="When the client sent one: the ID token must carry the same.",
    )


class ProviderLoginSerializer(ProviderCodeSerializer):
    credential = serializers.ChoiceField(
        choices=["key", "jwt"],
        default="key",
        help_text='`"jwt"`: answer `{"access", "refresh"}` instead of `{"key"}`.',
    )


class SocialAccountSerializer(serializers.Serializer):
    """A link between the caller's account and a provider account."""

    id = serializers.IntegerField(read_only=True)
    provider = serializers.CharField(
        read_only=True, help_text="The provider's id (OIDC_PROVIDERS)."
    )
    uid = serializers.CharField(read_only=True, help_text="The provider account's subject (`sub`).")
    last_login = serializers.DateTimeField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)
