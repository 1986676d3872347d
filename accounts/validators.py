"""Password validators Canvass adds to Django's: the upper length bound."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

# NIST SP 800-63B asks for at least 64; more would only let a request tie up the hasher.
PASSWORD_MAX_LENGTH = 128


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` characters.

    Every route that sets a password validates it before hashing it, so this bound holds for
    the API serializers (which also cap the field), the reset page, the admin's forms and
    `manage.py changepassword` alike.
    """

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at most %(max_length)d character.",
            "Your password must contain at most %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}
