"""GET /api/surveys/{id}/results/: database aggregates, checked against known answers."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import services
from surveys.selectors import TEXT_ANSWERS_LIMIT
from surveys.services import AnswerInput, QuestionSpec
from tests.factories import UserFactory
from tests.surveys.factories import EVERY_KIND, question_specs, respond, survey_with_questions

pytestmark = pytest.mark.django_db

SPECS = [
    *EVERY_KIND,
    QuestionSpec(text="Optional rate", kind="rating", required=False, scale_max=4),
]


def submit(survey, **picked) -> None:
    """Answer through the service: picked maps question text to choice texts, a rating or text."""
    questions = {q.text: q for q in survey.questions.prefetch_related("choices")}
    answers = []
    for text, value in picked.items():
        question = questions[text.replace("_", " ")]
        if isinstance(value, list):
            ids = tuple(c.pk for c in question.choices.all() if c.text in value)
            answers.append(AnswerInput(question=question.pk, choices=ids))
        elif isinstance(value, int):
            answers.append(AnswerInput(question=question.pk, rating=value))
        else:
            answers.append(AnswerInput(question=question.pk, text=value))
    services.response_submit(survey=survey, respondent=UserFactory(), answers=answers)


@pytest.fixture
def survey(owner):
    survey = survey_with_questions(owner=owner, questions=SPECS)
    submit(survey, Pick_one=["A"], Pick_some=["X", "Y"], Rate=5, Say="alpha", Optional_pick=["P"])
    submit(survey, Pick_one=["A"], Pick_some=["Y"], Rate=4, Say="beta")
    submit(survey, Pick_one=["B"], Pick_some=["X", "Y", "Z"], Rate=4, Say="gamma, with comma")
    return survey


def choices_of(result: dict) -> list[tuple[str, int, float]]:
    return [(c["text"], c["count"], c["percent"]) for c in result["choices"]]


def test_results_match_the_known_responses(owner_client, survey):
    response = owner_client.get(f"/api/surveys/{survey.pk}/results/")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"survey", "responses", "questions"}
    assert body["survey"] == survey.pk
    assert body["responses"] == 3
    single, multiple, rating, text, optional_pick, optional_rate = body["questions"]
    assert [question["text"] for question in body["questions"]] == [
        question.text for question in survey.questions.order_by("position")
    ]

    assert set(single) == {"id", "text", "kind", "answered", "choices"}
    assert single["answered"] == 3
    assert choices_of(single) == [("A", 2, 66.7), ("B", 1, 33.3), ("C", 0, 0.0)]
    assert set(single["choices"][0]) == {"id", "text", "count", "percent"}

    assert multiple["answered"] == 3
    assert choices_of(multiple) == [("X", 2, 66.7), ("Y", 3, 100.0), ("Z", 1, 33.3)]

    assert set(rating) == {"id", "text", "kind", "answered", "rating"}
    assert rating["answered"] == 3
    assert rating["rating"] == {
        "average": 4.33,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
    }

    assert set(text) == {"id", "text", "kind", "answered", "text_answers"}
    assert text["answered"] == 3
    assert text["text_answers"] == ["gamma, with comma", "beta", "alpha"]

    assert optional_pick["answered"] == 1
    assert choices_of(optional_pick) == [("P", 1, 100.0), ("Q", 0, 0.0)]

    assert optional_rate["answered"] == 0
    assert optional_rate["rating"] == {
        "average": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0},
    }


def test_a_survey_nobody_answered_has_zeros_everywhere(owner, owner_client):
    survey = survey_with_questions(owner=owner, questions=SPECS)

    body = owner_client.get(f"/api/surveys/{survey.pk}/results/").json()

    assert body["responses"] == 0
    single, _, rating, text, _, _ = body["questions"]
    assert choices_of(single) == [("A", 0, 0.0), ("B", 0, 0.0), ("C", 0, 0.0)]
    assert rating["rating"]["average"] is None
    assert text["text_answers"] == []


def test_percentages_and_averages_round_half_up(owner, owner_client):
    survey = survey_with_questions(
        owner=owner,
        questions=[
            QuestionSpec(text="Pick one", kind="single_choice", choices=("A", "B")),
            QuestionSpec(text="Rate", kind="rating", scale_max=5),
        ],
    )
    # 1 of 16 = 6.25 % → 6.3; ratings summing to 42 over 16 = 2.625 → 2.63 (round() gives 2.62).
    ratings = [5, 5, 5, 5, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1]
    for index, rating in enumerate(ratings):
        submit(survey, Pick_one=["A" if index == 0 else "B"], Rate=rating)

    body = owner_client.get(f"/api/surveys/{survey.pk}/results/").json()

    single, rating = body["questions"]
    assert choices_of(single) == [("A", 1, 6.3), ("B", 15, 93.8)]
    assert rating["rating"]["average"] == 2.63


def test_text_answers_are_capped_newest_first(owner, owner_client):
    survey = survey_with_questions(owner=owner, questions=[QuestionSpec(text="Say", kind="text")])
    for number in range(TEXT_ANSWERS_LIMIT + 5):
        submit(survey, Say=f"answer {number}")

    (text,) = owner_client.get(f"/api/surveys/{survey.pk}/results/").json()["questions"]

    assert text["answered"] == TEXT_ANSWERS_LIMIT + 5
    expected = [f"answer {n}" for n in range(TEXT_ANSWERS_LIMIT + 4, 4, -1)]
    assert text["text_answers"] == expected


def test_a_reviewer_reads_the_same_results(owner_client, survey, client_for):
    reviewer = UserFactory(email="reviewer@example.org")
    owner_client.post(
        f"/api/surveys/{survey.pk}/reviewers/", {"email": reviewer.email}, format="json"
    )

    as_reviewer = client_for(reviewer).get(f"/api/surveys/{survey.pk}/results/")

    assert as_reviewer.status_code == HTTPStatus.OK
    assert as_reviewer.json() == owner_client.get(f"/api/surveys/{survey.pk}/results/").json()


def queries_for_results(owner, client, question_count: int) -> int:
    survey = survey_with_questions(owner=owner, questions=question_specs(question_count, choices=6))
    for _ in range(3):
        respond(survey, pick=1)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/surveys/{survey.pk}/results/")
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["questions"]) == question_count
    return len(queries)


def test_results_take_one_query_per_question_kind_whatever_the_question_count(owner, owner_client):
    ten = queries_for_results(owner, owner_client, 10)
    forty = queries_for_results(owner, owner_client, 40)

    # The survey, the response count, the questions with answered counts, then one query per
    # kind: choice counts, rating distributions, newest text answers.
    assert ten == forty == 6
