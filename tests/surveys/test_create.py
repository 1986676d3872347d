"""POST /api/surveys/: one atomic call with nested questions; bad input creates nothing."""

from http import HTTPStatus

import pytest

from surveys.models import Choice, Question, Survey

pytestmark = pytest.mark.django_db

URL = "/api/surveys/"


def create_payload(**overrides) -> dict:
    return {
        "title": "Lunch",
        "description": "Where do we eat on Friday?",
        "questions": [
            {
                "text": "Where?",
                "kind": "single_choice",
                "required": True,
                "choices": [{"text": "Pizza"}, {"text": "Sushi"}],
            },
            {
                "text": "Extras?",
                "kind": "multiple_choice",
                "required": False,
                "choices": [{"text": "Drink"}, {"text": "Dessert"}, {"text": "Coffee"}],
            },
            {"text": "How hungry?", "kind": "rating", "required": True, "scale_max": 7},
            {"text": "Anything else?", "kind": "text", "required": False},
        ],
        **overrides,
    }


def assert_nothing_created():
    assert Survey.objects.count() == 0
    assert Question.objects.count() == 0
    assert Choice.objects.count() == 0


def test_create_returns_the_draft_with_positions_in_the_order_sent(owner, owner_client):
    response = owner_client.post(URL, create_payload(), format="json")

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert set(body) == {
        "id",
        "title",
        "description",
        "status",
        "audience",
        "closes_at",
        "owner",
        "created_at",
        "questions",
    }
    assert body["closes_at"] is None
    assert body["status"] == "draft"
    assert body["audience"] == "public"
    assert body["owner"] == owner.pk
    assert [q["position"] for q in body["questions"]] == [1, 2, 3, 4]
    assert [q["text"] for q in body["questions"]] == [
        "Where?",
        "Extras?",
        "How hungry?",
        "Anything else?",
    ]
    single, multiple, rating, text = body["questions"]
    assert set(single) == {"id", "position", "text", "kind", "required", "choices"}
    assert [(c["position"], c["text"]) for c in multiple["choices"]] == [
        (1, "Drink"),
        (2, "Dessert"),
        (3, "Coffee"),
    ]
    assert set(multiple["choices"][0]) == {"id", "position", "text"}
    assert multiple["required"] is False
    assert rating["scale_max"] == 7
    assert rating["choices"] == []
    assert "scale_max" not in text
    survey = Survey.objects.get()
    assert survey.owner == owner
    assert survey.questions.count() == 4
    assert Choice.objects.filter(question__survey=survey).count() == 5


def test_rating_scale_defaults_to_five_and_required_to_true(owner_client):
    payload = create_payload(questions=[{"text": "Stars?", "kind": "rating"}])

    response = owner_client.post(URL, payload, format="json")

    assert response.status_code == HTTPStatus.CREATED
    question = response.json()["questions"][0]
    assert question["scale_max"] == 5
    assert question["required"] is True


def test_create_accepts_invited_audience_and_closing_time(owner_client):
    payload = create_payload(audience="invited", closes_at="2030-01-01T12:00:00Z")

    response = owner_client.post(URL, payload, format="json")

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["audience"] == "invited"
    assert response.json()["closes_at"] == "2030-01-01T12:00:00Z"
    assert Survey.objects.get().closes_at.year == 2030


def test_anonymous_create_is_401(api_client, db):
    response = api_client.post(URL, create_payload(), format="json")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "WWW-Authenticate" in response.headers
    assert_nothing_created()


