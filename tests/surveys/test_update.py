"""PUT/PATCH/DELETE by the owner; questions change only while nobody has answered (else 409)."""

from http import HTTPStatus

import pytest

from surveys.models import Choice, Question, Survey
from tests.surveys.factories import respond, survey_with_questions

pytestmark = pytest.mark.django_db

NEW_QUESTIONS = [
    {
        "text": "Tea or coffee?",
        "kind": "single_choice",
        "choices": [{"text": "Tea"}, {"text": "Coffee"}],
    },
    {"text": "Stars?", "kind": "rating", "scale_max": 3},
]


def current_questions(survey: Survey) -> list[dict]:
    """The survey's questions as a client would send them back."""
    questions = []
    for question in survey.questions.prefetch_related("choices"):
        item = {"text": question.text, "kind": question.kind, "required": question.required}
        if question.kind == Question.Kind.RATING:
            item["scale_max"] = question.scale_max
        if question.has_choices:
            item["choices"] = [{"text": choice.text} for choice in question.choices.all()]
        questions.append(item)
    return questions


@pytest.fixture
def draft(owner):
    return survey_with_questions(owner=owner, status=Survey.Status.DRAFT)


def test_patch_replaces_questions_while_there_are_no_responses(owner_client, draft):
    old_ids = set(draft.questions.values_list("id", flat=True))

    response = owner_client.patch(
        f"/api/surveys/{draft.pk}/", {"questions": NEW_QUESTIONS}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert [q["text"] for q in body["questions"]] == ["Tea or coffee?", "Stars?"]
    assert [q["position"] for q in body["questions"]] == [1, 2]
    assert body["questions"][1]["scale_max"] == 3
    assert not old_ids & set(draft.questions.values_list("id", flat=True))
    assert Question.objects.filter(pk__in=old_ids).count() == 0


def test_patch_without_questions_keeps_them_and_changes_only_what_is_sent(owner_client, draft):
    before = list(draft.questions.values_list("id", flat=True))

    response = owner_client.patch(
        f"/api/surveys/{draft.pk}/", {"description": "New words"}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    draft.refresh_from_db()
    assert draft.description == "New words"
    assert draft.title == "Team survey"
    assert list(draft.questions.values_list("id", flat=True)) == before


def test_put_replaces_every_field_with_defaults_for_those_left_out(owner_client, owner):
    survey = survey_with_questions(
        owner=owner, status=Survey.Status.DRAFT, audience=Survey.Audience.INVITED, description="Old"
    )

    response = owner_client.put(f"/api/surveys/{survey.pk}/", {"title": "Fresh"}, format="json")

    assert response.status_code == HTTPStatus.OK
    survey.refresh_from_db()
    assert (survey.title, survey.description, survey.audience) == ("Fresh", "", "public")
    assert survey.questions.count() == 0


def test_put_without_title_is_400_and_changes_nothing(owner_client, draft):
    response = owner_client.put(f"/api/surveys/{draft.pk}/", {"description": "x"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "title" in response.json()
    draft.refresh_from_db()
    assert draft.description == ""


@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_questions_once_responses_exist_is_409_and_changes_nothing(
    owner, owner_client, method
):
    survey = survey_with_questions(owner=owner)
    respond(survey)
    before = list(Question.objects.values_list("id", "text"))

    response = getattr(owner_client, method)(
        f"/api/surveys/{survey.pk}/",
        {"title": "Renamed", "questions": NEW_QUESTIONS},
        format="json",
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert "detail" in response.json()
    assert list(Question.objects.values_list("id", "text")) == before
    survey.refresh_from_db()
    assert survey.title == "Team survey"


def test_title_and_description_edits_stay_allowed_once_responses_exist(owner, owner_client):
    survey = survey_with_questions(owner=owner)
    respond(survey)

    response = owner_client.patch(
        f"/api/surveys/{survey.pk}/", {"title": "Renamed", "description": "Better"}, format="json"
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["title"] == "Renamed"


def test_sending_the_current_questions_back_is_not_a_change(owner, owner_client):
    survey = survey_with_questions(owner=owner)
    respond(survey)
    before = list(Choice.objects.values_list("id", flat=True))

    response = owner_client.put(
        f"/api/surveys/{survey.pk}/",
        {"title": "Renamed", "questions": current_questions(survey)},
        format="json",
    )

    assert response.status_code == HTTPStatus.OK
    assert list(Choice.objects.values_list("id", flat=True)) == before


def test_invalid_questions_in_an_update_change_nothing(owner_client, draft):
    before = list(Question.objects.values_list("id", "text"))
    bad = [*NEW_QUESTIONS, {"text": "Lonely", "kind": "single_choice", "choices": [{"text": "A"}]}]

    response = owner_client.patch(
        f"/api/surveys/{draft.pk}/", {"title": "Renamed", "questions": bad}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["questions"]) == {"2"}
    assert list(Question.objects.values_list("id", "text")) == before
    draft.refresh_from_db()
    assert draft.title == "Team survey"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 5),
        ("description", False),
        ("audience", None),
        ("closes_at", {}),
        ("questions", "x"),
    ],
)
def test_wrong_types_in_an_update_are_400(owner_client, draft, field, value):
    response = owner_client.patch(f"/api/surveys/{draft.pk}/", {field: value}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()


def test_delete_removes_the_survey_with_its_responses(owner, owner_client):
    survey = survey_with_questions(owner=owner)
    respond(survey)

    response = owner_client.delete(f"/api/surveys/{survey.pk}/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Survey.objects.exists()
    assert not Question.objects.exists()
