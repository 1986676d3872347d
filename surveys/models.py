"""Survey tables: surveys, their questions and choices, responses, invitations and reviewers."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import CanonicalEmailField

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
QUESTION_TEXT_MAX_LENGTH = 500
CHOICE_TEXT_MAX_LENGTH = 200
TEXT_ANSWER_MAX_LENGTH = 5000
MAX_QUESTIONS = 200
MAX_CHOICES = 50
SCALE_MIN = 2
SCALE_MAX = 10
DEFAULT_SCALE_MAX = 5


# The choices live beside the models so each model's Meta can name them in its constraints.
class SurveyStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class SurveyAudience(models.TextChoices):
    PUBLIC = "public"
    INVITED = "invited"


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    TEXT = "text"


class Survey(models.Model):
    Status = SurveyStatus
    Audience = SurveyAudience

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="surveys"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.PUBLIC)
    closes_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["audience", "status"], name="survey_audience_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SurveyStatus.values),
                name="survey_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(audience__in=SurveyAudience.values),
                name="survey_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past_closing_time(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()

    @property
    def current_status(self) -> str:
        """The status clients see: a published survey past `closes_at` is closed."""
        if self.status == self.Status.PUBLISHED and self.is_past_closing_time:
            return self.Status.CLOSED
        return self.status

    @property
    def accepts_responses(self) -> bool:
        return self.current_status == self.Status.PUBLISHED


class Question(models.Model):
    Kind = QuestionKind

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=QUESTION_TEXT_MAX_LENGTH)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    required = models.BooleanField(default=True)
    scale_max = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values),
                name="question_kind_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=QuestionKind.RATING.value,
                        scale_max__gte=SCALE_MIN,
                        scale_max__lte=SCALE_MAX,
                    )
                    | (~models.Q(kind=QuestionKind.RATING.value) & models.Q(scale_max__isnull=True))
                ),
                name="question_scale_max_only_for_ratings",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=CHOICE_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            # One response per person and survey: the database decides, even for two requests
            # arriving at the same moment.
            models.UniqueConstraint(
                fields=["survey", "respondent"], name="response_one_per_respondent"
            ),
        ]
        # Listing, counting and exporting a survey's responses in submission order.
        indexes = [models.Index(fields=["survey", "id"], name="response_survey_id")]

    def __str__(self) -> str:
        return f"Response {self.pk} to survey {self.survey_id}"


class Answer(models.Model):
    """One answered question of a response; unanswered optional questions have no row."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    choices = models.ManyToManyField(Choice, through="AnswerChoice", related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=TEXT_ANSWER_MAX_LENGTH, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_one_per_question"
            ),
        ]
        indexes = [
            # Results: answered counts and the newest text answers per question.
            models.Index(fields=["question", "id"], name="answer_question_id"),
            # Results: the rating distribution, read from the index alone.
            models.Index(fields=["question", "rating"], name="answer_question_rating"),
        ]

    def __str__(self) -> str:
        return f"Answer to question {self.question_id}"


class AnswerChoice(models.Model):
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="choice_links", db_index=False
    )
    # The index on choice_id is what the results' per-choice counts read.
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="answer_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "choice"], name="answer_choice_unique"),
        ]

    def __str__(self) -> str:
        return f"Choice {self.choice_id} of answer {self.answer_id}"


class SurveyAddress(models.Model):
    """An address given a role on a survey; the role follows the confirmed account with it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="%(class)ss")
    email = models.EmailField(max_length=254)
    # The account address it names, in any spelling: matched with `User.email_canonical`.
    email_canonical = CanonicalEmailField(max_length=254, editable=False)

    class Meta:
        abstract = True
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=("survey", "email_canonical"), name="%(class)s_survey_email_unique"
            ),
        ]
        # "Which surveys is this address invited to / may it review": every list and check.
        indexes = [models.Index(fields=["email_canonical"], name="%(class)s_email_canonical")]

    def __str__(self) -> str:
        return self.email


class Invitation(SurveyAddress):
    """An address invited to answer a survey."""

    invited_at = models.DateTimeField(auto_now_add=True)


class InvitationRevocation(models.Model):
    """When an address's invitation to a survey was last revoked: inviting it again soon after
    creates the invitation without mailing it a second time (no invite/revoke mail loop)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="revocations")
    email = models.EmailField(max_length=254)  # canonical (accounts.addresses.email_key)
    revoked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("survey", "email"), name="invitation_revocation_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class Reviewer(SurveyAddress):
    """An address that may read a survey, its results and responses; never edit them."""

    added_at = models.DateTimeField(auto_now_add=True)
