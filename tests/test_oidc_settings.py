"""OIDC_PROVIDERS and OIDC_REDIRECT_URIS: parsed once at start-up; a bad value stops start-up
with one line; nothing configured offers no provider route, in the OpenAPI document or on the
sign-in page."""

import json
import os

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.oidc_provider import provider_entry, provider_settings
from tests.processes import PROD_ENV, run_python

PROVIDER_PATHS = {
    "/dj-rest-auth/oidc/{provider_id}/",
    "/dj-rest-auth/oidc/{provider_id}/connect/",
    "/dj-rest-auth/socialaccounts/",
    "/dj-rest-auth/socialaccounts/{id}/disconnect/",
}
ACME = provider_entry("acme", "https://id.acme.example")


def start(**env: str):
    return run_python("import django; django.setup()", **PROD_ENV, **env)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[{", "OIDC_PROVIDERS is not valid JSON"),
        ('{"id": "acme"}', "OIDC_PROVIDERS must be a JSON list of providers"),
        ('[{"id": "acme", "name": "Acme"}]', "lacks server_url, client_id, secret"),
        (json.dumps([ACME, ACME]), "names the id 'acme' twice"),
        (json.dumps([{**ACME, "id": "a/b"}]), "id may hold letters, digits, - and _"),
    ],
)
def test_a_bad_provider_list_stops_start_up_with_one_line(value, message):
    result = start(OIDC_PROVIDERS=value)

    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Canvass refuses to start: OIDC_PROVIDERS")
    assert message in line


def test_providers_and_redirect_uris_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "a = s.SOCIALACCOUNT_PROVIDERS['openid_connect']; "
        "print(a['OAUTH_PKCE_ENABLED'], a['APPS'][0]['provider_id'], "
        "a['APPS'][0]['settings']['server_url'], s.OIDC_REDIRECT_URIS)"
    )
    result = run_python(
        code,
        **PROD_ENV,
        OIDC_PROVIDERS=json.dumps([ACME]),
        OIDC_REDIRECT_URIS="https://app.example/cb, myapp://cb",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == (
        "True acme https://id.acme.example ['https://app.example/cb', 'myapp://cb']"
    )


@pytest.mark.django_db
def test_without_providers_no_provider_route_is_documented(settings):
    settings.OIDC_PROVIDERS = []

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert PROVIDER_PATHS & set(schema["paths"]) == set()


@pytest.mark.django_db
def test_with_a_provider_its_routes_are_documented_and_valid(settings):
    for name, value in provider_settings([ACME]).items():
        setattr(settings, name, value)

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert set(schema["paths"]) >= PROVIDER_PATHS
    login = schema["paths"]["/dj-rest-auth/oidc/{provider_id}/"]["post"]
    assert {"200", "400", "404", "429", "502"} <= set(login["responses"])
    validate_schema(json.loads(json.dumps(schema, default=str)))
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


@pytest.mark.django_db
def test_the_sign_in_page_lists_configured_providers_only(client, settings):
    settings.OIDC_PROVIDERS = []
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "Acme ID" not in client.get("/accounts/login/").content.decode()

    for name, value in provider_settings([ACME]).items():
        setattr(settings, name, value)
    page = client.get("/accounts/login/").content.decode()

    assert "Acme ID" in page
    assert "/accounts/oidc/acme/login/" in page
