"""Survey reads rendered as plain dicts, straight from database rows.

A survey page is hundreds of questions and choices: building a model instance and running
DRF's per-field machinery for each of them was most of the time of a list or detail read
(`bench/profile.py d` / `e`). Questions and choices are read here as tuples (`values_list`, one
round trip) and put in dicts by hand; the shapes are the ones surveys.serializers'
SurveyOutputSerializer and SurveyListItemSerializer describe in the OpenAPI document, and the
tests hold them equal.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from rest_framework import serializers

from surveys.models import Question, Survey
from surveys.permissions import may_review

# DRF's own datetime rendering (ISO 8601 in the current time zone, "Z" for UTC), one instance.
_DATETIME = serializers.DateTimeField()

Payload = dict[str, Any]


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def questions_of(survey_ids: Sequence[int]) -> dict[int, list[Payload]]:
    """The questions of these surveys with their choices, in position order, by survey id: one
    query (questions left-joined to their choices, a row per choice) whatever their number."""
    by_survey: dict[int, list[Payload]] = defaultdict(list)
    if not survey_ids:
        return by_survey
    rows = (
        Question.objects.filter(survey_id__in=survey_ids)
        .order_by("survey_id", "position", "choices__position")
        .values_list(
            *("survey_id", "id", "position", "text", "kind", "required", "scale_max"),
            *("choices__id", "choices__position", "choices__text"),
        )
    )
    rating = Question.Kind.RATING
    question: Payload = {}
    for survey_id, question_id, position, text, kind, required, scale_max, *choice in rows:
        if question.get("id") != question_id:
            question = {
                "id": question_id,
                "position": position,
                "text": text,
                "kind": kind,
                "required": required,
            }
            if kind == rating:
                question["scale_max"] = scale_max
            question["choices"] = []
            by_survey[survey_id].append(question)
        choice_id, choice_position, choice_text = choice
        if choice_id is not None:
            question["choices"].append(
                {"id": choice_id, "position": choice_position, "text": choice_text}
            )
    return by_survey


def survey_fields(survey: Survey, viewer) -> Payload:
    """Everything of a survey but its questions. `owner` only for its owner and reviewers (the
    reviewer flag is annotated by surveys_visible_to(): no query)."""
    return {
        "id": survey.pk,
        "title": survey.title,
        "description": survey.description,
        "status": survey.current_status,
        "audience": survey.audience,
        "closes_at": _datetime(survey.closes_at),
        "owner": survey.owner_id if may_review(viewer, survey) else None,
        "created_at": _datetime(survey.created_at),
    }


def survey_detail(survey: Survey, viewer) -> Payload:
    """One survey with its questions and choices (one query)."""
    payload = survey_fields(survey, viewer)
    payload["questions"] = questions_of([survey.pk]).get(survey.pk, [])
    return payload


def survey_list_items(surveys: Iterable[Survey], viewer, *, expand: bool) -> list[Payload]:
    """List items: `question_count` (annotated by selectors.survey_list), and with `expand`
    the questions too (one query for the whole page)."""
    surveys = list(surveys)
    questions = questions_of([survey.pk for survey in surveys]) if expand else {}
    items = []
    for survey in surveys:
        item = survey_fields(survey, viewer)
        item["question_count"] = survey.question_count  # type: ignore[attr-defined]
        if expand:
            item["questions"] = questions.get(survey.pk, [])
        items.append(item)
    return items
