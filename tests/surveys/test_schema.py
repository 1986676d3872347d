"""The survey routes are fully described in the OpenAPI document, without generator warnings."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_survey_routes_are_documented_without_warnings():
    GENERATOR_STATS.reset()

    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [message for message in messages if "survey" in message.lower()] == []
    survey_paths = {path for path in schema["paths"] if path.startswith("/api/surveys/")}
    assert len(survey_paths) == 10
    responses = schema["paths"]["/api/surveys/{survey_pk}/responses/"]
    assert set(responses["get"]["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert {"201", "400", "401", "403", "404", "409"} <= set(responses["post"]["responses"])


def test_the_schema_lets_a_client_omit_audience_and_shows_closes_at_and_question_texts():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    assert components["SurveyInputRequest"]["required"] == ["title"]
    assert components["SurveyInputRequest"]["properties"]["audience"]["default"] == "public"
    closes_at = components["SurveyOutput"]["properties"]["closes_at"]
    assert (closes_at["format"], closes_at["nullable"]) == ("date-time", True)
    assert "text" in components["QuestionResult"]["required"]


def test_the_schema_shows_list_items_with_question_count_and_the_expand_parameter():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    listing = schema["paths"]["/api/surveys/"]["get"]

    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    item = components[page.rsplit("/", 1)[1]]["properties"]["results"]["items"]["$ref"]
    item_schema = components[item.rsplit("/", 1)[1]]
    assert "question_count" in item_schema["required"]
    assert "questions" not in item_schema["required"]
    assert "questions" in components["SurveyOutput"]["required"]
    expand = next(p for p in listing["parameters"] if p["name"] == "expand")
    assert expand["schema"]["enum"] == ["questions"]
