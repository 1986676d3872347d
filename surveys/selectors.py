"""Reads of surveys: lists, details, results (database aggregations) and response exports."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from surveys.models import Answer, AnswerChoice, Choice, Question, Response, Survey
from surveys.permissions import surveys_visible_to, viewer_is_invited, viewer_is_reviewer

ROLES = ("owner", "invited", "reviewer", "responded")
# Results list at most this many text answers per question, newest first; `answered` still
# counts them all, and the responses export holds every one.
TEXT_ANSWERS_LIMIT = 50
# The CSV export reads this many responses (and their answers) per round trip.
EXPORT_CHUNK_SIZE = 2000
EXPORT_FIXED_COLUMNS = ["response_id", "respondent", "submitted_at"]


def survey_list(*, user, role: str | None = None) -> QuerySet[Survey]:
    """The surveys `user` may see, optionally only those they own, were invited to, may review
    or have answered, each with its `question_count` (a subquery per row of the page)."""
    surveys = surveys_visible_to(user)
    if role and not user.is_authenticated:
        return surveys.none()
    if role == "owner":
        surveys = surveys.filter(owner=user)
    elif role == "invited":
        surveys = surveys.filter(viewer_is_invited(user))
    elif role == "reviewer":
        surveys = surveys.filter(viewer_is_reviewer(user))
    elif role == "responded":
        surveys = surveys.filter(
            Exists(Response.objects.filter(survey=OuterRef("pk"), respondent=user))
        )
    return surveys.annotate(question_count=_count_per(Question, survey=OuterRef("pk")))


def has_responded(*, survey: Survey, user) -> bool:
    return user.is_authenticated and survey.responses.filter(respondent=user).exists()


# --- results ---


@dataclass
class ChoiceResult:
    id: int
    text: str
    count: int
    percent: float


@dataclass
class RatingResult:
    average: float | None
    distribution: dict[str, int]


@dataclass
class QuestionResult:
    id: int
    text: str
    kind: str
    answered: int
    choices: list[ChoiceResult] | None = None
    rating: RatingResult | None = None
    text_answers: list[str] | None = None


@dataclass
class SurveyResults:
    survey: int
    responses: int
    questions: list[QuestionResult]


def _rounded(value: Decimal, places: str) -> float:
    """Half-up rounding, as people round (Python's round() would give 0.1 * 125 = 12.4)."""
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _percent(count: int, answered: int) -> float:
    return _rounded(Decimal(count * 100) / answered, "0.1") if answered else 0.0


def _count_per(model, **match) -> Subquery:
    """COUNT(*) of `model` rows matching `match` (with OuterRef values), as a subquery.

    A plain aggregate without GROUP BY (0 when nothing matches), read from an index per outer
    row: the cost follows this survey's own answers, not the size of the whole table.
    """
    return Subquery(
        model.objects.filter(**match)
        .order_by()
        .annotate(total=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("total"),
        output_field=IntegerField(),
    )


def _choice_results(results: dict[int, QuestionResult], questions: list[Question]) -> None:
    """Count per choice (zeros included), one query; single choice `answered` is their sum."""
    counts: dict[int, list[tuple[int, str, int]]] = {question.pk: [] for question in questions}
    choices = (
        Choice.objects.filter(question__in=questions)
        .annotate(count=_count_per(AnswerChoice, choice=OuterRef("pk")))
        .order_by("question_id", "position")
        .values_list("id", "question_id", "text", "count")
    )
    for choice_id, question_id, text, count in choices:
        counts[question_id].append((choice_id, text, count))
    for question_id, question_counts in counts.items():
        result = results[question_id]
        if result.kind == Question.Kind.SINGLE_CHOICE:
            # Exactly one chosen option per answer: the counts add up to the answers.
            result.answered = sum(count for _, _, count in question_counts)
        result.choices = [
            ChoiceResult(
                id=choice_id, text=text, count=count, percent=_percent(count, result.answered)
            )
            for choice_id, text, count in question_counts
        ]


def _rating_results(results: dict[int, QuestionResult], questions: list[Question]) -> None:
    """Answers per rating value, one grouped query; `answered` and the average follow from it."""
    distributions = {
        question.pk: dict.fromkeys(range(1, (question.scale_max or 0) + 1), 0)
        for question in questions
    }
    counted = (
        Answer.objects.filter(question__in=questions, rating__isnull=False)
        .order_by()
        .values_list("question_id", "rating")
        .annotate(total=Count("*"))
    )
    for question_id, rating, total in counted:
        if rating in distributions[question_id]:
            distributions[question_id][rating] = total
    for question_id, distribution in distributions.items():
        answered = sum(distribution.values())
        points = sum(value * total for value, total in distribution.items())
        results[question_id].answered = answered
        results[question_id].rating = RatingResult(
            average=_rounded(Decimal(points) / answered, "0.01") if answered else None,
            distribution={str(value): total for value, total in distribution.items()},
        )


def _text_results(results: dict[int, QuestionResult], questions: list[Question]) -> None:
    """The newest TEXT_ANSWERS_LIMIT answers per question, one query of index range scans."""
    text_answers: dict[int, list[str]] = {question.pk: [] for question in questions}
    newest = Q()
    for question in questions:
        cutoff = question.text_cutoff or 0  # type: ignore[attr-defined]
        newest |= Q(question=question, id__gte=cutoff)
    rows = Answer.objects.filter(newest).order_by("question_id", "-id")
    for question_id, text in rows.values_list("question_id", "text"):
        text_answers[question_id].append(text)
    for question_id, answers in text_answers.items():
        results[question_id].text_answers = answers


def survey_results(survey: Survey) -> SurveyResults:
    """Counts, percentages, rating averages and distributions, and the newest text answers.

    Everything is computed by the database, whatever the number of questions: one query for
    the questions (with the answered counts that cannot be derived), one per question kind
    present (choice counts, rating distributions, the newest text answers), one for the
    response count. Each count reads an index, so the cost follows this survey's answers.
    """
    newest_text_answers = (
        Answer.objects.filter(question=OuterRef("pk"))
        .order_by("-id")
        .values("id")[TEXT_ANSWERS_LIMIT - 1 : TEXT_ANSWERS_LIMIT]
    )
    questions = list(
        survey.questions.annotate(
            # Single choice and rating questions get theirs from their own counts below.
            answered=Case(
                When(
                    kind__in=[Question.Kind.MULTIPLE_CHOICE, Question.Kind.TEXT],
                    then=_count_per(Answer, question=OuterRef("pk")),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
            # The id of the oldest text answer still among the newest TEXT_ANSWERS_LIMIT.
            text_cutoff=Case(
                When(kind=Question.Kind.TEXT, then=Subquery(newest_text_answers)),
                output_field=IntegerField(),
            ),
        ).only("id", "survey_id", "text", "kind", "scale_max")
    )
    results = {
        question.pk: QuestionResult(
            id=question.pk,
            text=question.text,
            kind=question.kind,
            answered=question.answered,  # type: ignore[attr-defined]
        )
        for question in questions
    }
    by_kind: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        by_kind["choice" if question.has_choices else question.kind].append(question)
    if by_kind["choice"]:
        _choice_results(results, by_kind["choice"])
    if by_kind[Question.Kind.RATING]:
        _rating_results(results, by_kind[Question.Kind.RATING])
    if by_kind[Question.Kind.TEXT]:
        _text_results(results, by_kind[Question.Kind.TEXT])
    return SurveyResults(
        survey=survey.pk,
        responses=survey.responses.count(),
        questions=[results[question.pk] for question in questions],
    )


# --- responses ---


def survey_responses(survey: Survey) -> QuerySet[Response]:
    """A survey's responses in submission order, with respondents and answers."""
    answers = (
        Answer.objects.select_related("question")
        .order_by("question__position")
        .prefetch_related(
            Prefetch("choice_links", queryset=AnswerChoice.objects.order_by("choice__position"))
        )
    )
    return (
        survey.responses.select_related("respondent")
        .order_by("id")
        .prefetch_related(Prefetch("answers", queryset=answers))
    )


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as the JSON routes write it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def responses_export_rows(
    survey: Survey, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[list[str]]:
    """The header, then one row per response: a fixed number of rows in memory at any time.

    Responses are read in keyset-paginated chunks; each chunk's answers and chosen options
    come with one query each (index range scans on the response id, limited to this survey's
    questions), so the export never holds more than `chunk_size` responses.
    """
    questions = list(survey.questions.values_list("id", "text"))
    question_ids = [question_id for question_id, _ in questions]
    column_of = {question_id: index for index, question_id in enumerate(question_ids)}
    choices = {
        choice_id: (position, text)
        for choice_id, position, text in Choice.objects.filter(
            question_id__in=question_ids
        ).values_list("id", "position", "text")
    }
    yield [*EXPORT_FIXED_COLUMNS, *(text for _, text in questions)]

    after = 0
    while True:
        chunk = list(
            survey.responses.filter(id__gt=after)
            .order_by("id")
            .values_list("id", "respondent__email", "submitted_at")[:chunk_size]
        )
        if not chunk:
            return
        first, last = chunk[0][0], chunk[-1][0]
        cells = {response_id: [""] * len(questions) for response_id, _, _ in chunk}
        place_of_answer: dict[int, tuple[list[str], int]] = {}
        answers = Answer.objects.filter(
            question_id__in=question_ids, response_id__gte=first, response_id__lte=last
        ).values_list("id", "response_id", "question_id", "rating", "text")
        for answer_id, response_id, question_id, rating, text in answers:
            row, column = cells[response_id], column_of[question_id]
            row[column] = text if rating is None else str(rating)
            place_of_answer[answer_id] = (row, column)
        chosen: dict[int, list[tuple[int, str]]] = defaultdict(list)
        links = AnswerChoice.objects.filter(
            answer__question_id__in=question_ids,
            answer__response_id__gte=first,
            answer__response_id__lte=last,
        ).values_list("answer_id", "choice_id")
        for answer_id, choice_id in links:
            chosen[answer_id].append(choices[choice_id])
        for answer_id, picked in chosen.items():
            row, column = place_of_answer[answer_id]
            row[column] = "; ".join(text for _, text in sorted(picked))
        for response_id, email, submitted_at in chunk:
            yield [str(response_id), email, _timestamp(submitted_at), *cells[response_id]]
        after = last
