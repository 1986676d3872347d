"""Reviewers by email (owner only): pending until confirmed; answers never reveal accounts."""

from http import HTTPStatus

import pytest

from surveys.models import Reviewer, Survey
from tests.factories import UserFactory
from tests.surveys.factories import respond, survey_with_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(owner):
    return survey_with_questions(owner=owner, status=Survey.Status.DRAFT)


def add(client, survey, email):
    return client.post(f"/api/surveys/{survey.pk}/reviewers/", {"email": email}, format="json")


def test_adding_a_reviewer_answers_the_same_whether_an_account_exists(owner_client, survey):
    UserFactory(email="known@example.org")

    known = add(owner_client, survey, "known@example.org")
    unknown = add(owner_client, survey, "unknown@example.org")

    assert known.status_code == unknown.status_code == HTTPStatus.CREATED
    assert set(known.json()) == set(unknown.json()) == {"id", "email"}
    assert known.json()["email"] == "known@example.org"
    assert known.headers.keys() == unknown.headers.keys()


def test_adding_the_same_address_again_returns_the_existing_reviewer(owner_client, survey):
    first = add(owner_client, survey, "rev@example.org")
    again = add(owner_client, survey, "REV@example.org")

    assert again.status_code == HTTPStatus.OK
    assert again.json() == first.json()
    assert Reviewer.objects.count() == 1


def test_a_pending_reviewer_gains_access_once_confirmed(owner_client, survey, client_for):
    respond_to = survey_with_questions(owner=survey.owner)
    respond(respond_to)
    add(owner_client, respond_to, "later@example.org")
    url = f"/api/surveys/{respond_to.pk}/results/"
    person = UserFactory(email="Later@Example.org", is_active=False)
    assert client_for(person).get(url).status_code == HTTPStatus.FORBIDDEN

    person.is_active = True
    person.save()

    assert client_for(person).get(url).status_code == HTTPStatus.OK
    assert (
        client_for(person).get(f"/api/surveys/{respond_to.pk}/responses/").status_code
        == HTTPStatus.OK
    )


def test_a_reviewer_reads_a_draft_but_never_edits_it(owner_client, survey, client_for):
    add(owner_client, survey, "rev@example.org")
    reviewer = client_for(UserFactory(email="rev@example.org"))

    read = reviewer.get(f"/api/surveys/{survey.pk}/")
    edit = reviewer.patch(f"/api/surveys/{survey.pk}/", {"title": "Mine now"}, format="json")

    assert read.status_code == HTTPStatus.OK
    assert edit.status_code == HTTPStatus.FORBIDDEN
    assert reviewer.get("/api/surveys/?role=reviewer").json()["count"] == 1


def test_the_owner_lists_and_removes_reviewers(owner_client, survey, client_for):
    added = add(owner_client, survey, "rev@example.org").json()
    reviewer = client_for(UserFactory(email="rev@example.org"))

    listed = owner_client.get(f"/api/surveys/{survey.pk}/reviewers/")
    removed = owner_client.delete(f"/api/surveys/{survey.pk}/reviewers/{added['id']}/")

    assert listed.json()["results"] == [added]
    assert listed.json()["count"] == 1
    assert removed.status_code == HTTPStatus.NO_CONTENT
    assert reviewer.get(f"/api/surveys/{survey.pk}/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "email", ["", "not-an-address", None, 42, ["rev@example.org"], {"e": 1}, True]
)
def test_an_invalid_reviewer_address_is_400(owner_client, survey, email):
    response = add(owner_client, survey, email)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "email" in response.json()
    assert not Reviewer.objects.exists()
