"""Project-wide guarantees: no pending migrations, an OpenAPI 3 schema, docs served locally."""

import ast
from http import HTTPStatus
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "api", "emails", "surveys", "webhooks"]


def test_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


def test_schema_endpoint_returns_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_reference_no_cdn(client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "cdn.jsdelivr.net" not in body
    assert "fonts.googleapis.com" not in body


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/auth/no-such-route/"),
        ("get", "/dj-rest-auth/nothing/"),
        ("get", "/api/nothing/here"),
        ("post", "/auth/users"),  # trailing slash missing: not an APPEND_SLASH error
        ("get", "/api-token-auth/extra/"),
    ],
)
def test_unknown_api_paths_are_json_404_in_every_mode(client, settings, debug, method, path):
    settings.DEBUG = debug
    response = getattr(client, method)(path, data={}, content_type="application/json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def imported_modules(source: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_apps_never_import_the_settings_package():
    """`settings/` mounts the apps; they read configuration through django.conf.settings."""
    offenders = {
        str(source.relative_to(ROOT)): sorted(
            module
            for module in imported_modules(source)
            if module == "settings" or module.startswith("settings.")
        )
        for app in APPS
        for source in (ROOT / app).rglob("*.py")
    }
    assert {source: modules for source, modules in offenders.items() if modules} == {}


# Which app may import which (docs/architecture.md): settings on top, api at the bottom.
MAY_IMPORT = {
    "api": set(),
    "emails": {"api"},
    "webhooks": {"api", "emails"},
    "accounts": {"api", "emails", "webhooks"},
    "surveys": {"api", "emails", "webhooks", "accounts"},
}


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_apps_import_only_the_apps_below_them(app):
    """One direction: settings → surveys → accounts → webhooks → emails → api; never back up."""
    forbidden = {"settings", *MAY_IMPORT} - MAY_IMPORT[app] - {app}
    offenders = {
        str(source.relative_to(ROOT)): sorted(
            module for module in imported_modules(source) if module.split(".")[0] in forbidden
        )
        for source in (ROOT / app).rglob("*.py")
        if "migrations" not in source.parts
    }
    assert {source: modules for source, modules in offenders.items() if modules} == {}
