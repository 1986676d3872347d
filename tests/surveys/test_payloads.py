"""surveys.payloads builds read payloads by hand: they must equal what the OpenAPI document's
serializers (SurveyOutputSerializer, SurveyListItemSerializer) render for the same surveys."""

from datetime import UTC, datetime

import pytest
from django.db.models import Prefetch
from rest_framework.test import APIRequestFactory

from surveys import payloads, selectors
from surveys.models import Question, Survey
from surveys.permissions import surveys_visible_to
from surveys.serializers import SurveyListItemSerializer, SurveyOutputSerializer
from tests.factories import UserFactory
from tests.surveys.factories import EVERY_KIND, ReviewerFactory, survey_with_questions

pytestmark = pytest.mark.django_db


def with_questions(surveys):
    """The prefetch the serializers read (`ordered_questions`, `ordered_choices`)."""
    choices = Prefetch("choices", to_attr="ordered_choices")
    questions = Question.objects.prefetch_related(choices)
    return surveys.prefetch_related(
        Prefetch("questions", queryset=questions, to_attr="ordered_questions")
    )


@pytest.fixture
def surveys(owner):
    reviewer = UserFactory(email="reviewer@example.org")
    closing = survey_with_questions(
        owner=owner,
        title="closing",
        questions=EVERY_KIND,
        closes_at=datetime(2030, 1, 1, 12, 30, 15, 123456, tzinfo=UTC),
    )
    ReviewerFactory(survey=closing, email=reviewer.email)
    survey_with_questions(owner=owner, title="past", closes_at=datetime(2020, 1, 1, tzinfo=UTC))
    survey_with_questions(owner=owner, title="draft", status=Survey.Status.DRAFT, questions=[])
    return {"owner": owner, "reviewer": reviewer, "stranger": UserFactory()}


@pytest.mark.parametrize("viewer", ["owner", "reviewer", "stranger"])
def test_detail_payloads_equal_the_serializer(surveys, viewer):
    user = surveys[viewer]
    request = APIRequestFactory().get("/")
    request.user = user
    for survey in with_questions(surveys_visible_to(user)):
        expected = SurveyOutputSerializer(survey, context={"request": request}).data

        assert payloads.survey_detail(survey, user) == expected


@pytest.mark.parametrize("viewer", ["owner", "reviewer", "stranger"])
@pytest.mark.parametrize("expand", [False, True])
def test_list_items_equal_the_serializer(surveys, viewer, expand):
    user = surveys[viewer]
    request = APIRequestFactory().get("/")
    request.user = user
    listed = list(with_questions(selectors.survey_list(user=user)))
    expected = SurveyListItemSerializer(listed, many=True, context={"request": request}).data
    if not expand:
        expected = [{k: v for k, v in item.items() if k != "questions"} for item in expected]

    items = payloads.survey_list_items(listed, user, expand=expand)

    assert [item["title"] for item in items] == ["draft", "past", "closing"][-len(items) :]
    assert items == expected
    assert [list(item) for item in items] == [list(item) for item in expected]