def questions_with(second: dict) -> list[dict]:
    """A valid first question, then `second`: an error in the second must create nothing."""
    first = {"text": "Fine?", "kind": "single_choice", "choices": [{"text": "Y"}, {"text": "N"}]}
    return [first, second]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"audience": "everyone"}, "audience"),
        ({"closes_at": "next tuesday"}, "closes_at"),
        (
            {
                "questions": questions_with(
                    {"text": "One?", "kind": "single_choice", "choices": [{"text": "A"}]}
                )
            },
            "questions",
        ),
        (
            {
                "questions": questions_with(
                    {"text": "No?", "kind": "multiple_choice", "choices": []}
                )
            },
            "questions",
        ),
        (
            {
                "questions": questions_with(
                    {
                        "text": "Dup?",
                        "kind": "single_choice",
                        "choices": [{"text": "A"}, {"text": "a "}],
                    }
                )
            },
            "questions",
        ),
        (
            {
                "questions": questions_with(
                    {
                        "text": "Many?",
                        "kind": "multiple_choice",
                        "choices": [{"text": f"C{n}"} for n in range(51)],
                    }
                )
            },
            "questions",
        ),
        (
            {"questions": [{"text": f"Q{n}", "kind": "text"} for n in range(201)]},
            "questions",
        ),
        (
            {
                "questions": questions_with(
                    {"text": "T", "kind": "text", "choices": [{"text": "A"}, {"text": "B"}]}
                )
            },
            "questions",
        ),
        (
            {"questions": questions_with({"text": "R", "kind": "rating", "scale_max": 1})},
            "questions",
        ),
        (
            {"questions": questions_with({"text": "R", "kind": "rating", "scale_max": 11})},
            "questions",
        ),
        ({"questions": questions_with({"text": "T", "kind": "text", "scale_max": 5})}, "questions"),
        ({"questions": questions_with({"text": "K", "kind": "essay"})}, "questions"),
        ({"questions": questions_with({"text": "", "kind": "text"})}, "questions"),
        ({"questions": questions_with({"text": "x" * 501, "kind": "text"})}, "questions"),
        (
            {
                "questions": questions_with(
                    {
                        "text": "L",
                        "kind": "single_choice",
                        "choices": [{"text": "x" * 201}, {"text": "B"}],
                    }
                )
            },
            "questions",
        ),
    ],
)
def test_invalid_payload_is_400_naming_the_field_and_creates_nothing(owner_client, payload, field):
    response = owner_client.post(URL, create_payload(**payload), format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
    assert_nothing_created()


def test_missing_title_is_400(owner_client):
    payload = create_payload()
    del payload["title"]

    response = owner_client.post(URL, payload, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "title" in response.json()
    assert_nothing_created()


def test_the_error_names_the_failing_question(owner_client):
    payload = create_payload(
        questions=questions_with(
            {"text": "One?", "kind": "single_choice", "choices": [{"text": "A"}]}
        )
    )

    errors = owner_client.post(URL, payload, format="json").json()["questions"]

    assert set(errors) == {"1"}
    assert "choices" in errors["1"]


WRONG_TYPES = [
    ("title", 12),
    ("title", ["Lunch"]),
    ("title", {"text": "Lunch"}),
    ("title", True),
    ("title", None),
    ("description", 3.5),
    ("description", ["x"]),
    ("audience", 1),
    ("audience", ["public"]),
    ("closes_at", 1700000000),
    ("closes_at", ["2030-01-01"]),
    ("closes_at", True),
    ("questions", "questions"),
    ("questions", {"text": "Where?"}),
    ("questions", 4),
    ("questions", [1, 2]),
    ("questions", [None]),
    ("questions", [["Where?"]]),
]
QUESTION_WRONG_TYPES = [
    ("text", 1),
    ("text", None),
    ("text", {"en": "Where?"}),
    ("kind", 1),
    ("kind", None),
    ("kind", ["text"]),
    ("required", "yes"),
    ("required", 1),
    ("required", None),
    ("scale_max", "5"),
    ("scale_max", 5.5),
    ("scale_max", True),
    ("scale_max", [5]),
    ("choices", "Pizza, Sushi"),
    ("choices", {"text": "Pizza"}),
    ("choices", [1, 2]),
    ("choices", ["Pizza", "Sushi"]),
    ("choices", [{"text": 1}, {"text": 2}]),
    ("choices", [{"text": None}, {"text": "B"}]),
]


@pytest.mark.parametrize(("field", "value"), WRONG_TYPES)
def test_wrong_type_in_a_survey_field_is_400_and_creates_nothing(owner_client, field, value):
    response = owner_client.post(URL, create_payload(**{field: value}), format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
    assert_nothing_created()


@pytest.mark.parametrize(("field", "value"), QUESTION_WRONG_TYPES)
def test_wrong_type_in_a_question_field_is_400_and_creates_nothing(owner_client, field, value):
    kind = "rating" if field == "scale_max" else "single_choice"
    question = {"text": "Where?", "kind": kind, "choices": [{"text": "A"}, {"text": "B"}]}
    if kind == "rating":
        del question["choices"]
    question[field] = value

    response = owner_client.post(URL, create_payload(questions=[question]), format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()["questions"]["0"]
    assert_nothing_created()


@pytest.mark.parametrize("body", ["{", '{"title": "x",}', "null", "[]", '"title"', "42"])
def test_malformed_or_non_object_json_is_400(owner_client, body):
    response = owner_client.post(URL, body, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("application/json")
    assert_nothing_created()


def test_unsupported_media_type_is_415(owner_client):
    response = owner_client.post(URL, "title=x", content_type="text/plain")

    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert_nothing_created()


def test_a_survey_without_questions_is_a_valid_draft(owner_client):
    response = owner_client.post(URL, {"title": "Later"}, format="json")

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["questions"] == []
