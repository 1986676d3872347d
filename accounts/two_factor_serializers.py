"""Bodies of the two-factor routes (dj-rest-auth 7.2's field names) and the login answers."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

CODE_MAX_LENGTH = 32  # a TOTP is 6 digits, a recovery code 8; room for spaces and dashes


def code_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=CODE_MAX_LENGTH, **kwargs)


class CodeSerializer(serializers.Serializer):
    code = code_field(help_text="A current TOTP or an unused recovery code.")


class OptionalCodeSerializer(serializers.Serializer):
    code = code_field(
        required=False, help_text="A current TOTP or an unused recovery code (see the route)."
    )


class MFAVerifySerializer(serializers.Serializer):
    ephemeral_token = serializers.CharField(max_length=128)
    code = code_field(help_text="A current TOTP or an unused recovery code.")


class MFAStatusSerializer(serializers.Serializer):
    mfa_enabled = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class TOTPActivateInitSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32, for typing into an authenticator app.")
    totp_url = serializers.CharField(help_text="The `otpauth://totp/…` URL of the secret.")
    qr_code_data_uri = serializers.CharField(help_text="The URL as a QR code, an SVG data URI.")
    activation_token = serializers.CharField(help_text="Send back with the first code.")


class TOTPActivateConfirmSerializer(serializers.Serializer):
    activation_token = serializers.CharField(max_length=2048)
    code = code_field(help_text="The code the authenticator app shows now.")


class RecoveryCodesSerializer(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField())

    @staticmethod
    def for_activation() -> type[serializers.Serializer]:
        return ActivatedSerializer


class ActivatedSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField())


class MFARequiredSerializer(serializers.Serializer):
    """What a login route answers for an account with two-factor authentication on."""

    mfa_required = serializers.BooleanField(help_text="Always true.")
    ephemeral_token = serializers.CharField(
        help_text="Send to /dj-rest-auth/mfa/verify/ with a code within 5 minutes."
    )


class TokenAnswerSerializer(serializers.Serializer):
    auth_token = serializers.CharField()


class PairAnswerSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class KeyAnswerSerializer(serializers.Serializer):
    key = serializers.CharField()


class ObtainAnswerSerializer(serializers.Serializer):
    token = serializers.CharField()


def login_answer(name: str, credential: type[serializers.Serializer]) -> PolymorphicProxySerializer:
    """A login route's 200: its credential, or `mfa_required` with an ephemeral token."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[credential, MFARequiredSerializer],
        resource_type_field_name=None,
    )


LOGIN_ANSWER = PolymorphicProxySerializer(
    component_name="MFAVerifyAnswer",
    serializers=[
        TokenAnswerSerializer,
        PairAnswerSerializer,
        KeyAnswerSerializer,
        ObtainAnswerSerializer,
    ],
    resource_type_field_name=None,
)
