"""django-axes hooks: one failed-login counter per account, and how a lockout is answered."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.errors import is_api_path


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a login attempt names, whatever the route's field name or letter case.

    djoser, simplejwt, dj-rest-auth and allauth pass `email`; DRF's obtain-token view and the
    admin pass `username`. Lower-casing makes `Ann@x.org` and `ann@X.ORG` one counter.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or ""
    return str(value).strip().lower() or None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with Retry-After: JSON under the API prefixes, a small page elsewhere."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    message = _("Too many failed login attempts. Try again later.")
    response: HttpResponse
    if is_api_path(request.path):
        response = JsonResponse({"detail": message}, status=429)
    else:
        context = {"title": _("Too many attempts"), "message": message, "failed": True}
        response = render(request, "accounts/result.html", context, status=429)
    response["Retry-After"] = retry_after
    return response
