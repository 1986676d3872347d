"""The browser's own account pages: sign-up, forgotten password, resend the confirmation mail.

Each validates with the API route's input serializer and calls the same service, under the
same throttle scope, so a browser and a client app meet the same rules and mails.
"""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from rest_framework import exceptions, serializers

from accounts import services
from accounts.serializers import DjoserRegistrationSerializer, EmailSerializer
from accounts.throttling import throttle_by_address


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    type: str
    autocomplete: str


EMAIL = Field("email", _("Email address"), "email", "email")


@dataclass(frozen=True)
class FormPage:
    """What one page asks for, which serializer checks it and which service acts on it."""

    title: Any
    intro: Any
    fields: list[Field]
    button: Any
    serializer: type[serializers.Serializer]
    act: Callable[[dict], None]
    scope: str
    done_title: Any
    done: Any


def _next_path(request: HttpRequest) -> str:
    """A same-site `?next=` to carry on to the sign-in page (a survey's page)."""
    candidate = request.GET.get("next", "")
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}
    ):
        return candidate
    return ""


def form_page(request: HttpRequest, page: FormPage) -> HttpResponse:
    """GET: the form. POST: check it with the API's serializer, act, then say what comes next."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    status = HTTPStatus.OK
    if request.method == "POST":
        values = {field.name: request.POST.get(field.name, "") for field in page.fields}
        data = dict(values)
        if "re_password" in data and not data["re_password"]:
            data.pop("re_password")
        payload = page.serializer(data=data)
        try:
            throttle_by_address(request, page.scope)
        except exceptions.Throttled as throttled:
            errors = {"__all__": [str(throttled.detail)]}
            status = HTTPStatus.TOO_MANY_REQUESTS
        else:
            if payload.is_valid():
                page.act(payload.validated_data)
                context = {"title": page.done_title, "message": page.done}
                return render(request, "accounts/result.html", context)
            errors = {
                key: [str(message) for message in messages]
                for key, messages in payload.errors.items()
            }
            status = HTTPStatus.BAD_REQUEST
    fields = [
        {"field": field, "value": values.get(field.name, ""), "errors": errors.get(field.name, [])}
        for field in page.fields
    ]
    general = errors.get("__all__", []) + errors.get("non_field_errors", [])
    context = {"page": page, "fields": fields, "errors": general, "next": _next_path(request)}
    return render(request, "accounts/form.html", context, status=status)


def _register(data: dict) -> None:
    services.account_register(
        email=data["email"], password=data["password"], confirm_with="activation"
    )


SIGN_UP = FormPage(
    title=_("Create an account"),
    intro=_("We mail you a link to confirm your address; then you can sign in."),
    fields=[
        EMAIL,
        Field("password", _("Password"), "password", "new-password"),
        Field("re_password", _("Password again"), "password", "new-password"),
    ],
    button=_("Create my account"),
    serializer=DjoserRegistrationSerializer,
    act=_register,
    scope="registration",
    done_title=_("Check your mail"),
    done=_(
        "If the address can be used, a message is on its way to it. Open its link to confirm "
        "the address, then sign in."
    ),
)

PASSWORD_RESET = FormPage(
    title=_("Forgotten password"),
    intro=_("We mail you a link to choose a new password."),
    fields=[EMAIL],
    button=_("Mail me a reset link"),
    serializer=EmailSerializer,
    act=lambda data: services.password_reset_request(email=data["email"]),
    scope="password_reset",
    done_title=_("Check your mail"),
    done=_(
        "If a confirmed account uses this address, a link to choose a new password is on its "
        "way to it."
    ),
)

RESEND_CONFIRMATION = FormPage(
    title=_("Resend the confirmation mail"),
    intro=_("Lost the mail with your confirmation link? We send a new one."),
    fields=[EMAIL],
    button=_("Send a new link"),
    serializer=EmailSerializer,
    act=lambda data: services.confirmation_resend(email=data["email"], confirm_with="activation"),
    scope="activation",
    done_title=_("Check your mail"),
    done=_(
        "If an account awaits confirmation at this address, a new confirmation link is on its "
        "way to it."
    ),
)

page_view = [never_cache, csrf_protect, require_http_methods(["GET", "HEAD", "POST"])]


def _view(page: FormPage, *decorators) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        return form_page(request, page)

    for decorator in [*decorators, *page_view][::-1]:
        view = decorator(view)
    return view


sign_up = _view(SIGN_UP, sensitive_post_parameters("password", "re_password"))
password_reset = _view(PASSWORD_RESET)
resend_confirmation = _view(RESEND_CONFIRMATION)
