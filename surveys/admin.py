"""Admin for surveys: questions and choices inline, responses read-only."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from surveys.models import Answer, Choice, Invitation, Question, Response, Reviewer, Survey


class LockedOnceAnsweredInline(admin.TabularInline):
    """Questions and choices are frozen once the survey has responses, as in the API (409)."""

    extra = 0

    def _survey_of(self, obj) -> Survey | None:
        if obj is None:
            return None
        return obj if isinstance(obj, Survey) else obj.survey

    def _locked(self, obj) -> bool:
        survey = self._survey_of(obj)
        return survey is not None and survey.responses.exists()

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class QuestionInline(LockedOnceAnsweredInline):
    model = Question
    fields = ("position", "text", "kind", "required", "scale_max")
    ordering = ("position",)
    show_change_link = True  # the question's page holds its choices


class ChoiceInline(LockedOnceAnsweredInline):
    model = Choice
    fields = ("position", "text")
    ordering = ("position",)


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ("email", "invited_at")
    readonly_fields = ("invited_at",)


class ReviewerInline(admin.TabularInline):
    model = Reviewer
    extra = 0
    fields = ("email", "added_at")
    readonly_fields = ("added_at",)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "owner",
        "status",
        "audience",
        "closes_at",
        "response_count",
        "created_at",
    )
    list_filter = ("status", "audience", "created_at")
    search_fields = ("title", "owner__email")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (QuestionInline, InvitationInline, ReviewerInline)
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survey]:
        return super().get_queryset(request).annotate(response_total=Count("responses"))

    @admin.display(description="responses", ordering="response_total")
    def response_count(self, survey: Survey) -> int:
        return survey.response_total  # type: ignore[attr-defined]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "survey", "position", "kind", "required")
    list_filter = ("kind",)
    search_fields = ("text", "survey__title")
    list_select_related = ("survey",)
    raw_id_fields = ("survey",)
    inlines = (ChoiceInline,)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        locked = obj is not None and obj.survey.responses.exists()
        return not locked and super().has_change_permission(request, obj)


class ReadOnlyMixin:
    """Responses are what people said: the admin shows them and never edits them."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = Answer
    fields = ("question", "chosen", "rating", "text")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return (
            super()
            .get_queryset(request)
            .select_related("question")
            .prefetch_related("choices")
            .order_by("question__position")
        )

    @admin.display(description="choices")
    def chosen(self, answer: Answer) -> str:
        return "; ".join(choice.text for choice in answer.choices.all())


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "survey", "respondent", "submitted_at")
    list_filter = ("submitted_at",)
    search_fields = ("survey__title", "respondent__email")
    list_select_related = ("survey", "respondent")
    # Large surveys have many responses: no full COUNT(*) for the filtered total.
    show_full_result_count = False
    inlines = (AnswerInline,)
