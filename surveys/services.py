"""Every change to surveys: creating and editing them, their lifecycle, responses, invitations."""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _  # messages built per request, in its language

from accounts.addresses import email_key
from accounts.counters import counters
from accounts.models import User
from emails.rendering import frontend_link
from emails.services import email_send
from surveys.exceptions import (
    AlreadyResponded,
    AnswersInvalid,
    ConcurrentChange,
    InvalidTransition,
    InvitationLimitReached,
    NotAcceptingResponses,
    QuestionsLocked,
)
from surveys.models import (
    TEXT_ANSWER_MAX_LENGTH,
    Answer,
    AnswerChoice,
    Choice,
    Invitation,
    InvitationRevocation,
    Question,
    Response,
    Reviewer,
    Survey,
)
from webhooks import events as webhook_events


@dataclass(frozen=True)
class QuestionSpec:
    """A question as a client describes it; positions follow the order of the list."""

    text: str
    kind: str
    required: bool = True
    scale_max: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerInput:
    """One answer as submitted; an answer with nothing in it counts as unanswered."""

    question: int
    choices: tuple[int, ...] = ()
    rating: int | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.choices and self.rating is None and not self.text


@dataclass
class SurveyChanges:
    """Fields to change on a survey; `questions` None keeps the current questions."""

    fields: dict = field(default_factory=dict)
    questions: Sequence[QuestionSpec] | None = None


# --- surveys ---


def _questions_create(*, survey: Survey, questions: Sequence[QuestionSpec]) -> None:
    created = Question.objects.bulk_create(
        Question(
            survey=survey,
            position=position,
            text=spec.text,
            kind=spec.kind,
            required=spec.required,
            scale_max=spec.scale_max,
        )
        for position, spec in enumerate(questions, start=1)
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=position, text=text)
        for question, spec in zip(created, questions, strict=True)
        for position, text in enumerate(spec.choices, start=1)
    )


def _question_specs(survey: Survey) -> list[QuestionSpec]:
    return [
        QuestionSpec(
            text=question.text,
            kind=question.kind,
            required=question.required,
            scale_max=question.scale_max,
            choices=tuple(choice.text for choice in question.choices.all()),
        )
        for question in survey.questions.prefetch_related("choices")
    ]


@transaction.atomic
def survey_create(
    *,
    owner: User,
    title: str,
    description: str = "",
    audience: str = Survey.Audience.PUBLIC,
    closes_at: datetime | None = None,
    questions: Sequence[QuestionSpec] = (),
) -> Survey:
    """A draft with its questions and choices, all or nothing."""
    survey = Survey.objects.create(
        owner=owner, title=title, description=description, audience=audience, closes_at=closes_at
    )
    _questions_create(survey=survey, questions=questions)
    return survey


def survey_update(*, survey: Survey, changes: SurveyChanges) -> Survey:
    """Change a survey; its questions may be replaced only while nobody has answered it.

    Sending the current questions unchanged is not a change (a client may PUT back what it
    read). A response that commits while the questions are being replaced makes one of the two
    transactions fail on a foreign key; that failure is a 409, never a lost answer.
    """
    try:
        with transaction.atomic():
            if changes.questions is not None and list(changes.questions) != _question_specs(survey):
                # Checked before (to spare the work) and after (a response may have arrived).
                if survey.responses.exists():
                    raise QuestionsLocked
                survey.questions.all().delete()
                _questions_create(survey=survey, questions=changes.questions)
                if survey.responses.exists():
                    raise QuestionsLocked
            for name, value in changes.fields.items():
                setattr(survey, name, value)
            survey.save()
    except IntegrityError as error:
        raise ConcurrentChange from error
    return survey


def survey_delete(*, survey: Survey) -> None:
    try:
        with transaction.atomic():
            survey.delete()
    except IntegrityError as error:
        raise ConcurrentChange from error


def _status_move(*, survey: Survey, allowed_from: Sequence[str], to: str, refusal: str) -> Survey:
    # A conditional UPDATE: of two concurrent moves only one finds the old status.
    moved = Survey.objects.filter(pk=survey.pk, status__in=allowed_from).update(status=to)
    if not moved:
        raise InvalidTransition(refusal)
    survey.refresh_from_db(fields=["status", "updated_at"])
    return survey


