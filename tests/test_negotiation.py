"""The short way through content negotiation answers exactly as DRF's own negotiation."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from api.negotiation import ContentNegotiation
from surveys.renderers import CSVRenderer

API_RENDERERS = [JSONRenderer(), BrowsableAPIRenderer()]


@pytest.mark.parametrize(
    "renderers", [API_RENDERERS, [CSVRenderer(), *API_RENDERERS]], ids=["api", "csv first"]
)
@pytest.mark.parametrize(
    ("accept", "query"),
    [
        (None, ""),
        ("*/*", ""),
        ("application/json", ""),
        (" application/json ", ""),
        ("application/json; indent=4", ""),
        ("text/html", ""),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ""),
        (None, "format=api"),
        ("*/*", "page=2&format=json"),
        ("application/json", "page=2"),
    ],
)
def test_the_short_way_answers_as_drf_does(renderers, accept, query):
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    request = Request(APIRequestFactory().get(f"/api/surveys/?{query}", **headers))

    renderer, media_type = ContentNegotiation().select_renderer(request, renderers)
    expected_renderer, expected_media_type = DefaultContentNegotiation().select_renderer(
        request, renderers
    )

    assert (type(renderer), media_type) == (type(expected_renderer), expected_media_type)


def test_the_api_negotiates_with_it():
    assert api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS is ContentNegotiation
