"""allauth's adapters: allauth's mail, links, confirmation, logins and provider logins go through
Canvass's rules."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import links, notifications, services, social
from accounts.backends import AWAITS_CONFIRMATION
from accounts.policy import account_can_log_in
from accounts.selectors import awaits_confirmation
from api.exceptions import DomainError


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's messages with Canvass's templates and layout
        (accounts/notifications.py)."""
        notifications.send_allauth_message(template_prefix, email, context)

    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation) -> str:
        """`{FRONTEND_URL}/verify-email/{key}` instead of allauth's own page."""
        return links.verification_link(emailconfirmation.key)

    def confirm_email(self, request: HttpRequest | None, email_address: EmailAddress) -> bool:
        """allauth's verification (its /accounts/confirm-email/ page, dj-rest-auth's view) ends
        in the same `account_confirm` as djoser's activation."""
        user = email_address.user
        if email_address.email != user.email.lower() or not awaits_confirmation(user):
            return False
        services.account_confirm(user=user)
        email_address.verified = True  # allauth's copy of the row account_confirm verified
        return True

    def pre_login(self, request: HttpRequest, user, **kwargs: Any):
        """allauth's session logins ask the same policy as every other route."""
        if not account_can_log_in(user):
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """The sign-in page's answer to the right password on an account never confirmed (set
        by accounts.backends only after the password matched); any other failure is allauth's
        one message."""
        if getattr(request, AWAITS_CONFIRMATION, False):
            resend = reverse("account_resend_confirmation")
            raise forms.ValidationError(
                _("Confirm your address first: open the link in the mail we sent (resend: %s).")
                % resend
            )
        super().authentication_failed(request, **credentials)

    def add_message(self, request: HttpRequest, level: int, message_template=None, *a, **kw):
        """No "Successfully signed in" message: a login lands on the page it came from (or the
        JSON profile), which shows who is signed in, and the message would otherwise surface
        on whichever page is opened next."""
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(request, level, message_template, *a, **kw)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created by the two API sign-up routes only; allauth's own sign-up page
        and social sign-up stay closed."""
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """A browser's provider login signs into the account accounts.social decides (the API's
        rules); allauth then logs it in through its stages and the account adapter's gate. A
        refusal is a page, never allauth's sign-up form."""
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # a signed-in user linking a provider: allauth's connect flow
        try:
            sociallogin.user = social.provider_login_user(sociallogin=sociallogin)
        except DomainError as error:
            context = {"title": _("Sign-in failed"), "message": error.message, "failed": True}
            page = render(request, "accounts/result.html", context, status=error.status)
            raise ImmediateHttpResponse(page) from error

    def send_notification_mail(
        self, template_prefix: str, user, context: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """allauth's connections page links and unlinks like the API: the same mail and audit
        events (accounts.social), whatever ACCOUNT_EMAIL_NOTIFICATIONS says."""
        account = (context or {}).get("account")
        if template_prefix == "socialaccount/email/account_connected" and account is not None:
            social.provider_linked(user=user, provider_id=account.provider)
        elif template_prefix == "socialaccount/email/account_disconnected" and account is not None:
            social.provider_unlinked(user=user, provider_id=account.provider)
        else:
            super().send_notification_mail(template_prefix, user, context, **kwargs)

    def validate_disconnect(self, account, accounts) -> None:
        """allauth's connections page keeps the last way to sign in, as the API does."""
        if not social.provider_unlink_allowed(user=account.user, account=account):
            raise ValidationError(_("This is the last way to sign into the account."))
