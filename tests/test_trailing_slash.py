"""Under the API prefixes, a path missing only its trailing slash answers a 404 naming the route."""

import re
from http import HTTPStatus

import pytest

from tests.routes import ROUTES

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete", "options"]
# Every slash-ended route without its slash, ids filled in (they need not exist).
UNSLASHED = sorted(
    {
        re.sub(r"\{\w+\}", "1", route.path).rstrip("/")
        for route in ROUTES
        if route.path.endswith("/")
    }
)
# Routes that accepted both forms before keep answering without the slash.
BOTH_FORMS = ["/auth/token/login", "/auth/jwt/create", "/dj-rest-auth/login", "/api-token-auth"]


@pytest.mark.parametrize("method", METHODS)
def test_a_missing_trailing_slash_is_a_json_404_naming_the_route(client, method):
    response = getattr(client, method)("/auth/users/me")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found. Did you mean /auth/users/me/?"}


@pytest.mark.parametrize("path", [path for path in UNSLASHED if path not in BOTH_FORMS])
def test_every_documented_route_is_named_when_its_slash_is_missing(client, path):
    response = client.post(path, {}, content_type="application/json")

    # Either the route takes both forms (the login routes, as djoser's and dj-rest-auth's do)
    # or the 404 names it.
    if response.status_code == HTTPStatus.NOT_FOUND:
        assert response.json()["detail"] == f"Not found. Did you mean {path}/?"
    else:
        assert re.search(r"/(token|jwt|api-token-auth|dj-rest-auth|login/code)", path), path


def test_an_unknown_path_is_a_plain_json_404(client):
    for path in ["/auth/nothing", "/api/nothing/", "/auth/users/me/extra"]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", BOTH_FORMS)
def test_routes_taking_both_forms_still_answer_without_the_slash(client, path):
    response = client.post(path, {}, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_prefix_that_is_a_route_is_named_too(client):
    response = client.get("/auth")

    assert response.json() == {"detail": "Not found. Did you mean /auth/?"}
