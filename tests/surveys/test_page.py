"""The survey page /surveys/{id}: the HTML form invitees land on, through the same service."""

import re
from http import HTTPStatus

import pytest
from django.test import Client

from surveys.models import Answer, Response, Survey
from tests.factories import UserFactory
from tests.surveys.factories import (
    EVERY_KIND,
    InvitationFactory,
    ReviewerFactory,
    respond,
    survey_with_questions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(owner):
    return survey_with_questions(owner=owner, questions=EVERY_KIND, title="Team & lunch")


@pytest.fixture
def visitor(client):
    client.force_login(UserFactory(email="visitor@example.org"))
    return client


def page(survey) -> str:
    return f"/surveys/{survey.pk}"


def form_data(survey, **overrides) -> dict:
    questions = {q.text: q for q in survey.questions.prefetch_related("choices")}

    def choice(text, index):
        return str(list(questions[text].choices.all())[index].pk)

    data = {
        f"question-{questions['Pick one'].pk}": choice("Pick one", 1),
        f"question-{questions['Pick some'].pk}": [choice("Pick some", 0), choice("Pick some", 2)],
        f"question-{questions['Rate'].pk}": "4",
        f"question-{questions['Say'].pk}": "Tasty",
    }
    for text, value in overrides.items():
        data[f"question-{questions[text].pk}"] = value
    return data


def fieldset(html: str, survey, text: str) -> str:
    question = survey.questions.get(text=text)
    match = re.search(rf'<fieldset id="question-{question.pk}".*?</fieldset>', html, re.S)
    assert match, f"no fieldset for {text}"
    return match.group(0)


def test_an_anonymous_visitor_gets_a_sign_in_link_back_to_the_page(client, survey):
    response = client.get(page(survey))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert f'href="/accounts/login/?next=/surveys/{survey.pk}"' in html
    assert "Team &amp; lunch" in html
    assert "<form" not in html


@pytest.mark.parametrize("kind", ["invited-only", "missing"])
def test_anonymous_visitors_learn_nothing_about_hidden_or_missing_surveys(client, owner, kind):
    if kind == "invited-only":
        survey_id = survey_with_questions(
            owner=owner, audience=Survey.Audience.INVITED, title="Secret"
        ).pk
    else:
        survey_id = 987654

    response = client.get(f"/surveys/{survey_id}")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Secret" not in html
    assert f"/accounts/login/?next=/surveys/{survey_id}" in html


def test_an_anonymous_post_is_sent_to_sign_in(client, survey):
    response = client.post(page(survey), form_data(survey))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Response.objects.exists()


def test_a_signed_in_visitor_sees_the_form_with_every_question(visitor, survey):
    response = visitor.get(page(survey))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert html.count('type="radio"') == 3 + 5 + 2  # single choice, the 1..5 scale, optional pick
    assert html.count('type="checkbox"') == 3
    assert "<textarea" in html
    # Self-contained: no scripts, no stylesheets or images from anywhere else.
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_answering_through_the_form_stores_the_response_and_shows_it_answered(visitor, survey):
    response = visitor.post(page(survey), form_data(survey))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == page(survey)
    stored = Response.objects.get()
    assert stored.respondent.email == "visitor@example.org"
    assert Answer.objects.filter(response=stored).count() == 4
    after = visitor.get(page(survey)).content.decode()
    assert "Thank you! Your answers are saved." in after
    assert "already answered" not in after
    later = visitor.get(page(survey)).content.decode()
    assert "already answered" in later
    assert "<form" not in after


def test_errors_are_shown_beside_their_questions_and_nothing_is_stored(visitor, survey):
    data = form_data(survey, Rate="9")
    del data[f"question-{survey.questions.get(text='Say').pk}"]

    response = visitor.post(page(survey), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Give a rating from 1 to 5." in fieldset(html, survey, "Rate")
    assert "This question is required." in fieldset(html, survey, "Say")
    assert "errors" not in fieldset(html, survey, "Pick one")
    # What the visitor chose is still chosen.
    chosen = data[f"question-{survey.questions.get(text='Pick one').pk}"]
    assert f'value="{chosen}" checked' in fieldset(html, survey, "Pick one")
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("question", "value"), [("Pick one", "abc"), ("Rate", "five"), ("Pick some", "1.5")]
)
def test_values_that_are_not_numbers_are_errors_not_crashes(visitor, survey, question, value):
    response = visitor.post(page(survey), form_data(survey, **{question: value}))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="errors"' in fieldset(response.content.decode(), survey, question)
    assert not Response.objects.exists()


def test_a_second_submission_is_refused(visitor, survey):
    visitor.post(page(survey), form_data(survey))

    again = visitor.post(page(survey), form_data(survey))

    assert again.status_code == HTTPStatus.CONFLICT
    assert "already answered" in again.content.decode()
    assert Response.objects.count() == 1


def test_a_closed_survey_shows_no_form_and_refuses_answers(visitor, owner):
    survey = survey_with_questions(owner=owner, questions=EVERY_KIND, status=Survey.Status.CLOSED)

    shown = visitor.get(page(survey))
    posted = visitor.post(page(survey), form_data(survey))

    assert "not open for responses" in shown.content.decode()
    assert "<form" not in shown.content.decode()
    assert posted.status_code == HTTPStatus.CONFLICT
    assert not Response.objects.exists()


def test_an_invitee_answers_an_invited_only_survey_and_others_get_404(client, owner):
    survey = survey_with_questions(
        owner=owner, questions=EVERY_KIND, audience=Survey.Audience.INVITED
    )
    InvitationFactory(survey=survey, email="guest@example.org")
    stranger = Client()
    stranger.force_login(UserFactory())
    client.force_login(UserFactory(email="Guest@example.org"))

    assert stranger.get(page(survey)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(page(survey), form_data(survey)).status_code == HTTPStatus.FOUND
    assert Response.objects.get().respondent.email == "Guest@example.org"


def test_a_reviewer_who_was_not_invited_sees_the_survey_without_a_form(client, owner):
    survey = survey_with_questions(
        owner=owner, questions=EVERY_KIND, audience=Survey.Audience.INVITED
    )
    ReviewerFactory(survey=survey, email="rev@example.org")
    client.force_login(UserFactory(email="rev@example.org"))

    html = client.get(page(survey)).content.decode()

    assert "invited people only" in html
    assert "<form" not in html


def test_the_form_needs_its_csrf_token(survey):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())

    without = browser.post(page(survey), form_data(survey))
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(page(survey)).content.decode()
    )
    assert token
    with_token = browser.post(
        page(survey), {**form_data(survey), "csrfmiddlewaretoken": token.group(1)}
    )

    assert without.status_code == HTTPStatus.FORBIDDEN
    assert with_token.status_code == HTTPStatus.FOUND
    assert Response.objects.count() == 1


def test_someone_who_answered_through_the_api_sees_it_answered(client, survey):
    person = UserFactory()
    respond(survey, respondent=person)
    client.force_login(person)

    assert "already answered" in client.get(page(survey)).content.decode()


def test_other_methods_are_405(visitor, survey):
    assert visitor.put(page(survey)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_page_also_answers_with_a_trailing_slash(visitor, survey):
    response = visitor.get(f"{page(survey)}/")

    assert response.status_code == HTTPStatus.OK
    assert 'type="submit"' in response.content.decode()


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG=1", "DEBUG=0"])
def test_a_missing_survey_is_a_styled_404_page_also_under_debug(visitor, settings, debug):
    settings.DEBUG = debug

    response = visitor.get("/surveys/987654")

    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "<h1>No such survey</h1>" in html
    assert "<style nonce=" in html
    assert "technical_404" not in html and "URLconf" not in html


def test_an_anonymous_visitor_is_also_offered_an_account(client, survey):
    html = client.get(page(survey)).content.decode()

    assert f'href="/accounts/signup/?next=/surveys/{survey.pk}"' in html
