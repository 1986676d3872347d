"""The admin site: its sign-in asks for the second factor on allauth's code page, and staff
enrol in two-factor authentication before it opens (MFA_REQUIRED_FOR_STAFF)."""

from allauth.account.internal.flows.login import perform_login
from allauth.account.models import Login
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.two_factor import mfa_enabled


class SecondFactorAdminAuthenticationForm(AdminAuthenticationForm):
    """A right password of an account with two-factor authentication signs nobody in here:
    the form keeps the account for `AccountAdminSite.login`, which continues on the code page."""

    second_factor_user = None

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if mfa_enabled(user):
            self.second_factor_user = user
            raise ValidationError(_("Enter your two-factor code."), code="mfa_required")


class AccountAdminSite(admin.AdminSite):
    login_form = SecondFactorAdminAuthenticationForm

    def has_permission(self, request) -> bool:
        allowed = super().has_permission(request)
        return allowed and (not settings.MFA_REQUIRED_FOR_STAFF or mfa_enabled(request.user))

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_staff and not self.has_permission(request):
            return render(
                request,
                "accounts/result.html",
                {
                    "title": _("Turn on two-factor authentication first"),
                    "message": _(
                        "Staff accounts need two-factor authentication before the admin "
                        "opens. Turn it on with GET then POST /dj-rest-auth/mfa/totp/activate/ "
                        "(docs/two-factor.md), then sign in again."
                    ),
                    "failed": True,
                },
                status=403,
            )
        response = super().login(request, extra_context)
        form = getattr(response, "context_data", {}).get("form")
        pending = getattr(form, "second_factor_user", None)
        if pending is None:
            return response
        # allauth's login flow: its code page (accounts.mfa_forms), then the admin.
        return perform_login(request, Login(user=pending, redirect_url=self.next_url(request)))

    def next_url(self, request) -> str:
        wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return wanted
        return reverse("admin:index", current_app=self.name)
