"""Input limits: oversized, deep, malformed and non-UTF-8 bodies are JSON 4xx, and no error body
shows a trace, a query or a setting (README "Integrating a client")."""

import json
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import get_resolver, path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from settings.urls import urlpatterns as project_urlpatterns
from tests.routes import BODY_LIMIT_ROUTES

pytestmark = pytest.mark.django_db

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
BODIES = {
    "10,000 nested arrays": (JSON, "[" * 10_000 + "]" * 10_000),
    "10,000 nested objects": (JSON, '{"a":' * 10_000 + "1" + "}" * 10_000),
    "33 levels of nesting": (JSON, json.dumps({"email": json.loads("[" * 32 + "]" * 32)})),
    "huge JSON": (JSON, json.dumps({"email": "a@example.org", "password": "x" * TOO_BIG})),
    "huge form": (FORM, "password=" + "x" * TOO_BIG),
    "too many form fields": (FORM, "&".join(f"f{i}=1" for i in range(2000))),
    "Latin-1 bytes as JSON": (JSON, '{"email": "café@example.org"}'.encode("latin-1")),
    "JSON declared Latin-1": (
        "application/json; charset=latin-1",
        '{"email": "café@example.org"}'.encode("latin-1"),
    ),
    "UTF-16 JSON": (JSON, '{"email": "a@example.org"}'.encode("utf-16")),
    "Latin-1 bytes as a form": (FORM, b"email=caf\xe9%40example.org&password=p\xe4ssw\xf6rd-long"),
    "NaN": (JSON, '{"email": NaN, "password": Infinity}'),
    "a 5,000-digit number": (JSON, '{"email": ' + "9" * 5000 + "}"),
    "malformed JSON": (JSON, '{"email": "a@example.org",'),
    "unknown content type": ("text/csv", "email,password\na@example.org,x"),
}
# What must never reach a client: traces, SQL and settings.
LEAKS = ["Traceback", 'File "', "SELECT ", "INSERT INTO", "psycopg", "sqlite", "SECRET_KEY"]


def assert_clean_json_error(response, expected_status_range=range(400, 500)) -> None:
    assert response.status_code in expected_status_range, (
        response.status_code,
        response.content[:200],
    )
    assert response["Content-Type"].startswith("application/json")
    body = response.content.decode()
    assert isinstance(json.loads(body), dict)
    assert not [leak for leak in LEAKS if leak in body]
    assert settings.SECRET_KEY not in body


@pytest.fixture
def api(user) -> APIClient:
    """A signed-in client (the surveys route needs one; the account routes do not mind)."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("route", BODY_LIMIT_ROUTES)
def test_bad_bodies_are_json_4xx(api, rates, route, body):
    rates(login=None, registration=None, password_reset=None)
    content_type, data = body

    response = api.post(route, data, content_type=content_type)

    assert_clean_json_error(response)


@pytest.mark.parametrize("route", BODY_LIMIT_ROUTES)
def test_an_oversized_body_is_a_413(api, route):
    data = json.dumps({"title": "x" * TOO_BIG})

    response = api.post(route, data, content_type=JSON)

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert set(response.json()) == {"detail"}


def test_nesting_up_to_the_limit_still_parses(api):
    nested = json.loads("[" * 31 + "]" * 31)

    response = api.post("/auth/users/", {"email": nested}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "email" in response.json()


def text_inputs_without_a_limit(serializer: serializers.Serializer, prefix: str = ""):
    for name, field in serializer.fields.items():
        if field.read_only or isinstance(field, serializers.ChoiceField):
            continue
        if isinstance(field, serializers.CharField) and field.max_length is None:
            yield prefix + name
        if isinstance(field, serializers.Serializer):
            yield from text_inputs_without_a_limit(field, f"{prefix}{name}.")


def account_api_views():
    """Every DRF view under the account prefixes, with each of its actions."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif getattr(pattern.callback, "cls", None) and issubclass(
                pattern.callback.cls, APIView
            ):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith(("auth/", "dj-rest-auth/", "api-token-auth")):
            actions = getattr(callback, "actions", None) or {"post": None}
            for action in actions.values():
                yield route, callback, action


def test_every_text_input_of_the_account_routes_has_a_length_limit():
    unlimited = []
    for route, callback, action in account_api_views():
        view = callback.cls(**(callback.initkwargs or {}))
        view.action, view.format_kwarg, view.kwargs = action, None, {}
        view.request = Request(APIRequestFactory().post("/"))
        if not hasattr(view, "get_serializer"):
            continue  # logout and the API root take no serializer
        unlimited += [
            f"{route} {action or ''} {name}"
            for name in text_inputs_without_a_limit(view.get_serializer())
        ]

    assert unlimited == []


# --- server errors: a view that fails, under an API prefix and elsewhere ---
def broken_view(request, **kwargs):
    raise RuntimeError("SELECT password FROM accounts_user -- SECRET_KEY would be here")


def database_down_view(request, **kwargs):
    raise OperationalError('connection to server at "db" failed: Connection refused')


urlpatterns = [
    path("api/broken/", broken_view),
    path("broken/", broken_view),
    path("api/database-down/", database_down_view),
    path("database-down/", database_down_view),
    *project_urlpatterns,
]
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"


@pytest.fixture
def failing_routes(settings):
    settings.ROOT_URLCONF = __name__


def test_a_server_error_under_an_api_prefix_is_plain_json(failing_routes):
    response = APIClient(raise_request_exception=False).get("/api/broken/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.json() == {"detail": "A server error occurred."}
    assert not [leak for leak in LEAKS if leak in response.content.decode()]


def test_a_server_error_elsewhere_is_djangos_plain_page(failing_routes):
    response = APIClient(raise_request_exception=False).get("/broken/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert not [leak for leak in LEAKS if leak in response.content.decode()]


@pytest.mark.parametrize("route", ["/api/database-down/", "/database-down/"])
def test_a_lost_database_is_a_503_with_retry_after(failing_routes, route):
    response = APIClient(raise_request_exception=False).get(route)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert int(response["Retry-After"]) > 0
    assert "Connection refused" not in response.content.decode()
    if route.startswith("/api/"):
        assert set(response.json()) == {"detail"}
