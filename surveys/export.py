"""The surveys' sections of the personal-data export (registered with accounts.export)."""

from typing import Any

from django.db.models import Count, Prefetch

from accounts.models import User
from surveys.models import Answer, Response, Survey


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def surveys_owned(user: User) -> list[dict[str, Any]]:
    """The account's surveys with their questions; other people's answers are theirs, so
    only their number is included."""
    surveys = (
        Survey.objects.filter(owner=user)
        .annotate(response_count=Count("responses"))
        .prefetch_related("questions__choices")
        .order_by("pk")
    )
    return [
        {
            "id": survey.pk,
            "title": survey.title,
            "description": survey.description,
            "status": survey.status,
            "audience": survey.audience,
            "closes_at": _when(survey.closes_at),
            "created_at": _when(survey.created_at),
            "updated_at": _when(survey.updated_at),
            "response_count": survey.response_count,
            "questions": [
                {
                    "id": question.pk,
                    "text": question.text,
                    "kind": question.kind,
                    "required": question.required,
                    "choices": [choice.text for choice in question.choices.all()],
                }
                for question in survey.questions.all()
            ],
        }
        for survey in surveys
    ]


def responses_given(user: User) -> list[dict[str, Any]]:
    """Every response the account submitted, with its answers."""
    answers = Answer.objects.select_related("question").prefetch_related("choices")
    responses = (
        Response.objects.filter(respondent=user)
        .select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("pk")
    )
    return [
        {
            "id": response.pk,
            "survey": {"id": response.survey_id, "title": response.survey.title},
            "submitted_at": _when(response.submitted_at),
            "answers": [
                {
                    "question": answer.question.text,
                    "rating": answer.rating,
                    "text": answer.text,
                    "choices": [choice.text for choice in answer.choices.all()],
                }
                for answer in response.answers.all()
            ],
        }
        for response in responses
    ]
