"""Bugs the schemathesis run (tests/external/schemathesis_run.py) found, kept fixed."""

from http import HTTPStatus

import pytest
from django.test import Client

from tests.surveys.factories import survey_with_questions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/auth/users/%3A/",  # a user id that is not a number
        "/api/surveys/false/invitations/",  # a survey id that is not a number
        "/api/surveys/%3A/",
        "/dj-rest-auth/nothing/",
    ],
)
def test_unsafe_request_to_unknown_api_path_is_json_404_not_csrf_403(method, path):
    # A client that enforces CSRF like a real browser session would; Django's CSRF failure
    # page is HTML, and a 403 for a path that does not exist is wrong anyway.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, data="[]", content_type="application/json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["get", "delete"])
def test_survey_ids_are_ascii_digits_only(auth_client, user, method):
    survey = survey_with_questions(owner=user, status="draft")
    other_script = str(survey.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = getattr(auth_client, method)(f"/api/surveys/{other_script}/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/json"
    assert auth_client.get(f"/api/surveys/{survey.pk}/").status_code == HTTPStatus.OK
