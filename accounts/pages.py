"""The pages emailed links open: GET shows a form, only POST acts (mail scanners prefetch)."""

# Each page calls the same selector (on GET) and service (on POST) as the API endpoint of its
# flow, so a link works the same whether a browser or a client app uses it.

from collections.abc import Callable
from typing import Any

from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import code_login, selectors, services
from accounts.exceptions import AccountLinkError

# HEAD as GET (a mail scanner's probe): shows the page, changes nothing.
get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def result(request: HttpRequest, title: Any, message: Any, *, failed: bool = False) -> HttpResponse:
    context = {"title": title, "message": message, "failed": failed}
    return render(request, "accounts/result.html", context, status=400 if failed else 200)


def link_failed(request: HttpRequest, error: AccountLinkError) -> HttpResponse:
    return result(request, _("This link cannot be used"), error.message, failed=True)


def confirm_page(
    request: HttpRequest, *, check: Callable[[], object], act: Callable[[], object], texts: dict
) -> HttpResponse:
    """GET: check the link and show a confirm button. POST: act, then say how it went."""
    try:
        if request.method == "POST":
            act()
            return result(request, texts["done_title"], texts["done"])
        check()
    except AccountLinkError as error:
        return link_failed(request, error)
    return render(request, "accounts/confirm.html", texts)


@never_cache
@csrf_protect
@get_or_post
def activate(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """`{FRONTEND_URL}/activate/{uid}/{token}` (djoser sign-up)."""
    return confirm_page(
        request,
        check=lambda: selectors.activation_link_user(uid=uid, token=token),
        act=lambda: services.account_activate(uid=uid, token=token),
        texts=CONFIRM_ADDRESS,
    )


@never_cache
@csrf_protect
@get_or_post
def verify_email(request: HttpRequest, key: str) -> HttpResponse:
    """`{FRONTEND_URL}/verify-email/{key}` (dj-rest-auth sign-up and resend)."""
    return confirm_page(
        request,
        check=lambda: selectors.verification_link_address(key=key),
        act=lambda: services.email_address_verify(key=key),
        texts=CONFIRM_ADDRESS,
    )


@never_cache
@csrf_protect
@get_or_post
def email_change_confirm(request: HttpRequest, key: str) -> HttpResponse:
    """`{FRONTEND_URL}/email/change/confirm/{key}`."""
    try:
        new_email = selectors.email_change_link_target(key=key).new_email
    except AccountLinkError as error:
        return link_failed(request, error)
    texts = {
        "title": _("Confirm your new address"),
        "text": _("Use %(email)s as the address of your account from now on.")
        % {"email": new_email},
        "button": _("Confirm the new address"),
        "done_title": _("Address changed"),
        "done": _("Your account's address is now %(email)s. Sign in with it from now on.")
        % {"email": new_email},
    }
    return confirm_page(
        request, check=lambda: None, act=lambda: services.email_change_confirm(key=key), texts=texts
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@csrf_protect
@get_or_post
def password_reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """`{FRONTEND_URL}/password/reset/confirm/{uid}/{token}` (either route's reset mail)."""
    try:
        user = selectors.password_reset_link_user(uid=uid, token=token)
        form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
        if form.is_valid():
            services.password_reset_complete(
                uid=uid, token=token, new_password=form.cleaned_data["new_password1"]
            )
            return result(
                request,
                _("Password changed"),
                _("Your new password is set. Every device signed in before has been signed out."),
            )
    except AccountLinkError as error:
        return link_failed(request, error)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)


@never_cache
@csrf_protect
@get_or_post
def login_code_link(request: HttpRequest, key: str) -> HttpResponse:
    """`{FRONTEND_URL}/login/code/{key}` (the sign-in code mail): the button signs this browser
    in, through allauth's login flow (two-factor authentication included)."""
    try:
        if request.method == "POST":
            user = code_login.login_code_link_spend(key=key)
            return code_login.browser_login(request, user)
        user = code_login.login_code_link_user(key=key)
    except AccountLinkError as error:
        return link_failed(request, error)
    texts = {
        "title": _("Sign in"),
        "text": _("Sign in to your account (%(email)s) in this browser.") % {"email": user.email},
        "button": _("Sign me in"),
    }
    return render(request, "accounts/confirm.html", texts)


CONFIRM_ADDRESS = {
    "title": _("Confirm your address"),
    "text": _("Confirm this address to activate your account."),
    "button": _("Confirm my address"),
    "done_title": _("Address confirmed"),
    "done": _("Your account is active. You can sign in now."),
}
