"""manage.py seed_surveys: the benchmark's data, made with bulk inserts."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from surveys.models import Answer, Question, Response, Survey
from surveys.selectors import survey_results

pytestmark = pytest.mark.django_db


def seed(*arguments: str) -> dict:
    out = StringIO()
    call_command("seed_surveys", *arguments, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seeding_creates_published_surveys_answered_by_distinct_accounts():
    summary = seed(
        "--users",
        "3",
        "--surveys",
        "2",
        "--questions",
        "10",
        "--choices",
        "3",
        "--responses",
        "7",
        "--batch-size",
        "3",
    )

    assert len(summary["surveys"]) == 2
    assert summary["users"] == 7
    assert User.objects.filter(email=summary["owner"]).get().check_password(summary["password"])
    for survey in Survey.objects.filter(pk__in=summary["surveys"]):
        assert survey.status == Survey.Status.PUBLISHED
        assert survey.questions.count() == 10
        assert {q.kind for q in survey.questions.all()} == set(Question.Kind.values)
        assert survey.responses.values("respondent").distinct().count() == 7
        results = survey_results(survey)
        assert results.responses == 7
        required = [q for q in results.questions if survey.questions.get(pk=q.id).required]
        assert all(question.answered == 7 for question in required)
    assert Answer.objects.filter(rating__gt=5).count() == 0


def test_seeding_again_reuses_the_accounts():
    seed("--responses", "4", "--users", "4", "--questions", "4")
    seed("--responses", "4", "--users", "4", "--questions", "4")

    assert User.objects.filter(email__startswith="seed-user-").count() == 4
    assert Response.objects.count() == 8


def test_nonsense_options_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_surveys", "--choices", "1", stdout=StringIO())
