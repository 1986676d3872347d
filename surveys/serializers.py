"""Survey payloads: input serializers that check types and shapes, output ones that render.

Input fields are strict about JSON types (a number is not a title, "yes" is not a boolean): a
client sending the wrong type gets a 400 naming the field rather than a silent conversion.
"""

from typing import cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.addresses import validate_canonical_email
from surveys.models import (
    CHOICE_TEXT_MAX_LENGTH,
    DEFAULT_SCALE_MAX,
    DESCRIPTION_MAX_LENGTH,
    MAX_CHOICES,
    MAX_QUESTIONS,
    QUESTION_TEXT_MAX_LENGTH,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    Reviewer,
    Survey,
)
from surveys.permissions import may_review
from surveys.selectors import ROLES, TEXT_ANSWERS_LIMIT
from surveys.services import AnswerInput, QuestionSpec

MAX_INVITATIONS_PER_REQUEST = 100


# --- strict JSON types ---


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    """An address: a JSON string with a canonical form (accounts.addresses)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_canonical_email])
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


# --- input ---


class ChoiceInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=CHOICE_TEXT_MAX_LENGTH)


class QuestionInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=QUESTION_TEXT_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    # The serializer's own `required` attribute is unaffected: DRF pops declared fields.
    required = StrictBooleanField(default=True)  # type: ignore[assignment]
    scale_max = StrictIntegerField(
        min_value=SCALE_MIN,
        max_value=SCALE_MAX,
        required=False,
        allow_null=True,
        help_text=f"Ratings only: the top of the 1..scale_max scale (default {DEFAULT_SCALE_MAX}).",
    )
    choices = ChoiceInputSerializer(many=True, required=False, max_length=MAX_CHOICES)  # type: ignore[call-arg]

    def validate(self, attrs) -> QuestionSpec:
        kind = attrs["kind"]
        choices = [choice["text"] for choice in attrs.get("choices") or []]
        scale_max = attrs.get("scale_max")
        if kind in Question.CHOICE_KINDS:
            distinct = {text.casefold() for text in choices}
            if len(distinct) != len(choices):
                raise serializers.ValidationError({"choices": [_("Choices must be distinct.")]})
            if len(choices) < 2:
                raise serializers.ValidationError({"choices": [_("Give at least 2 choices.")]})
        elif choices:
            raise serializers.ValidationError(
                {"choices": [_("Only choice questions have choices.")]}
            )
        if kind == Question.Kind.RATING:
            scale_max = scale_max or DEFAULT_SCALE_MAX
        elif scale_max is not None:
            raise serializers.ValidationError(
                {"scale_max": [_("Only rating questions have a scale.")]}
            )
        return QuestionSpec(
            text=attrs["text"],
            kind=kind,
            required=attrs["required"],
            scale_max=scale_max,
            choices=tuple(choices),
        )


@extend_schema_field(QuestionInputSerializer(many=True))
class QuestionListField(serializers.Field):
    """The questions, always validated whole, even inside a PATCH (which sends all of them)."""

    def to_internal_value(self, data) -> list[QuestionSpec]:
        questions = QuestionInputSerializer(data=data, many=True, max_length=MAX_QUESTIONS)  # type: ignore[call-arg]
        if not questions.is_valid():
            raise serializers.ValidationError(questions.errors)
        return questions.validated_data

    def to_representation(self, value):
        return QuestionInputSerializer(value, many=True).data


class SurveyInputSerializer(serializers.Serializer):
    """Create (POST) and change (PUT replaces every field, PATCH only those sent)."""

    title = StrictCharField(max_length=Survey._meta.get_field("title").max_length)
    description = StrictCharField(max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, default="")
    audience = serializers.ChoiceField(
        choices=Survey.Audience.choices, default=Survey.Audience.PUBLIC
    )
    closes_at = serializers.DateTimeField(
        allow_null=True,
        default=None,
        help_text="When set, the survey behaves as closed from that moment on.",
    )
    questions = QuestionListField(default=list)


class AnswerInputSerializer(serializers.Serializer):
    question = StrictIntegerField(help_text="The question's id.")
    choices = serializers.ListField(
        child=StrictIntegerField(),
        required=False,
        allow_null=True,
        max_length=MAX_CHOICES,
        help_text="Choice questions: the ids of the chosen options.",
    )
    rating = StrictIntegerField(required=False, allow_null=True, help_text="Rating questions.")
    text = StrictCharField(
        required=False, allow_null=True, allow_blank=True, help_text="Text questions."
    )

    def validate(self, attrs) -> AnswerInput:
        return AnswerInput(
            question=attrs["question"],
            choices=tuple(attrs.get("choices") or ()),
            rating=attrs.get("rating"),
            text=attrs.get("text") or "",
        )


class ResponseInputSerializer(serializers.Serializer):
    answers = AnswerInputSerializer(many=True, max_length=MAX_QUESTIONS * 2)  # type: ignore[call-arg]


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain_text(value: str) -> bool:
    """What DRF's CharField lets through unchanged but for trimming: no NUL, no surrogate."""
    return "\x00" not in value and not any("\ud800" <= char <= "\udfff" for char in value)


