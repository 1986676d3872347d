"""Canvass URL map: the mount points README "Accounts" and "Surveys" list."""

import re

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularAPIView

from api.docs import RedocView, SwaggerView
from api.errors import not_found
from api.health import health, live
from api.prefixes import API_PREFIXES

# An API prefix, bare or with anything after it: `^(?:auth|dj-rest-auth|…)(?:/.*)?$`.
API_PATHS = rf"^(?:{'|'.join(re.escape(prefix.strip('/')) for prefix in API_PREFIXES)})(?:/.*)?$"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """What this service is and where to go next; also the admin's "View site" (its default)."""
    return render(request, "home.html", {"site_name": settings.SITE_NAME})


urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("health/live/", live, name="health-live"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("accounts.urls")),
    path("", include("surveys.urls")),
    # Last: anything else under an API prefix is a JSON 404 — also with DEBUG=1, where Django
    # would show its HTML debug page, and for a POST missing its trailing slash, which
    # APPEND_SLASH would otherwise turn into an error.
    re_path(API_PATHS, not_found),
]

# JSON 400 under the API prefixes (a Host not allowed), Django's page elsewhere.
handler400 = "api.errors.bad_request"
# JSON 404 under the API prefixes, Django's page elsewhere (README "Integrating a client").
handler404 = "api.errors.not_found"
# JSON under the API prefixes too; a database outage answers 503 with Retry-After.
handler500 = "api.errors.server_error"
