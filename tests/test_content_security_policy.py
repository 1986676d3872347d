"""Every HTML page carries a Content-Security-Policy (django-csp): this origin only, no plugins,
no <base>, forms post here, never framed; an inline <style>/<script> runs only with the
response's nonce. The API docs widen images, fonts, workers and styles, never scripts."""

import re
from http import HTTPStatus

import pytest

from tests.surveys.factories import EVERY_KIND, survey_with_questions

pytestmark = pytest.mark.django_db

PAGES = {
    "activation link": "/activate/MQ/not-a-token/",
    "address link": "/verify-email/not-a-key/",
    "password reset link": "/password/reset/confirm/MQ/not-a-token/",
    "address change link": "/email/change/confirm/not-a-key/",
    "survey page": "/surveys/{survey}",
    "allauth sign-in": "/accounts/login/",
    "allauth inactive account": "/accounts/inactive/",
    "allauth confirmation sent": "/accounts/confirm-email/",
    "admin sign-in": "/admin/login/",
    "swagger ui": "/api/docs/",
    "redoc": "/api/redoc/",
}
DOCS = {"swagger ui", "redoc"}
EVERY_PAGE = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
INLINE = re.compile(r"<(style|script)(?![^>]*\bsrc=)([^>]*)>", re.I)
NONCE = re.compile(r'nonce="([^"]+)"')


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in parts}


@pytest.fixture
def survey(user):
    return survey_with_questions(owner=user, questions=EVERY_KIND)


@pytest.mark.parametrize("name", PAGES)
def test_every_html_page_answers_with_a_content_security_policy(client, survey, name):
    response = client.get(PAGES[name].format(survey=survey.pk))

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST), response.status_code
    assert response["Content-Type"].startswith("text/html")
    policy = directives(response["Content-Security-Policy"])
    assert {name: policy.get(name) for name in EVERY_PAGE} == EVERY_PAGE
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    nonces = {f"'nonce-{nonce}'" for nonce in NONCE.findall(response.content.decode())}
    for tag, attributes in INLINE.findall(response.content.decode()):
        allowed = policy[f"{tag.lower()}-src"]
        if name in DOCS and tag.lower() == "style":
            assert "'unsafe-inline'" in allowed  # the bundles inject styles of their own
            continue
        [nonce] = NONCE.findall(attributes)
        assert f"'nonce-{nonce}'" in allowed, (tag, allowed)
    assert nonces or name in DOCS or "'nonce-" not in str(policy)  # a nonce only where used


def test_the_docs_widen_images_fonts_and_workers_but_not_scripts(client):
    policy = directives(client.get("/api/docs/")["Content-Security-Policy"])

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["worker-src"] == ["'self'", "blob:"]


def test_swagger_ui_starts_from_a_script_file_of_its_own(client):
    page = client.get("/api/docs/").content.decode()
    [script_url] = re.findall(r'<script src="(/api/docs/\?[^"]+)"', page)

    script = client.get(script_url.replace("&amp;", "&"))

    assert script.status_code == HTTPStatus.OK
    assert b"SwaggerUIBundle" in script.content
