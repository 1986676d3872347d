"""allauth.mfa's form of the browser login's code page, checking codes as the API does."""

from allauth.core import context
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as mfa_forms
from django.utils import timezone

from accounts import two_factor


class AuthenticateForm(mfa_forms.AuthenticateForm):
    """allauth's check accepts a TOTP again within its cache window and counts failures in its
    own rate limit; this one goes through `second_factor_attempt` (each code once, a wrong
    code a failed login of the account, the lockout), like /dj-rest-auth/mfa/verify/."""

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        request = context.request
        try:
            accepted = two_factor.second_factor_attempt(request=request, user=self.user, code=code)
        except two_factor.SecondFactorLocked as error:
            raise get_adapter().validation_error("incorrect_code") from error
        if accepted is None:
            raise get_adapter().validation_error("incorrect_code")
        accepted.user = self.user
        self.authenticator = accepted
        # The browser session's registry row records it (accounts.signals).
        request.second_factor_at = timezone.now()
        return code
