"""No input on any survey route, from any caller, answers 5xx; errors under /api/ are JSON."""

from http import HTTPStatus

import pytest

from surveys.models import Survey
from tests.factories import UserFactory
from tests.surveys.factories import (
    InvitationFactory,
    ReviewerFactory,
    respond,
    survey_with_questions,
)

pytestmark = pytest.mark.django_db

ROUTES = [
    "",
    "{id}/",
    "{id}/publish/",
    "{id}/close/",
    "{id}/results/",
    "{id}/responses/",
    "{id}/responses/?format=csv",
    "{id}/invitations/",
    "{id}/invitations/{invitation}/",
    "{id}/reviewers/",
    "{id}/reviewers/{reviewer}/",
]
METHODS = ["get", "head", "options", "post", "put", "patch", "delete"]
BODIES = [
    {"body": "", "content_type": "application/json"},
    {"body": "{not json", "content_type": "application/json"},
    {
        "body": '{"title": {"x": [1, null]}, "answers": "x", "emails": 1, "email": []}',
        "content_type": "application/json",
    },
    {"body": "[[[[]]]]", "content_type": "application/json"},
    {"body": "title=x&answers=1", "content_type": "application/x-www-form-urlencoded"},
    {"body": "\x00\xff", "content_type": "text/plain"},
]


@pytest.fixture
def survey(owner):
    survey = survey_with_questions(owner=owner, audience=Survey.Audience.INVITED)
    respond(survey)
    return survey


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ["owner", "stranger", "anonymous"])
def test_no_request_answers_a_server_error(client_for, owner, survey, route, role):
    user = {"owner": owner, "stranger": UserFactory(), "anonymous": None}[role]
    client = client_for(user)
    url = "/api/surveys/" + route.format(
        id=survey.pk,
        invitation=InvitationFactory(survey=survey).pk,
        reviewer=ReviewerFactory(survey=survey).pk,
    )

    # DELETE comes last: once it succeeded the rest of the route answers 404, still no 5xx.
    for method in METHODS:
        for body in BODIES:
            if method in ("get", "head", "options", "delete"):
                response = getattr(client, method)(url)
            else:
                response = getattr(client, method)(
                    url, body["body"], content_type=body["content_type"]
                )
            failure = (method, body, response.status_code)
            assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, failure
            if response.status_code >= HTTPStatus.BAD_REQUEST and method != "head":
                assert response["Content-Type"].startswith("application/json"), failure


@pytest.mark.parametrize("role", ["owner", "stranger", "anonymous"])
def test_the_browsable_api_renders_every_route(client, owner, survey, role):
    if role != "anonymous":
        client.force_login(owner if role == "owner" else UserFactory())
    invitation = InvitationFactory(survey=survey)
    reviewer = ReviewerFactory(survey=survey)

    for route in ROUTES:
        url = "/api/surveys/" + route.format(
            id=survey.pk, invitation=invitation.pk, reviewer=reviewer.pk
        )
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, url
