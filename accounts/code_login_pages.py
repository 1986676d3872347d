"""The login page's "Email me a sign-in code": ask for a code, then type it in."""

# Canvass's own two small pages instead of allauth's login by code, which keeps the plain code
# in the requesting browser's session: both call accounts.code_login, the store and rules the
# API routes use, and sign in through allauth's login flow.

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import code_login
from accounts.addresses import validate_canonical_email
from accounts.login_codes import TYPED_MAX_LENGTH

# The address a code was asked for, kept for the code form (never the code).
SESSION_EMAIL = "canvass_login_code_email"
get_or_post = require_http_methods(["GET", "HEAD", "POST"])


class CodeRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), max_length=254, validators=[validate_canonical_email]
    )


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=TYPED_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


@never_cache
@csrf_protect
@get_or_post
def code_request(request: HttpRequest) -> HttpResponse:
    """`/accounts/login/code/`: mails a code (if the address may log in), then asks for it."""
    form = CodeRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        code_login.login_code_request(email=email)
        request.session[SESSION_EMAIL] = email
        return redirect("account_login_code_confirm")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login_code_request.html", {"form": form}, status=status)


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@get_or_post
def code_entry(request: HttpRequest) -> HttpResponse:
    """`/accounts/login/code/confirm/`: the code mailed to the address asked for signs in."""
    email = request.session.get(SESSION_EMAIL)
    if not isinstance(email, str):
        return redirect("account_login_code")
    form = CodeEntryForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = code_login.login_code_user(
                request=request, email=email, code=form.cleaned_data["code"]
            )
        except code_login.LoginCodeError as error:
            form.add_error("code", error.message)
        else:
            del request.session[SESSION_EMAIL]
            return code_login.browser_login(request, user)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "email": email}
    return render(request, "accounts/login_code_entry.html", context, status=status)
