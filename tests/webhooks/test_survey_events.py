"""Survey events: publishing a survey and answering it reach the receiver."""

from http import HTTPStatus

import pytest

from surveys.models import Survey
from tests.factories import UserFactory
from tests.surveys.factories import full_answers, survey_with_questions

pytestmark = pytest.mark.django_db


def test_publishing_sends_survey_published(api_client, endpoint, receiver):
    owner = UserFactory()
    survey = survey_with_questions(owner=owner, status=Survey.Status.DRAFT, title="Lunch")
    api_client.force_authenticate(owner)

    answer = api_client.post(f"/api/surveys/{survey.pk}/publish/")

    assert answer.status_code == HTTPStatus.OK
    [published] = receiver.of_type("survey.published")
    assert published["data"] == {
        "id": survey.pk,
        "title": "Lunch",
        "audience": "public",
        "owner_id": owner.pk,
        "closes_at": None,
    }


def test_a_refused_publication_sends_nothing(api_client, endpoint, receiver):
    owner = UserFactory()
    survey = survey_with_questions(owner=owner, status=Survey.Status.CLOSED)
    api_client.force_authenticate(owner)

    answer = api_client.post(f"/api/surveys/{survey.pk}/publish/")

    assert answer.status_code == HTTPStatus.CONFLICT
    assert receiver.received == []


def test_answering_sends_survey_response_created(api_client, endpoint, receiver):
    survey = survey_with_questions()
    respondent = UserFactory()
    api_client.force_authenticate(respondent)

    answer = api_client.post(
        f"/api/surveys/{survey.pk}/responses/", {"answers": full_answers(survey)}, format="json"
    )

    assert answer.status_code == HTTPStatus.CREATED
    [created] = receiver.of_type("survey.response_created")
    assert created["data"]["survey_id"] == survey.pk
    assert created["data"]["respondent_id"] == respondent.pk
    assert set(created["data"]) == {"id", "survey_id", "respondent_id", "submitted_at"}


def test_invalid_answers_send_nothing(api_client, endpoint, receiver):
    survey = survey_with_questions()
    api_client.force_authenticate(UserFactory())

    answer = api_client.post(f"/api/surveys/{survey.pk}/responses/", {"answers": []}, format="json")

    assert answer.status_code == HTTPStatus.BAD_REQUEST
    assert receiver.received == []
