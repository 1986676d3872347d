"""Errors under the account prefixes are JSON 4xx, whatever the input; HTML elsewhere."""

import json
from http import HTTPStatus

import pytest

from tests.routes import ANONYMOUS_POST_ROUTES, AUTHENTICATED_POST_ROUTES

pytestmark = pytest.mark.django_db

BAD_BODIES = {
    "malformed": "{not json",
    "list": "[1, 2]",
    "string": '"email"',
    "null": "null",
    "wrong types": json.dumps(
        {
            "email": ["a@example.org"],
            "password": {"x": 1},
            "uid": 5,
            "token": None,
            "key": [],
            "refresh": 7,
            "new_email": True,
        }
    ),
    "huge strings": json.dumps({"email": "a" * 5000 + "@example.org", "password": "p" * 5000}),
}


LOGOUT_ROUTES = {"/dj-rest-auth/logout/", "/auth/token/logout/"}


def assert_json_client_error(response, path: str) -> None:
    if path in LOGOUT_ROUTES and response.status_code < 300:
        return  # a logout needs no body: whatever else came with it, it logs out
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("path", ANONYMOUS_POST_ROUTES)
def test_bad_input_is_a_json_4xx_and_never_a_5xx(api_client, path, body):
    response = api_client.post(path, body, content_type="application/json")

    assert_json_client_error(response, path)


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("path", AUTHENTICATED_POST_ROUTES)
def test_bad_input_from_a_signed_in_account_is_a_json_4xx(auth_client, path, body):
    response = auth_client.post(path, body, content_type="application/json")

    assert_json_client_error(response, path)


@pytest.mark.parametrize(
    "path",
    [
        "/auth/nothing-here/",
        "/dj-rest-auth/nothing/",
        "/api-token-auth/more/",
        "/api/nothing/",
        "/api/surveys/1/nothing/",
        # The prefixes themselves without their slash (`/auth` is a route with it: the hint,
        # tests/test_trailing_slash.py).
        "/dj-rest-auth",
        "/api",
    ],
)
def test_unknown_paths_under_the_api_prefixes_are_json_404(api_client, path):
    response = api_client.get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/surveys/", "/auth/users/me/", "/dj-rest-auth/user/"])
def test_a_host_not_allowed_is_a_json_400_under_the_api_prefixes(client, path):
    response = client.get(path, HTTP_HOST="elsewhere.example")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": "Bad request."}


def test_a_host_not_allowed_is_an_html_400_elsewhere(client):
    response = client.get("/accounts/login/", HTTP_HOST="elsewhere.example")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")


def test_unknown_paths_elsewhere_are_html_404(client):
    response = client.get("/nothing-here/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_user_id_is_a_json_404(auth_client):
    response = auth_client.get("/auth/users/999999/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert (
        response.json() == {"detail": "No User matches the given query."}
        or "detail" in response.json()
    )


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", '{"password": "' + "x" * 2_000_000 + '"}', 413),
        ("application/x-www-form-urlencoded", "password=" + "x" * 2_000_000, 413),
        ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(5000)), 400),
    ],
    ids=["json", "form", "too many fields"],
)
def test_oversized_bodies_are_json_4xx(api_client, content_type, body, status):
    response = api_client.post("/auth/users/", body, content_type=content_type)

    assert response.status_code == status
    assert set(response.json()) == {"detail"}
