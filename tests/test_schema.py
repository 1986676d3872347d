"""The OpenAPI document: warning-free, every contract route, and the answers clients must expect."""

import os
from http import HTTPStatus

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.routes import CONTRACT_PATHS

pytestmark = pytest.mark.django_db

TAGS = {
    "/auth/": "auth: djoser",
    "/dj-rest-auth/": "auth: dj-rest-auth",
    "/api-token-auth/": "auth: DRF token",
    "/api/surveys/": "surveys",
}


@pytest.fixture
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def response_properties(schema: dict, path: str, method: str, status: str) -> set[str]:
    content = schema["paths"][path][method]["responses"][status]["content"]
    name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return set(schema["components"]["schemas"][name]["properties"])


def test_schema_generation_has_no_warnings_and_validates():
    # What CI runs (`manage.py spectacular --validate --fail-on-warn`), in-process.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


def test_every_contract_route_and_nothing_else_is_documented(schema):
    assert set(schema["paths"]) == CONTRACT_PATHS


def test_three_security_schemes_token_jwt_and_session_cookie(schema):
    schemes = schema["components"]["securitySchemes"]
    assert set(schemes) == {"tokenAuth", "jwtAuth", "cookieAuth"}
    assert schemes["tokenAuth"] | {"description": ""} == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "",
    }
    assert "Token <key>" in schemes["tokenAuth"]["description"]
    assert (schemes["jwtAuth"]["scheme"], schemes["jwtAuth"]["bearerFormat"]) == ("bearer", "JWT")
    assert (schemes["cookieAuth"]["in"], schemes["cookieAuth"]["name"]) == ("cookie", "sessionid")


def test_each_operation_is_tagged_with_its_route_set(schema):
    for path, _method, operation in operations(schema):
        expected = next(tag for prefix, tag in TAGS.items() if path.startswith(prefix))
        assert operation["tags"] == [expected], path
    assert [tag["name"] for tag in schema["tags"]] == list(TAGS.values())


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/auth/users/", "post", {"201", "400", "401", "403", "413", "429"}),
        ("/auth/users/", "get", {"200", "401", "404"}),
        ("/auth/users/me/", "get", {"200", "401"}),
        ("/auth/users/me/", "delete", {"204", "400", "401", "403", "429"}),
        ("/auth/users/{id}/", "patch", {"200", "400", "401", "403", "404", "413"}),
        ("/auth/users/activation/", "post", {"204", "400", "401", "403", "413", "429"}),
        ("/auth/users/set_email/", "post", {"204", "400", "401", "403", "413", "429"}),
        ("/auth/users/set_password/", "post", {"204", "400", "401", "403", "413", "429"}),
        ("/dj-rest-auth/password/change/", "post", {"200", "400", "401", "403", "413", "429"}),
        ("/auth/token/login/", "post", {"200", "400", "401", "403", "413", "429"}),
        ("/auth/token/logout/", "post", {"204", "400", "401", "403", "413"}),
        ("/auth/jwt/create/", "post", {"200", "400", "401", "413", "429"}),
        ("/auth/jwt/refresh/", "post", {"200", "400", "401", "413"}),
        ("/auth/jwt/verify/", "post", {"200", "400", "401", "413"}),
        ("/dj-rest-auth/login/", "post", {"200", "400", "401", "403", "413", "429"}),
        ("/dj-rest-auth/registration/", "post", {"201", "400", "401", "403", "413", "429"}),
        (
            "/dj-rest-auth/password/reset/confirm/",
            "post",
            {"200", "400", "401", "403", "413", "429"},
        ),
        ("/api-token-auth/", "post", {"200", "400", "401", "403", "413", "429"}),
        ("/api/surveys/", "get", {"200", "400", "401", "404"}),
        ("/api/surveys/{id}/", "delete", {"204", "401", "403", "404", "409"}),
        (
            "/api/surveys/{survey_pk}/responses/",
            "post",
            {"201", "400", "401", "403", "404", "409", "413"},
        ),
    ],
)
def test_operations_document_the_statuses_they_answer_with(schema, path, method, statuses):
    assert set(schema["paths"][path][method]["responses"]) == statuses


