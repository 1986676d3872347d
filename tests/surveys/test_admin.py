"""Admin: surveys with inline questions, questions with inline choices, read-only responses."""

from http import HTTPStatus

import pytest

from tests.factories import UserFactory
from tests.surveys.factories import respond, survey_with_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def survey(owner):
    return survey_with_questions(owner=owner, questions=4, title="Admin survey")


def test_survey_pages_list_and_show_inline_questions(admin_client, survey):
    listed = admin_client.get("/admin/surveys/survey/")
    shown = admin_client.get(f"/admin/surveys/survey/{survey.pk}/change/")

    assert listed.status_code == HTTPStatus.OK
    assert "Admin survey" in listed.content.decode()
    assert shown.status_code == HTTPStatus.OK
    html = shown.content.decode()
    assert "Question 1?" in html
    assert 'name="questions-0-text"' in html


def test_question_page_shows_inline_choices(admin_client, survey):
    question = survey.questions.get(position=1)

    shown = admin_client.get(f"/admin/surveys/question/{question.pk}/change/")

    assert shown.status_code == HTTPStatus.OK
    assert 'name="choices-0-text"' in shown.content.decode()


def test_questions_are_read_only_once_the_survey_has_responses(admin_client, survey):
    respond(survey)

    html = admin_client.get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()

    assert "Question 1?" in html
    assert 'name="questions-0-text"' not in html


def test_responses_are_read_only(admin_client, survey):
    response = respond(survey)

    listed = admin_client.get("/admin/surveys/response/")
    shown = admin_client.get(f"/admin/surveys/response/{response.pk}/change/")
    added = admin_client.get("/admin/surveys/response/add/")
    changed = admin_client.post(f"/admin/surveys/response/{response.pk}/change/", {})
    deleted = admin_client.post(f"/admin/surveys/response/{response.pk}/delete/", {"post": "yes"})

    assert listed.status_code == HTTPStatus.OK
    assert shown.status_code == HTTPStatus.OK
    assert "Fine" in shown.content.decode()
    assert 'type="submit" value="Save"' not in shown.content.decode()
    assert added.status_code == HTTPStatus.FORBIDDEN
    assert changed.status_code == HTTPStatus.FORBIDDEN
    assert deleted.status_code == HTTPStatus.FORBIDDEN
    assert survey.responses.count() == 1
