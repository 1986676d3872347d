"""Project-wide guarantees: no pending migrations, an OpenAPI 3 schema, docs served locally."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


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