def test_every_error_answer_has_a_json_body(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert "application/json" in response.get("content", {}), (path, method, status)


def test_no_content_answers_have_no_body(schema):
    for path, method, operation in operations(schema):
        assert "content" not in operation["responses"].get("204", {}), (path, method)


def test_401_names_the_challenge_and_429_the_wait(schema):
    responses = schema["paths"]["/auth/token/login/"]["post"]["responses"]
    assert "WWW-Authenticate" in responses["401"]["headers"]
    assert "Retry-After" in responses["429"]["headers"]


@pytest.mark.parametrize(
    ("path", "method", "security"),
    [
        ("/auth/users/me/", "get", [{"tokenAuth": []}, {"jwtAuth": []}, {"cookieAuth": []}]),
        # Sign-up and login need no credential: no padlock in Swagger UI.
        ("/auth/users/", "post", []),
        ("/auth/token/login/", "post", []),
        ("/dj-rest-auth/registration/", "post", []),
        ("/api-token-auth/", "post", []),
        # Open to anonymous callers, who may also send credentials.
        (
            "/dj-rest-auth/logout/",
            "post",
            [{"tokenAuth": []}, {"jwtAuth": []}, {"cookieAuth": []}, {}],
        ),
        # Anonymous visitors read published surveys; writes need an account.
        ("/api/surveys/", "get", [{"tokenAuth": []}, {"jwtAuth": []}, {"cookieAuth": []}, {}]),
        ("/api/surveys/", "post", [{"tokenAuth": []}, {"jwtAuth": []}, {"cookieAuth": []}]),
    ],
)
def test_security_requirements_say_whether_credentials_are_optional(schema, path, method, security):
    assert schema["paths"][path][method]["security"] == security


@pytest.mark.parametrize(
    ("path", "credential"),
    [
        ("/auth/token/login/", {"auth_token"}),
        ("/auth/jwt/create/", {"access", "refresh"}),
        ("/dj-rest-auth/login/", {"key"}),
        ("/api-token-auth/", {"token"}),
    ],
)
def test_login_routes_answer_with_their_own_credential_or_mfa_required(schema, path, credential):
    content = schema["paths"][path]["post"]["responses"]["200"]["content"]
    name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    shapes = [
        set(components[choice["$ref"].rsplit("/", 1)[-1]]["properties"])
        for choice in components[name]["oneOf"]
    ]
    assert shapes == [credential, {"mfa_required", "ephemeral_token"}]


def test_mfa_verify_answers_any_login_routes_credential(schema):
    content = schema["paths"]["/dj-rest-auth/mfa/verify/"]["post"]["responses"]["200"]["content"]
    name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    shapes = [
        set(components[choice["$ref"].rsplit("/", 1)[-1]]["properties"])
        for choice in components[name]["oneOf"]
    ]
    assert shapes == [{"auth_token"}, {"access", "refresh"}, {"key"}, {"token"}]


def test_djoser_and_dj_rest_auth_token_serializers_get_a_component_each(schema):
    components = schema["components"]["schemas"]
    assert set(components["DjoserToken"]["properties"]) == {"auth_token"}
    assert set(components["RestAuthToken"]["properties"]) == {"key"}
    assert "Token" not in components


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/dj-rest-auth/password/reset/", {"detail"}),
        ("/dj-rest-auth/password/reset/confirm/", {"detail"}),
        ("/dj-rest-auth/password/change/", {"detail"}),
        ("/dj-rest-auth/logout/", {"detail"}),
    ],
)
def test_dj_rest_auth_answers_are_their_real_bodies(schema, path, body):
    assert response_properties(schema, path, "post", "200") == body


# Phrases of docstrings written for another audience: Canvass's code readers, or the libraries'
# own set-ups (dj-rest-auth's with a username).
NOT_FOR_CLIENTS = ("axes flags", "Canvass's services", "Accepts the following", "username, first")


def test_descriptions_are_for_clients(schema):
    for path, method, operation in operations(schema):
        description = operation.get("description", "")
        assert not [phrase for phrase in NOT_FOR_CLIENTS if phrase in description], (path, method)


def test_every_400_example_names_a_field_of_its_own_route(schema):
    components = schema["components"]["schemas"]
    assert "example" not in components["ValidationError"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation["responses"].get("400", {}).get("content", {}).get("application/json")
            if not body or "example" not in body:
                continue
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            fields = components[ref.rsplit("/", 1)[-1]]["properties"]
            assert set(body["example"]) <= set(fields), (method, path)


def test_swagger_examples_validate_against_their_request_schemas(schema):
    components = schema["components"]["schemas"]
    checked = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "example" not in body:
                continue
            document = {"components": {"schemas": components}, "$ref": body["schema"]["$ref"]}
            jsonschema.validate(body["example"], document)
            checked.append((method, path))

    assert ("post", "/api/surveys/") in checked
    assert ("post", "/api/surveys/{survey_pk}/responses/") in checked


@pytest.mark.django_db
def test_the_swagger_survey_example_creates_a_survey_as_it_is(schema, auth_client):
    body = schema["paths"]["/api/surveys/"]["post"]["requestBody"]["content"]["application/json"]

    response = auth_client.post("/api/surveys/", body["example"], format="json")

    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert [len(question["choices"]) for question in response.json()["questions"]] == [2, 0, 0]
