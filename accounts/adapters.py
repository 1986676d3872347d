"""allauth's adapters: allauth's mail, links, confirmation, logins and provider logins go through
Canvass's rules."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts import links, notifications, services, social
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
