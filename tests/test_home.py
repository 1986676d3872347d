"""The home page at `/`: what the service is and where to go next."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

LINKS = [
    "/api/docs/",
    "/api/redoc/",
    "/api/schema/",
    "/admin/",
    "/health/",
    "/accounts/login/",
    "/accounts/signup/",
]


def test_the_home_page_links_the_docs_admin_health_and_sign_in(client):
    response = client.get("/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Canvass</h1>" in page
    for link in LINKS:
        assert f'href="{link}"' in page


def test_the_home_page_is_styled_under_the_sites_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()


def test_the_home_page_only_reads(client):
    assert client.post("/").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_admins_view_site_link_opens_the_home_page(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert '<a href="/">View site</a>' in page
