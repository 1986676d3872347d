"""The survey page at /surveys/{id}: the server-rendered "take survey" form invitees land on.

It answers through the same serializer and service as the API, so the rules are the same; it
needs no JavaScript and loads nothing from elsewhere.
"""

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from surveys import selectors, services
from surveys.exceptions import AnswersInvalid, SurveyConflict
from surveys.models import TEXT_ANSWER_MAX_LENGTH, Question, Survey
from surveys.permissions import may_respond, surveys_visible_to
from surveys.serializers import ResponseInputSerializer

TEMPLATE = "surveys/survey_page.html"
# A tag on the message a first submit leaves for the page it redirects to.
ANSWERS_SAVED = "answers-saved"


@dataclass
class QuestionOnPage:
    """A question with what the visitor sent for it and the problems found, for the template."""

    question: Question
    sent: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def field_name(self) -> str:
        return f"question-{self.question.pk}"

    @property
    def choices(self) -> list[tuple[int, str, bool]]:
        return [
            (choice.pk, choice.text, str(choice.pk) in self.sent)
            for choice in self.question.choices.all()
        ]

    @property
    def ratings(self) -> list[tuple[int, bool]]:
        top = self.question.scale_max or 0
        return [(value, str(value) in self.sent) for value in range(1, top + 1)]

    @property
    def text(self) -> str:
        return self.sent[0] if self.sent else ""


def _number_or_text(value: str) -> int | str:
    """Form fields arrive as text; ids and ratings become numbers, anything else is left for
    the serializer to reject."""
    try:
        return int(value)
    except ValueError:
        return value


def _answers_from_form(questions: list[QuestionOnPage], form: QueryDict) -> list[dict]:
    answers = []
    for item in questions:
        item.sent = [value for value in form.getlist(item.field_name) if value.strip()]
        question = item.question
        if not item.sent:
            continue
        if question.has_choices:
            choices = [_number_or_text(value) for value in item.sent]
            answers.append({"question": question.pk, "choices": choices})
        elif question.kind == Question.Kind.RATING:
            answers.append({"question": question.pk, "rating": _number_or_text(item.sent[0])})
        else:
            answers.append({"question": question.pk, "text": item.sent[0]})
    return answers


def _flatten(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _flatten(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _flatten(value)]
    return [str(errors)]


def _submit(request: HttpRequest, survey: Survey, questions: list[QuestionOnPage]) -> list[str]:
    """Store the form's answers; returns problems for the whole form (per-question ones are set
    on `questions`)."""
    answers = _answers_from_form(questions, request.POST)
    payload = ResponseInputSerializer(data={"answers": answers})
    by_id = {item.question.pk: item for item in questions}
    if not payload.is_valid():
        # DRF reports list items by index: {index: errors}, or a list in older error formats.
        item_errors = payload.errors.get("answers", {})
        pairs = item_errors.items() if isinstance(item_errors, dict) else enumerate(item_errors)
        for index, problems in pairs:
            if problems:
                by_id[answers[int(index)]["question"]].errors = _flatten(problems)
        return []
    try:
        services.response_submit(
            survey=survey,
            respondent=cast(User, request.user),
            answers=payload.validated_data["answers"],
        )
    except AnswersInvalid as invalid:
        for question_id, problems in invalid.errors.items():
            if int(question_id) in by_id:
                by_id[int(question_id)].errors = problems
        return []
    except SurveyConflict as conflict:
        return [conflict.message]
    return []


def not_found(request: HttpRequest) -> HttpResponse:
    """The page's own 404, styled like the page (also under DEBUG=1, where Django would show
    its technical page instead)."""
    return render(request, "surveys/not_found.html", status=HTTPStatus.NOT_FOUND)


@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, survey_id: str) -> HttpResponse:
    survey = surveys_visible_to(request.user).filter(pk=int(survey_id)).first()
    next_page = f"next={request.path}"  # digits and slashes only (the route's pattern)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.path)
        # The same page whether the survey exists or not: an invited-only survey is revealed
        # to nobody before they sign in.
        context: dict[str, object] = {
            "survey": survey,
            "sign_in_url": f"{resolve_url(settings.LOGIN_URL)}?{next_page}",
            "sign_up_url": f"{reverse('account_signup')}?{next_page}",
        }
        return render(request, TEMPLATE, context)
    if survey is None:
        return not_found(request)

    questions = [
        QuestionOnPage(question) for question in survey.questions.prefetch_related("choices")
    ]
    can_answer = survey.accepts_responses and may_respond(request.user, survey)
    form_errors: list[str] = []
    status = HTTPStatus.OK
    if (
        request.method == "POST"
        and can_answer
        and not selectors.has_responded(survey=survey, user=request.user)
    ):
        form_errors = _submit(request, survey, questions)
        if not form_errors and not any(item.errors for item in questions):
            messages.success(request, "Thank you! Your answers are saved.", ANSWERS_SAVED)
            return HttpResponseRedirect(request.path)
        status = HTTPStatus.CONFLICT if form_errors else HTTPStatus.BAD_REQUEST
    elif request.method == "POST":
        status = HTTPStatus.CONFLICT

    answered = selectors.has_responded(survey=survey, user=request.user)
    notices = list(messages.get_messages(request))
    context = {
        "survey": survey,
        "notices": [notice for notice in notices if ANSWERS_SAVED not in notice.tags],
        # Only the page the submit redirected to says "Thank you" instead of "already answered".
        "just_answered": request.method != "POST"
        and any(ANSWERS_SAVED in notice.tags for notice in notices),
        "questions": questions,
        "answered": answered,
        "can_answer": can_answer and not answered,
        "form_errors": form_errors,
        "text_max_length": TEXT_ANSWER_MAX_LENGTH,
    }
    return render(request, TEMPLATE, context, status=status)