@transaction.atomic
def survey_publish(*, survey: Survey) -> Survey:
    """Open a draft to responses; the `survey.published` event commits with the change."""
    if survey.status == Survey.Status.DRAFT and not survey.questions.exists():
        raise InvalidTransition(_("A survey needs at least one question before it is published."))
    survey = _status_move(
        survey=survey,
        allowed_from=[Survey.Status.DRAFT],
        to=Survey.Status.PUBLISHED,
        refusal=_("Only a draft can be published."),
    )
    webhook_events.emit(
        webhook_events.SURVEY_PUBLISHED,
        {
            "id": survey.pk,
            "title": survey.title,
            "audience": survey.audience,
            "owner_id": survey.owner_id,
            "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        },
    )
    return survey


def survey_close(*, survey: Survey) -> Survey:
    return _status_move(
        survey=survey,
        allowed_from=[Survey.Status.PUBLISHED],
        to=Survey.Status.CLOSED,
        refusal=_("Only a published survey can be closed."),
    )


# --- responses ---


@dataclass(frozen=True)
class _AnswerRules:
    """What a question accepts, read for validating a response (no model instance needed)."""

    kind: str
    required: bool
    scale_max: int | None
    choice_ids: set[int] = field(default_factory=set)

    @property
    def has_choices(self) -> bool:
        return self.kind in Question.CHOICE_KINDS


def _answer_problems(question: _AnswerRules, answer: AnswerInput) -> list[str]:
    kind = question.kind
    takes = "choices" if question.has_choices else kind
    given = {
        name
        for name, present in (
            ("choices", bool(answer.choices)),
            ("rating", answer.rating is not None),
            ("text", bool(answer.text)),
        )
        if present
    }
    if given - {takes}:
        message = _('A {kind} question is answered with "{takes}" only.')
        return [message.format(kind=kind.replace("_", " "), takes=takes)]
    problems = []
    if question.has_choices:
        foreign = [choice for choice in answer.choices if choice not in question.choice_ids]
        if foreign:
            listed = ", ".join(str(choice) for choice in foreign)
            problems.append(_("Not an option of this question: {listed}.").format(listed=listed))
        if len(set(answer.choices)) != len(answer.choices):
            problems.append(_("Each option may be chosen only once."))
        if kind == Question.Kind.SINGLE_CHOICE and len(answer.choices) > 1:
            problems.append(_("Choose exactly one option."))
    elif kind == Question.Kind.RATING:
        scale_max = question.scale_max or 0
        if answer.rating is not None and not 1 <= answer.rating <= scale_max:
            problems.append(_("Give a rating from 1 to {scale_max}.").format(scale_max=scale_max))
    elif len(answer.text) > TEXT_ANSWER_MAX_LENGTH:
        problems.append(
            _("Keep the answer to {limit} characters or fewer.").format(
                limit=TEXT_ANSWER_MAX_LENGTH
            )
        )
    return problems


def _answer_rules(survey: Survey) -> dict[int, _AnswerRules]:
    """The survey's questions with their option ids, by question id, in position order: one
    query (questions left-joined to their choices, a row per choice)."""
    rules: dict[int, _AnswerRules] = {}
    rows = (
        Question.objects.filter(survey=survey)
        .order_by("position")
        .values_list("id", "kind", "required", "scale_max", "choices__id")
    )
    for question_id, kind, required, scale_max, choice_id in rows:
        question = rules.get(question_id)
        if question is None:
            question = rules[question_id] = _AnswerRules(kind, required, scale_max)
        if choice_id is not None:
            question.choice_ids.add(choice_id)
    return rules


def response_problems(*, survey: Survey, answers: Sequence[AnswerInput]) -> dict[str, list[str]]:
    """Every problem with `answers`, keyed by question id; empty when they may be stored."""
    questions = _answer_rules(survey)
    problems: dict[str, list[str]] = {}
    seen: set[int] = set()
    for answer in answers:
        key = str(answer.question)
        question = questions.get(answer.question)
        if question is None:
            problems.setdefault(key, []).append(_("This question is not part of this survey."))
        elif answer.question in seen:
            problems.setdefault(key, []).append(_("This question is answered more than once."))
        else:
            found = _answer_problems(question, answer)
            if found:
                problems[key] = found
        seen.add(answer.question)
    answered = {answer.question for answer in answers if not answer.is_empty}
    for question_id, question in questions.items():
        if question.required and question_id not in answered and str(question_id) not in problems:
            problems[str(question_id)] = [_("This question is required.")]
    return problems


# PostgreSQL: a valid response, its answers and their chosen options in one statement, from
# parallel arrays. The response row is skipped on a conflict with the person's earlier
# response, and then so is everything joined to it: no row back means already answered.
# Each question is answered at most once (response_problems), so an option finds its answer
# row by question id.
_RESPONSE_INSERT_SQL = """
WITH response AS (
    INSERT INTO {response} (survey_id, respondent_id, submitted_at)
    VALUES (%s, %s, %s)
    ON CONFLICT (survey_id, respondent_id) DO NOTHING
    RETURNING id
), stored AS (
    INSERT INTO {answer} (response_id, question_id, rating, text)
    SELECT response.id, given.question_id, given.rating, given.text
    FROM response,
        unnest(%s::bigint[], %s::integer[], %s::text[])
        WITH ORDINALITY AS given(question_id, rating, text, n)
    ORDER BY given.n
    RETURNING id, question_id
), linked AS (
    INSERT INTO {answer_choice} (answer_id, choice_id)
    SELECT stored.id, picked.choice_id
    FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS picked(question_id, choice_id, n)
    JOIN stored ON stored.question_id = picked.question_id
    ORDER BY picked.n
)
SELECT id FROM response
"""


def _response_insert_postgresql(
    *, survey: Survey, respondent: User, given: Sequence[AnswerInput]
) -> Response:
    """Store a valid response in one statement (at 50 answers, building and saving a model
    instance per row, and the savepoint around the response's insert, were half of a
    submission)."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    sql = _RESPONSE_INSERT_SQL.format(
        response=quote(Response._meta.db_table),
        answer=quote(Answer._meta.db_table),
        answer_choice=quote(AnswerChoice._meta.db_table),
    )
    submitted_at = timezone.now()
    picked = [(answer.question, choice) for answer in given for choice in answer.choices]
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                survey.pk,
                respondent.pk,
                submitted_at,
                [answer.question for answer in given],
                [answer.rating for answer in given],
                [answer.text for answer in given],
                [question for question, _choice in picked],
                [choice for _question, choice in picked],
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise AlreadyResponded
    response = Response(pk=row[0], survey=survey, respondent=respondent, submitted_at=submitted_at)
    response._state.adding = False
    response._state.db = connection.alias
    return response


def _response_insert(
    *, survey: Survey, respondent: User, given: Sequence[AnswerInput], problems: dict
) -> Response:
    """Store a response with the ORM: the response row first (its unique constraint decides
    AlreadyResponded before the answers' problems are reported), then one bulk insert each
    for the answers and their chosen options."""
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, respondent=respondent)
    except IntegrityError as error:
        raise AlreadyResponded from error
    if problems:
        raise AnswersInvalid(problems)
    stored = Answer.objects.bulk_create(
        Answer(
            response=response, question_id=answer.question, rating=answer.rating, text=answer.text
        )
        for answer in given
    )
    AnswerChoice.objects.bulk_create(
        AnswerChoice(answer=row, choice_id=choice_id)
        for row, answer in zip(stored, given, strict=True)
        for choice_id in answer.choices
    )
    return response


def response_submit(
    *, survey: Survey, respondent: User, answers: Sequence[AnswerInput]
) -> Response:
    """Store one person's answers to a survey, all or nothing.

    The unique constraint on (survey, respondent) decides who answered first, even for two
    requests at the same moment: the loser's insert finds the winner's row and becomes
    AlreadyResponded. The answers go in with a fixed number of statements, whatever their
    number.
    """
    if not survey.accepts_responses:
        raise NotAcceptingResponses
    problems = response_problems(survey=survey, answers=answers)
    given = [answer for answer in answers if not answer.is_empty]
    try:
        with transaction.atomic():
            if not problems and transaction.get_connection().vendor == "postgresql":
                response = _response_insert_postgresql(
                    survey=survey, respondent=respondent, given=given
                )
            else:
                response = _response_insert(
                    survey=survey, respondent=respondent, given=given, problems=problems
                )
            webhook_events.emit(
                webhook_events.SURVEY_RESPONSE_CREATED,
                {
                    "id": response.pk,
                    "survey_id": survey.pk,
                    "respondent_id": respondent.pk,
                    "submitted_at": response.submitted_at.isoformat(),
                },
            )
    except IntegrityError as error:
        # The questions were replaced or the survey deleted while this response was stored.
        raise ConcurrentChange from error
    return response


# --- invitations and reviewers ---


def _addresses_unique(emails: Sequence[str]) -> dict[str, str]:
    """The addresses in order by their account key (accounts.addresses), each mailbox once
    whatever its spelling."""
    unique: dict[str, str] = {}
    for email in emails:
        address = User.objects.normalize_email(email.strip())
        unique.setdefault(email_key(address), address)
    return unique


# An address whose invitation was revoked is not mailed again by a new one for this long.
REINVITE_QUIET = timedelta(hours=24)


def invitation_quota_take(*, owner: User, count: int) -> None:
    """Count `count` invitation mails against the owner's hourly and daily limits, or raise
    InvitationLimitReached having counted nothing.

    The windows are the clock hour and the UTC day, so Retry-After is exact whichever cache
    holds the counters.
    """
    if count <= 0:
        return
    now = time.time()
    limits = (
        ("hour", 3600, settings.SURVEY_INVITATIONS_PER_HOUR),
        ("day", 24 * 3600, settings.SURVEY_INVITATIONS_PER_DAY),
    )
    taken: list[str] = []
    for name, seconds, limit in limits:
        start = now - now % seconds
        left = max(1, math.ceil(start + seconds - now))
        key = f"survey-invitations:{owner.pk}:{name}:{int(start)}"
        taken.append(key)
        if counters.increment(key, timeout=left, amount=count).value > limit:
            for counted in taken:
                counters.release(counted, count)
            raise InvitationLimitReached(retry_after=left)


def invitations_create(*, survey: Survey, emails: Sequence[str]) -> list[Invitation]:
    """Invite addresses to answer; each new invitee gets an email with a link to the survey page.

    Addresses already invited (in any letter case) are skipped, so re-sending a list is safe.
    An address whose invitation was revoked within REINVITE_QUIET is invited again without a
    second mail. The mails count against the owner's limits (`invitation_quota_take`); past
    them nothing is created. The emails are queued inside the transaction: if it rolls back,
    nothing is sent.
    """
    if not survey.accepts_responses:
        raise NotAcceptingResponses(_("Invitations can be sent only while the survey is open."))
    addresses = _addresses_unique(emails)
    try:
        with transaction.atomic():
            already = set(
                survey.invitations.filter(email_canonical__in=addresses).values_list(
                    "email_canonical", flat=True
                )
            )
            revoked = set(
                survey.revocations.filter(
                    email__in=addresses, revoked_at__gt=timezone.now() - REINVITE_QUIET
                ).values_list("email", flat=True)
            )
            new = {key: address for key, address in addresses.items() if key not in already}
            to_mail = {address for key, address in new.items() if key not in revoked}
            invitation_quota_take(owner=survey.owner, count=len(to_mail))
            created = Invitation.objects.bulk_create(
                Invitation(survey=survey, email=address) for address in new.values()
            )
            link = frontend_link(f"surveys/{survey.pk}")
            # Who invites, by the address Canvass knows them by: a name is whatever they typed.
            inviter = survey.owner.email
            for invitation in created:
                if invitation.email not in to_mail:
                    continue
                email_send(
                    to=invitation.email,
                    template="survey_invitation",
                    context={"survey_title": survey.title, "inviter": inviter, "survey_url": link},
                )
    except IntegrityError as error:
        raise ConcurrentChange from error
    return created


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    """Delete the invitation (the invitee loses access) and remember when, per address."""
    now = timezone.now()
    survey = invitation.survey
    survey.revocations.filter(revoked_at__lte=now - REINVITE_QUIET).delete()
    InvitationRevocation.objects.update_or_create(
        survey=survey, email=invitation.email_canonical, defaults={"revoked_at": now}
    )
    invitation.delete()


def reviewer_add(*, survey: Survey, email: str) -> tuple[Reviewer, bool]:
    """Let an address review the survey; returns (reviewer, created).

    The answer is the same whether or not an account has that address: access follows the
    confirmed account with it, whenever that exists.
    """
    address = User.objects.normalize_email(email.strip())
    existing = survey.reviewers.filter(email_canonical=email_key(address))
    reviewer = existing.first()
    if reviewer is not None:
        return reviewer, False
    try:
        with transaction.atomic():
            return Reviewer.objects.create(survey=survey, email=address), True
    except IntegrityError:
        # Added by a concurrent request a moment ago.
        return existing.get(), False


def reviewer_remove(*, reviewer: Reviewer) -> None:
    reviewer.delete()
