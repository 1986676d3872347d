"""Factories for surveys, their questions and choices, and a helper that answers a survey."""

from collections.abc import Sequence

import factory

from surveys import services
from surveys.models import Choice, Invitation, Question, Reviewer, Survey
from tests.factories import UserFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Survey {n}")
    description = "What do you think?"
    status = Survey.Status.PUBLISHED
    audience = Survey.Audience.PUBLIC


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.SINGLE_CHOICE
    required = True


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Option {n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    survey = factory.SubFactory(SurveyFactory)
    email = factory.Sequence(lambda n: f"reviewer{n}@example.org")


# One question of each kind, then an optional choice question.
EVERY_KIND = [
    services.QuestionSpec(text="Pick one", kind="single_choice", choices=("A", "B", "C")),
    services.QuestionSpec(text="Pick some", kind="multiple_choice", choices=("X", "Y", "Z")),
    services.QuestionSpec(text="Rate", kind="rating", scale_max=5),
    services.QuestionSpec(text="Say", kind="text"),
    services.QuestionSpec(
        text="Optional pick", kind="single_choice", required=False, choices=("P", "Q")
    ),
]


def question_specs(count: int, *, choices: int = 3) -> list[services.QuestionSpec]:
    """`count` questions cycling through every kind, choice questions with `choices` options."""
    kinds = [kind for kind, _ in Question.Kind.choices]
    specs = []
    for number in range(1, count + 1):
        kind = kinds[(number - 1) % len(kinds)]
        specs.append(
            services.QuestionSpec(
                text=f"Question {number}?",
                kind=kind,
                required=True,
                scale_max=5 if kind == Question.Kind.RATING else None,
                choices=tuple(f"Option {number}.{c}" for c in range(1, choices + 1))
                if kind in Question.CHOICE_KINDS
                else (),
            )
        )
    return specs


def survey_with_questions(
    *,
    owner=None,
    questions: int | Sequence[services.QuestionSpec] = 4,
    choices: int = 3,
    status: str = Survey.Status.PUBLISHED,
    audience: str = Survey.Audience.PUBLIC,
    **fields,
) -> Survey:
    """A survey made by the same service the API uses, then moved to `status`."""
    specs = question_specs(questions, choices=choices) if isinstance(questions, int) else questions
    survey = services.survey_create(
        owner=owner or UserFactory(),
        title=fields.pop("title", "Team survey"),
        audience=audience,
        questions=specs,
        **fields,
    )
    Survey.objects.filter(pk=survey.pk).update(status=status)
    survey.refresh_from_db()
    return survey


def full_answers(survey: Survey, *, pick: int = 0, rating: int = 3, text: str = "Fine") -> list:
    """API payload answering every question: choice `pick` (index), `rating`, `text`."""
    answers = []
    for question in survey.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        if question.kind == Question.Kind.SINGLE_CHOICE:
            answers.append({"question": question.pk, "choices": [choices[pick].pk]})
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            answers.append(
                {"question": question.pk, "choices": [c.pk for c in choices[: pick + 1]]}
            )
        elif question.kind == Question.Kind.RATING:
            answers.append({"question": question.pk, "rating": rating})
        else:
            answers.append({"question": question.pk, "text": text})
    return answers


def answer_inputs(payload: list[dict]) -> list[services.AnswerInput]:
    return [
        services.AnswerInput(
            question=item["question"],
            choices=tuple(item.get("choices", ())),
            rating=item.get("rating"),
            text=item.get("text", ""),
        )
        for item in payload
    ]


def respond(survey: Survey, respondent=None, **answer_options):
    """Answer `survey` through the service (as the API would) and return the response."""
    return services.response_submit(
        survey=survey,
        respondent=respondent or UserFactory(),
        answers=answer_inputs(full_answers(survey, **answer_options)),
    )
