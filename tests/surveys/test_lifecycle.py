"""draft → published → closed, owner only; a closed survey (or past closes_at) takes no answers."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.utils import timezone

from surveys.models import Response, Survey
from tests.factories import UserFactory
from tests.surveys.factories import full_answers, survey_with_questions

pytestmark = pytest.mark.django_db


def test_publish_then_close(owner, owner_client):
    survey = survey_with_questions(owner=owner, status=Survey.Status.DRAFT)

    published = owner_client.post(f"/api/surveys/{survey.pk}/publish/")
    closed = owner_client.post(f"/api/surveys/{survey.pk}/close/")

    assert published.status_code == HTTPStatus.OK
    assert published.json()["status"] == "published"
    assert published.json()["questions"]
    assert closed.status_code == HTTPStatus.OK
    assert closed.json()["status"] == "closed"
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Survey.Status.PUBLISHED, "publish"),
        (Survey.Status.CLOSED, "publish"),
        (Survey.Status.DRAFT, "close"),
        (Survey.Status.CLOSED, "close"),
    ],
)
def test_moves_from_the_wrong_status_are_409_and_change_nothing(
    owner, owner_client, status, action
):
    survey = survey_with_questions(owner=owner, status=status)

    response = owner_client.post(f"/api/surveys/{survey.pk}/{action}/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert "detail" in response.json()
    survey.refresh_from_db()
    assert survey.status == status


def test_a_survey_without_questions_cannot_be_published(owner, owner_client):
    survey = survey_with_questions(owner=owner, questions=0, status=Survey.Status.DRAFT)

    response = owner_client.post(f"/api/surveys/{survey.pk}/publish/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert "question" in response.json()["detail"]


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.CLOSED])
def test_a_survey_that_is_not_published_rejects_responses(owner, client_for, status):
    survey = survey_with_questions(owner=owner, status=status)

    response = client_for(owner).post(
        f"/api/surveys/{survey.pk}/responses/", {"answers": full_answers(survey)}, format="json"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert not Response.objects.exists()


def test_past_closes_at_the_survey_reads_and_behaves_as_closed(owner, client_for):
    survey = survey_with_questions(owner=owner, closes_at=timezone.now() + timedelta(hours=1))
    respondent = client_for(UserFactory())
    url = f"/api/surveys/{survey.pk}/"
    assert respondent.get(url).json()["status"] == "published"

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        read = respondent.get(url)
        answered = respondent.post(
            f"{url}responses/", {"answers": full_answers(survey)}, format="json"
        )
        closed_by_owner = client_for(owner).post(f"{url}close/")

    assert read.json()["status"] == "closed"
    assert answered.status_code == HTTPStatus.CONFLICT
    assert not Response.objects.exists()
    # The owner may still record the close; the status it reads stays closed.
    assert closed_by_owner.status_code == HTTPStatus.OK
    assert closed_by_owner.json()["status"] == "closed"


def test_closes_at_in_the_future_keeps_it_open(owner, client_for):
    survey = survey_with_questions(owner=owner, closes_at=timezone.now() + timedelta(days=1))

    response = client_for(UserFactory()).post(
        f"/api/surveys/{survey.pk}/responses/", {"answers": full_answers(survey)}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED
