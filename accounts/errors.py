"""JSON errors under the API prefixes: the DRF exception handler and a prefix-scoped 404."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

# Where every error body is JSON (CONTRACT.md section 6).
API_PREFIXES = ("/auth/", "/dj-rest-auth/", "/api-token-auth/", "/api/")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path == "/api-token-auth"


def api_exception_handler(exc, context):
    """DRF's handler, plus Django's request-size and suspicious-input errors as JSON 4xx."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()
    return exception_handler(exc, context)


@csrf_exempt  # changes nothing: an unknown path is a 404 for every method, never a CSRF 403
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: `{"detail"}` under the API prefixes, Django's HTML page elsewhere."""
    if is_api_path(request.path):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