def well_formed_answers(data) -> list[AnswerInput] | None:
    """The answers of a response whose every value already has its JSON type, read without
    DRF's per-field machinery (a fifth of a 50-answer submit); None for anything else, which
    ResponseInputSerializer then validates and reports. Gives what that serializer would give,
    field for field (tests/surveys/test_answers_input.py holds the two equal)."""
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, list) or len(answers) > MAX_QUESTIONS * 2:
        return None
    parsed = []
    for answer in answers:
        if not isinstance(answer, dict):
            return None
        question = answer.get("question")
        choices = answer.get("choices")
        rating = answer.get("rating")
        text = answer.get("text")
        if not _is_integer(question):
            return None
        if choices is not None and not (
            isinstance(choices, list)
            and len(choices) <= MAX_CHOICES
            and all(_is_integer(choice) for choice in choices)
        ):
            return None
        if rating is not None and not _is_integer(rating):
            return None
        if text is not None and not (isinstance(text, str) and _plain_text(text)):
            return None
        parsed.append(
            AnswerInput(
                question=cast(int, question),
                choices=tuple(choices or ()),
                rating=rating,
                text=text.strip() if text else "",
            )
        )
    return parsed


class InvitationsInputSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=StrictEmailField(), min_length=1, max_length=MAX_INVITATIONS_PER_REQUEST
    )


class ReviewerInputSerializer(serializers.Serializer):
    email = StrictEmailField()


class SurveyListFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLES, required=False)
    expand = serializers.ChoiceField(
        choices=["questions"],
        required=False,
        help_text="`questions`: list items carry their questions and choices too.",
    )


# --- output ---


class ChoiceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ("id", "position", "text")


class QuestionOutputSerializer(serializers.ModelSerializer):
    # Filled by a prefetch with to_attr (ordered_questions, ordered_choices).
    choices = ChoiceOutputSerializer(many=True, source="ordered_choices")
    scale_max = serializers.IntegerField(required=False, help_text="Rating questions only.")

    class Meta:
        model = Question
        fields = ("id", "position", "text", "kind", "required", "scale_max", "choices")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.kind != Question.Kind.RATING:
            del data["scale_max"]
        return data


class SurveyOutputSerializer(serializers.ModelSerializer):
    """One survey as reads answer it. Describes the payload for the OpenAPI document; the
    routes build it with surveys.payloads (the tests hold the two equal)."""

    status = serializers.ChoiceField(
        source="current_status",
        choices=Survey.Status.choices,
        help_text="A published survey past its closes_at reads as closed.",
    )
    owner = serializers.SerializerMethodField(
        help_text="The owner's account id; null for a caller who may not review the survey "
        "(anyone but its owner and reviewers)."
    )
    questions = QuestionOutputSerializer(many=True, source="ordered_questions")

    def get_owner(self, survey: Survey) -> int | None:
        # Who owns a survey is the reviewers' business, not its audience's. The reviewer flag
        # is annotated by surveys_visible_to(): no query per survey.
        request = self.context.get("request")
        if request is None or not may_review(request.user, survey):
            return None
        return survey.owner_id

    class Meta:
        model = Survey
        fields: tuple[str, ...] = (
            "id",
            "title",
            "description",
            "status",
            "audience",
            "closes_at",
            "owner",
            "created_at",
            "questions",
        )


class SurveyListItemSerializer(SurveyOutputSerializer):
    """A list item: `question_count` instead of the questions, unless `?expand=questions`."""

    question_count = serializers.IntegerField(help_text="How many questions the survey has.")
    questions = QuestionOutputSerializer(
        many=True,
        source="ordered_questions",
        required=False,
        help_text="Only with `?expand=questions`.",
    )

    class Meta(SurveyOutputSerializer.Meta):
        fields: tuple[str, ...] = (
            *SurveyOutputSerializer.Meta.fields[:-1],
            "question_count",
            "questions",
        )


class RespondentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


class AnswerOutputSerializer(serializers.ModelSerializer):
    """`{"question", ...}` with the one key its kind answers with, as the client sent it."""

    question = serializers.IntegerField(source="question_id")
    choices = serializers.ListField(child=serializers.IntegerField(), required=False)
    rating = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False)

    class Meta:
        model = Answer
        fields = ("question", "choices", "rating", "text")

    def to_representation(self, instance):
        kind = instance.question.kind
        if kind in Question.CHOICE_KINDS:
            value = [link.choice_id for link in instance.choice_links.all()]
            return {"question": instance.question_id, "choices": value}
        if kind == Question.Kind.RATING:
            return {"question": instance.question_id, "rating": instance.rating}
        return {"question": instance.question_id, "text": instance.text}


class ResponseOutputSerializer(serializers.ModelSerializer):
    respondent = RespondentOutputSerializer()
    answers = AnswerOutputSerializer(many=True)

    class Meta:
        model = Response
        fields = ("id", "respondent", "submitted_at", "answers")


class ResponseCreatedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = ("id", "submitted_at")


class InvitationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ("id", "email", "invited_at")


class ReviewerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reviewer
        fields = ("id", "email")


class ChoiceResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField(help_text="count / answered * 100, one decimal; 0 if none.")


class RatingResultSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True, help_text="Two decimals; null if none.")
    distribution = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='Answers per value, "1" up to scale_max, zeros included.',
    )


class QuestionResultSerializer(serializers.Serializer):
    """Keys by kind: choice questions have `choices`, ratings `rating`, text `text_answers`."""

    id = serializers.IntegerField()
    text = serializers.CharField(help_text="The question, as the survey asks it.")
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    answered = serializers.IntegerField(help_text="Responses that answered this question.")
    choices = ChoiceResultSerializer(many=True, required=False)
    rating = RatingResultSerializer(required=False)
    text_answers = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"The {TEXT_ANSWERS_LIMIT} newest answers, newest first; the export has all.",
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if value is not None}


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField(help_text="The survey's id.")
    responses = serializers.IntegerField(help_text="How many responses it has.")
    questions = QuestionResultSerializer(many=True)
