"""GET /api/surveys/{id}/responses/: paginated JSON, and a streamed CSV with `?format=csv`."""

import csv
import io
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import services
from surveys.selectors import responses_export_rows
from surveys.services import AnswerInput, QuestionSpec
from tests.factories import UserFactory
from tests.surveys.factories import respond, survey_with_questions

pytestmark = pytest.mark.django_db

HEADER = [
    "response_id",
    "respondent",
    "submitted_at",
    "Pick one",
    "Pick some, any",
    'Rate "it"',
    "Say",
]
SPECS = [
    QuestionSpec(text="Pick one", kind="single_choice", choices=("Red", "Blue")),
    QuestionSpec(text="Pick some, any", kind="multiple_choice", choices=("X", "Y", "Z")),
    QuestionSpec(text='Rate "it"', kind="rating", scale_max=5),
    QuestionSpec(text="Say", kind="text", required=False),
]
TRICKY_TEXT = 'Line one, with a comma\nline two with "quotes"; and ünïcödé'


def answer(survey, email: str, *, pick: str, some: list[str], rating: int, text: str = ""):
    questions = list(survey.questions.prefetch_related("choices"))
    by_text = {q.text: {c.text: c.pk for c in q.choices.all()} for q in questions}
    answers = [
        AnswerInput(question=questions[0].pk, choices=(by_text["Pick one"][pick],)),
        # Sent out of position order: the export lists them in position order.
        AnswerInput(
            question=questions[1].pk,
            choices=tuple(by_text["Pick some, any"][t] for t in reversed(some)),
        ),
        AnswerInput(question=questions[2].pk, rating=rating),
        AnswerInput(question=questions[3].pk, text=text),
    ]
    return services.response_submit(
        survey=survey, respondent=UserFactory(email=email), answers=answers
    )


@pytest.fixture
def survey(owner):
    survey = survey_with_questions(owner=owner, questions=SPECS)
    answer(survey, "ada@example.org", pick="Red", some=["X", "Z"], rating=5, text=TRICKY_TEXT)
    answer(survey, "bob@example.org", pick="Blue", some=["Y"], rating=2)
    answer(
        survey, "cy@example.org", pick="Blue", some=["X", "Y", "Z"], rating=3, text="=SUM(A1:A2)"
    )
    return survey


def parse(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body, newline="")))


def test_json_list_is_paginated_with_respondents_and_answers(owner_client, survey):
    response = owner_client.get(f"/api/surveys/{survey.pk}/responses/")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    first = body["results"][0]
    assert set(first) == {"id", "respondent", "submitted_at", "answers"}
    assert first["respondent"]["email"] == "ada@example.org"
    assert set(first["respondent"]) == {"id", "email"}
    questions = list(survey.questions.prefetch_related("choices"))
    choices = [list(q.choices.all()) for q in questions]
    assert first["answers"] == [
        {"question": questions[0].pk, "choices": [choices[0][0].pk]},
        {"question": questions[1].pk, "choices": [choices[1][0].pk, choices[1][2].pk]},
        {"question": questions[2].pk, "rating": 5},
        {"question": questions[3].pk, "text": TRICKY_TEXT},
    ]
    # The unanswered optional question is not listed.
    assert len(body["results"][1]["answers"]) == 3


def test_csv_export_parses_back_to_the_answers(owner_client, survey):
    response = owner_client.get(f"/api/surveys/{survey.pk}/responses/?format=csv")

    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="survey-{survey.pk}-responses.csv"'
    )
    rows = parse(response)
    assert rows[0] == [
        "response_id",
        "respondent",
        "submitted_at",
        "Pick one",
        "Pick some, any",
        'Rate "it"',
        "Say",
    ]
    ids = list(survey.responses.order_by("id").values_list("id", flat=True))
    assert [row[:2] for row in rows[1:]] == [
        [str(ids[0]), "ada@example.org"],
        [str(ids[1]), "bob@example.org"],
        [str(ids[2]), "cy@example.org"],
    ]
    assert [row[3:] for row in rows[1:]] == [
        ["Red", "X; Z", "5", TRICKY_TEXT],
        ["Blue", "Y", "2", ""],
        # A cell a spreadsheet would run as a formula is kept as text.
        ["Blue", "X; Y; Z", "3", "'=SUM(A1:A2)"],
    ]
    assert all(row[2].endswith("Z") and "T" in row[2] for row in rows[1:])


def test_csv_is_also_chosen_by_the_accept_header(owner_client, survey):
    response = owner_client.get(f"/api/surveys/{survey.pk}/responses/", HTTP_ACCEPT="text/csv")

    assert response.status_code == HTTPStatus.OK
    assert len(parse(response)) == 4


def test_csv_of_a_survey_without_responses_is_the_header_only(owner, owner_client):
    survey = survey_with_questions(owner=owner, questions=SPECS)

    rows = parse(owner_client.get(f"/api/surveys/{survey.pk}/responses/?format=csv"))

    assert rows == [
        [
            "response_id",
            "respondent",
            "submitted_at",
            "Pick one",
            "Pick some, any",
            'Rate "it"',
            "Say",
        ]
    ]


def test_export_reads_responses_in_chunks_as_it_streams(owner, survey):
    for _ in range(4):
        answer(survey, f"{_}@example.net", pick="Red", some=["X"], rating=1)
    everything = list(responses_export_rows(survey))

    rows = responses_export_rows(survey, chunk_size=2)
    with CaptureQueriesContext(connection) as queries:
        started = [next(rows) for _ in range(3)]  # header and the first chunk of two
    queries_for_first_chunk = len(queries)
    rest = list(rows)

    assert started + rest == everything
    assert len(everything) == 8
    # Questions, choices, then one chunk: responses, answers, chosen options; nothing more yet.
    assert queries_for_first_chunk == 5


@pytest.mark.parametrize("query", ["?format=xml", "?format=yaml", "?format=csv.gz"])
def test_unknown_formats_are_json_404(owner_client, survey, query):
    response = owner_client.get(f"/api/surveys/{survey.pk}/responses/{query}")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("application/json")


def test_an_empty_format_is_the_default_json(owner_client, survey):
    response = owner_client.get(f"/api/surveys/{survey.pk}/responses/?format=")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["count"] == 3


def test_an_unacceptable_accept_header_is_json_406(owner_client, survey):
    response = owner_client.get(
        f"/api/surveys/{survey.pk}/responses/", HTTP_ACCEPT="application/xml"
    )

    assert response.status_code == HTTPStatus.NOT_ACCEPTABLE
    assert response["Content-Type"].startswith("application/json")


def test_posting_with_format_csv_does_not_answer_csv(client_for, survey):
    response = client_for(UserFactory()).post(
        f"/api/surveys/{survey.pk}/responses/?format=csv", {"answers": []}, format="json"
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("application/json")


def test_a_page_of_20_responses_takes_a_fixed_number_of_queries(
    owner, owner_client, django_assert_max_num_queries
):
    survey = survey_with_questions(owner=owner, questions=8)
    for _ in range(25):
        respond(survey)

    # survey, count, responses with respondents, answers with questions, chosen options
    with django_assert_max_num_queries(5):
        response = owner_client.get(f"/api/surveys/{survey.pk}/responses/")

    assert len(response.json()["results"]) == 20
    assert response.json()["next"]
