"""GET /api/surveys/ and /api/surveys/{id}/: what each caller sees, role filters, query bounds."""

from datetime import UTC, datetime
from http import HTTPStatus

import pytest

from surveys.models import Survey
from tests.factories import UserFactory
from tests.surveys.factories import (
    InvitationFactory,
    ReviewerFactory,
    question_specs,
    respond,
    survey_with_questions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(owner, stranger):
    """One survey of each kind, by `owner`; `stranger` is invited to one and reviews another."""
    surveys = {
        "public published": survey_with_questions(owner=owner, title="public published"),
        "public closed": survey_with_questions(
            owner=owner, title="public closed", status=Survey.Status.CLOSED
        ),
        "public draft": survey_with_questions(
            owner=owner, title="public draft", status=Survey.Status.DRAFT
        ),
        "invited published": survey_with_questions(
            owner=owner, title="invited published", audience=Survey.Audience.INVITED
        ),
        "invited elsewhere": survey_with_questions(
            owner=owner, title="invited elsewhere", audience=Survey.Audience.INVITED
        ),
        "reviewed draft": survey_with_questions(
            owner=owner, title="reviewed draft", status=Survey.Status.DRAFT
        ),
        "strangers draft": survey_with_questions(
            owner=stranger, title="strangers draft", status=Survey.Status.DRAFT
        ),
    }
    InvitationFactory(survey=surveys["invited published"], email="STRANGER@example.org")
    InvitationFactory(survey=surveys["invited elsewhere"], email="someone@example.org")
    ReviewerFactory(survey=surveys["reviewed draft"], email="stranger@example.org")
    respond(surveys["public published"], respondent=stranger)
    return surveys


def titles(response) -> set[str]:
    assert response.status_code == HTTPStatus.OK
    return {item["title"] for item in response.json()["results"]}


def test_anonymous_callers_see_published_and_closed_public_surveys(client_for, catalogue):
    assert titles(client_for(None).get("/api/surveys/")) == {"public published", "public closed"}


def test_a_signed_in_caller_also_sees_own_drafts_invitations_and_reviews(
    client_for, catalogue, stranger, owner
):
    assert titles(client_for(stranger).get("/api/surveys/")) == {
        "public published",
        "public closed",
        "invited published",
        "reviewed draft",
        "strangers draft",
    }
    assert titles(client_for(owner).get("/api/surveys/")) == set(catalogue) - {"strangers draft"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", {"strangers draft"}),
        ("invited", {"invited published"}),
        ("reviewer", {"reviewed draft"}),
        ("responded", {"public published"}),
    ],
)
def test_role_filters_the_list(client_for, catalogue, stranger, role, expected):
    assert titles(client_for(stranger).get(f"/api/surveys/?role={role}")) == expected


def test_an_anonymous_role_filter_is_empty(client_for, catalogue):
    assert titles(client_for(None).get("/api/surveys/?role=owner")) == set()


