"""JSON errors under the API prefixes: the DRF exception handler, the 404 and 500 handlers."""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from api.exceptions import DomainError
from api.prefixes import is_api_path

logger = logging.getLogger(__name__)

# What a lost or refused database connection raises; the next request reconnects
# (CONN_HEALTH_CHECKS), so the client is told to try again, not that the server broke.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def domain_error_answer(error: DomainError) -> exceptions.APIException:
    """A service's refusal as the DRF exception that answers it: its status and body, and
    Retry-After when the refusal says when to try again."""
    if error.retry_after is not None:
        return exceptions.Throttled(wait=error.retry_after, detail=error.message, code=error.code)
    answer = exceptions.APIException(error.detail, error.code)
    answer.status_code = error.status
    return answer


def api_exception_handler(exc, context):
    """DRF's handler, plus the services' domain errors (api.exceptions) and Django's
    request-size and suspicious-input errors as JSON 4xx."""
    if isinstance(exc, DomainError):
        exc = domain_error_answer(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()
    return exception_handler(exc, context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refuses before any view (a Host not in ALLOWED_HOSTS) —
    `{"detail"}` under the API prefixes, Django's page elsewhere."""
    if is_api_path(request.path):
        return JsonResponse({"detail": str(_("Bad request."))}, status=400)
    return defaults.bad_request(request, exception)


def with_slash(path: str) -> str | None:
    """`path` + "/" when only the missing slash keeps `path` from a route, else None."""
    if path.endswith("/"):
        return None
    try:
        match = resolve(f"{path}/")
    except Resolver404:
        return None
    return None if match.func is not_found else f"{path}/"


@csrf_exempt  # changes nothing: an unknown path is a 404 for every method, never a CSRF 403
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: `{"detail"}` under the API prefixes — naming the route when the path only
    lacks its trailing slash — and Django's HTML page elsewhere."""
    if is_api_path(request.path):
        detail = str(exceptions.NotFound.default_detail)
        if with_slash(request.path_info) is not None:  # named with any script prefix
            detail = str(_("Not found. Did you mean %(path)s/?") % {"path": request.path})
        return JsonResponse({"detail": detail}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (DEBUG=0): a body with no trace, query or setting in it — `{"detail"}` under
    the API prefixes, Django's plain page elsewhere — and a 503 with Retry-After instead of a
    500 while the database cannot be reached."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        logger.warning("database unavailable: answering 503 for %s", request.path)
        detail = _("The service is briefly unavailable. Try again shortly.")
        response: HttpResponse
        if is_api_path(request.path):
            response = JsonResponse({"detail": str(detail)}, status=503)
        else:
            response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_api_path(request.path):
        return JsonResponse({"detail": str(_("A server error occurred."))}, status=500)
    return defaults.server_error(request)
