"""OpenAPI post-processing: a tag per route set, and the error answers every route shares."""

# Views and extensions say which errors are particular to a route (a 409, a JWT's 401); this
# hook adds the ones that follow from how a route is built — its authentication, throttles,
# body and path — by asking the view itself, so a new route is documented the same way.

from http import HTTPStatus
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.views import APIView

from api.prefixes import API, DJ_REST_AUTH, DJOSER, DRF_OBTAIN

# (path prefix, tag, description); the first matching prefix names an operation's tag.
ROUTE_SETS = [
    (
        DJOSER,
        "auth: djoser",
        "djoser's documented routes: sign-up, activation, token and JWT login, profile, "
        "password and email change, password reset.",
    ),
    (
        DJ_REST_AUTH,
        "auth: dj-rest-auth",
        "dj-rest-auth's documented routes over the same accounts: sign-up, email verification, "
        "login, profile, password change and reset.",
    ),
    (
        DRF_OBTAIN,
        "auth: DRF token",
        'DRF\'s obtain-token view: `{"username": <email>, "password"}` → `{"token"}`.',
    ),
    (
        f"{API}surveys/",
        "surveys",
        "Surveys, their questions, responses, results, invitations and reviewers.",
    ),
]

ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "An error with one message.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": 'Field errors as DRF reports them: `{"<field>": ["message", …]}` '
        '(nested like the body for nested fields), `{"non_field_errors": […]}` for the body '
        'as a whole, or `{"detail": "…"}` for a body that is not valid JSON.',
        "additionalProperties": {},
    },
}

WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": "The scheme to authenticate with (`Token`).",
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}


def tag_for(path: str) -> str | None:
    return next((tag for prefix, tag, _ in ROUTE_SETS if path.startswith(prefix)), None)


def open_to_anonymous(view: APIView, method: str) -> bool:
    """Whether the view's permissions let a request without credentials through."""
    http_request = HttpRequest()
    http_request.method = method
    request = Request(http_request)
    request.user = AnonymousUser()
    try:
        return all(
            permission.has_permission(request, view) for permission in view.get_permissions()
        )
    except Exception:  # a permission that needs more of a real request: assume it refuses
        return False


def throttle_limits(view: APIView) -> list[str]:
    """The limits that apply to the view's requests, as `scope (rate)`."""
    limits = []
    for throttle in view.get_throttles():
        if isinstance(throttle, throttling.ScopedRateThrottle):
            # DRF's scoped throttle reads its scope from the view when a request arrives.
            throttle.scope = getattr(view, throttle.scope_attr, None)
            try:
                rate = throttle.get_rate() if throttle.scope else None
            except ImproperlyConfigured:
                rate = None
        elif isinstance(throttle, throttling.SimpleRateThrottle):
            rate = throttle.rate
        else:
            limits.append(type(throttle).__name__)
            continue
        if rate:
            limits.append(f"`{throttle.scope}` ({rate})")
    return limits


def asks_current_password(view: APIView, method: str) -> bool:
    """Routes that check the current password as a login attempt: the `login` throttle and the
    account's lockout answer them too. A view lists them as `current_password_asked`, a map of
    action (None for a plain view) to methods."""
    asked: dict[str | None, set[str]] = getattr(view, "current_password_asked", {})
    return method.upper() in asked.get(getattr(view, "action", None), set())


def json_body(component: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


def shared_responses(operation: dict, view: APIView, method: str) -> dict[int, dict]:
    """The error answers that follow from the view's authentication, throttles, body and path."""
    responses: dict[int, dict] = {}
    security = operation.get("security", [])
    schemes = [requirement for requirement in security if requirement]
    if schemes:
        if open_to_anonymous(view, method):
            if {} not in security:
                security.append({})
            unauthenticated = (
                "Credentials were sent but are not valid (unknown, revoked or expired); "
                "without any, this route answers as usual."
            )
        else:
            unauthenticated = "No valid credentials: none were sent, or they are not valid."
        responses[HTTPStatus.UNAUTHORIZED] = {
            "description": unauthenticated,
            "headers": WWW_AUTHENTICATE,
        }
        if method not in SAFE_METHODS and any("cookieAuth" in scheme for scheme in schemes):
            responses[HTTPStatus.FORBIDDEN] = {
                "description": "Signed in with the session cookie, but the `X-CSRFToken` "
                "header is missing or wrong."
            }
    if "requestBody" in operation:
        responses[HTTPStatus.BAD_REQUEST] = {
            "description": "The body is not valid: field errors, or not parseable."
        }
        responses[HTTPStatus.REQUEST_ENTITY_TOO_LARGE] = {
            "description": "The body is larger than the server accepts."
        }
    parameters = operation.get("parameters", [])
    not_found = []
    if any(parameter["in"] == "path" for parameter in parameters):
        not_found.append("No such object, or one the caller may not see.")
    if any(parameter["in"] == "query" and parameter["name"] == "page" for parameter in parameters):
        not_found.append("The `page` asked for does not exist.")
    if not_found:
        responses[HTTPStatus.NOT_FOUND] = {"description": " ".join(not_found)}
    limits = throttle_limits(view)
    reasons = [f"over the limit {', '.join(limits)}"] if limits else []
    if asks_current_password(view, method):
        reasons.append(
            "the current password is checked as a login: over the `login` limit, or the "
            "account is locked after failed logins"
        )
    if reasons:
        responses[HTTPStatus.TOO_MANY_REQUESTS] = {
            "description": f"Too many requests: {'; '.join(reasons)}.",
            "headers": RETRY_AFTER,
        }
    return responses


def field_error_example(operation: dict, components: dict[str, Any]) -> dict | None:
    """A 400 body this route really answers: its first required field, missing."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    required = schema.get("required", [])
    if not required:
        return None
    return {required[0]: ["This field is required."]}


def add_tags_and_shared_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: tags by route set; shared errors where a route lacks them.

    What a view or extension documented for a status code stays; a 4xx documented without a
    body gets the shared one (`ValidationError` for 400, `Error` otherwise).
    """
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, _path_regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        operation = result["paths"].get(generator.coerce_path(path, method, view), {})
        operation = operation.get(method.lower())
        if operation is None:  # excluded from the schema
            continue
        tag = tag_for(path)
        if tag:
            operation["tags"] = [tag]
        for parameter in operation.get("parameters", []):
            # A digits-only path segment is an object's id: an integer, as the bodies give it.
            if parameter["in"] == "path" and parameter["schema"].get("pattern") == "^[0-9]+$":
                parameter["schema"] = {"type": "integer"}
        responses = operation["responses"]
        for status, response in shared_responses(operation, view, method).items():
            responses.setdefault(str(int(status)), response)
        for status, response in responses.items():
            if status.startswith("4") and "content" not in response:
                body = "ValidationError" if status == "400" else "Error"
                response["content"] = json_body(body)
        bad_request = responses.get("400", {}).get("content", {}).get("application/json")
        example = field_error_example(operation, result["components"]["schemas"])
        if bad_request is not None and example and "example" not in bad_request:
            bad_request["example"] = example
        operation["responses"] = dict(sorted(responses.items()))
    result["tags"] = [{"name": tag, "description": text} for _, tag, text in ROUTE_SETS]
    return result