@pytest.mark.parametrize("role", ["admin", "OWNER", "owner,invited"])
def test_an_unknown_role_is_400(client_for, stranger, role):
    response = client_for(stranger).get(f"/api/surveys/?role={role}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "role" in response.json()


def test_the_list_is_paginated_newest_first(client_for, owner):
    for number in range(23):
        survey_with_questions(owner=owner, questions=1, title=f"s{number}")

    first = client_for(owner).get("/api/surveys/").json()
    second = client_for(owner).get(first["next"]).json()

    assert first["count"] == 23
    assert len(first["results"]) == 20
    assert first["results"][0]["title"] == "s22"
    assert [item["title"] for item in second["results"]] == ["s2", "s1", "s0"]
    assert client_for(owner).get("/api/surveys/?page=9").status_code == HTTPStatus.NOT_FOUND


def test_list_and_detail_return_closes_at_in_iso_8601_or_null(client_for, owner):
    closing = survey_with_questions(
        owner=owner, title="closing", closes_at=datetime(2030, 1, 1, 12, tzinfo=UTC)
    )
    survey_with_questions(owner=owner, title="open-ended")
    client = client_for(owner)

    listed = {
        item["title"]: item["closes_at"] for item in client.get("/api/surveys/").json()["results"]
    }
    detail = client.get(f"/api/surveys/{closing.pk}/").json()

    assert listed == {"closing": "2030-01-01T12:00:00Z", "open-ended": None}
    assert detail["closes_at"] == "2030-01-01T12:00:00Z"


def test_a_page_of_20_surveys_counts_them_and_their_questions_in_one_query(
    client_for, owner, django_assert_max_num_queries
):
    for _ in range(25):
        survey_with_questions(owner=owner, questions=question_specs(5, choices=4))
    client = client_for(UserFactory())

    with django_assert_max_num_queries(1):
        response = client.get("/api/surveys/")

    items = response.json()["results"]
    assert response.json()["count"] == 25
    assert len(items) == 20
    assert all(item["question_count"] == 5 for item in items)
    assert not any("questions" in item for item in items)


def test_expanded_a_page_of_20_surveys_has_their_questions_in_at_most_2_queries(
    client_for, owner, django_assert_max_num_queries
):
    for _ in range(25):
        survey_with_questions(owner=owner, questions=question_specs(5, choices=4))
    client = client_for(UserFactory())

    with django_assert_max_num_queries(2):
        response = client.get("/api/surveys/?expand=questions")

    items = response.json()["results"]
    assert len(items) == 20
    assert all(len(item["questions"]) == item["question_count"] == 5 for item in items)


def test_an_unknown_expansion_is_a_400_naming_the_parameter(client_for, owner):
    response = client_for(owner).get("/api/surveys/?expand=answers")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "expand" in response.json()


def test_a_survey_without_questions_counts_zero(client_for, owner):
    survey_with_questions(owner=owner, questions=[])

    [item] = client_for(owner).get("/api/surveys/?expand=questions").json()["results"]

    assert item["question_count"] == 0
    assert item["questions"] == []


def test_detail_of_50_questions_with_6_choices_takes_at_most_2_queries(
    client_for, owner, django_assert_max_num_queries
):
    survey = survey_with_questions(
        owner=owner,
        questions=[spec for spec in question_specs(100, choices=6) if spec.choices][:50],
        choices=6,
    )
    client = client_for(UserFactory())

    with django_assert_max_num_queries(2):
        response = client.get(f"/api/surveys/{survey.pk}/")

    questions = response.json()["questions"]
    assert len(questions) == 50
    assert all(len(question["choices"]) == 6 for question in questions)


@pytest.mark.parametrize(
    ("viewer", "sees_owner"),
    [
        ("owner", True),
        ("reviewer", True),
        ("invitee", False),
        ("stranger", False),
        ("anonymous", False),
    ],
)
def test_only_the_owner_and_the_reviewers_see_who_owns_a_survey(
    client_for, owner, viewer, sees_owner
):
    survey = survey_with_questions(owner=owner, title="lunch")
    InvitationFactory(survey=survey, email="invitee@example.org")
    ReviewerFactory(survey=survey, email="reviewer@example.org")
    users = {
        "owner": owner,
        "reviewer": UserFactory(email="reviewer@example.org"),
        "invitee": UserFactory(email="invitee@example.org"),
        "stranger": UserFactory(email="someone@example.org"),
        "anonymous": None,
    }
    client = client_for(users[viewer])
    expected = owner.pk if sees_owner else None

    [listed] = client.get("/api/surveys/").json()["results"]
    detail = client.get(f"/api/surveys/{survey.pk}/").json()

    assert listed["owner"] == detail["owner"] == expected
    assert "owner" in listed and "owner" in detail


def test_a_reviewers_page_of_20_surveys_shows_their_owners_in_one_query(
    client_for, owner, django_assert_max_num_queries
):
    reviewer = UserFactory(email="reviewer@example.org")
    for _ in range(25):
        survey = survey_with_questions(owner=owner, questions=question_specs(3, choices=3))
        ReviewerFactory(survey=survey, email=reviewer.email)
    client = client_for(reviewer)

    with django_assert_max_num_queries(1):
        response = client.get("/api/surveys/")

    assert [item["owner"] for item in response.json()["results"]] == [owner.pk] * 20


@pytest.mark.parametrize(("page", "expected"), [("1", 20), ("2", 5), ("last", 5)])
def test_the_page_count_and_links_are_those_of_every_visible_survey(
    client_for, owner, page, expected
):
    for _ in range(25):
        survey_with_questions(owner=owner, questions=1)
    survey_with_questions(owner=owner, status=Survey.Status.DRAFT)

    body = client_for(UserFactory()).get(f"/api/surveys/?page={page}").json()

    assert body["count"] == 25
    assert len(body["results"]) == expected
    assert (body["next"] is None) == (expected == 5)


def test_an_empty_list_counts_zero(client_for):
    body = client_for(UserFactory()).get("/api/surveys/").json()

    assert (body["count"], body["results"], body["next"]) == (0, [], None)


def test_a_page_number_past_what_the_database_can_offset_is_a_404(client_for, owner):
    survey_with_questions(owner=owner, questions=1)

    response = client_for(owner).get("/api/surveys/?page=461168601842738792")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "detail" in response.json()
