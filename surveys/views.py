"""Survey API views: parse, authorize (surveys.permissions), call a service or selector, render."""

from typing import cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from accounts.models import User
from surveys import payloads, selectors, services
from surveys.models import Survey
from surveys.pagination import SurveyPagination
from surveys.permissions import Capability, SurveyAccess, surveys_visible_to, visible_survey
from surveys.renderers import CSVRenderer, csv_streaming_response
from surveys.serializers import (
    InvitationOutputSerializer,
    InvitationsInputSerializer,
    ResponseCreatedSerializer,
    ResponseInputSerializer,
    ResponseOutputSerializer,
    ReviewerInputSerializer,
    ReviewerOutputSerializer,
    SurveyInputSerializer,
    SurveyListFilterSerializer,
    SurveyListItemSerializer,
    SurveyOutputSerializer,
    SurveyResultsSerializer,
    well_formed_answers,
)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(DetailSerializer, description=description)


UNAUTHENTICATED = _error("Not signed in (anonymous writes, and reads only signed-in users get).")
FORBIDDEN = _error("The caller sees the survey but may not do this.")
NOT_FOUND = _error("No such survey, or one the caller may not see.")
CONFLICT = _error("The survey's state forbids it.")
INVALID = OpenApiResponse(description="Field errors, as DRF reports them; nothing was changed.")


def signed_in(request: Request) -> User:
    """The caller of a route SurveyAccess only lets signed-in users through."""
    return cast(User, request.user)


class SurveySchema(AutoSchema):
    """Only GET lists are paginated: a POST answering with a list (invitations) is a plain list."""

    def _get_paginator(self):
        return super()._get_paginator() if self.method == "GET" else None


class SurveyAPIMixin(APIView):
    """Every survey route: the visibility permission and the schema; the services' refusals
    (surveys.exceptions) are answered by the API's exception handler."""

    permission_classes = [SurveyAccess]
    schema = SurveySchema()

    def get_authenticate_header(self, request: Request) -> str:
        """The first challenge any configured authenticator offers, so that anonymous writes
        are 401 with WWW-Authenticate (README "Integrating a client") even when session
        authentication, which has no challenge, is listed first."""
        for authenticator in self.get_authenticators():
            header = authenticator.authenticate_header(request)
            if header:
                return header
        return ""


class SurveyViewSet(SurveyAPIMixin, GenericViewSet):
    """Surveys: list, create, read, change, delete, publish, close, results."""

    # ASCII digits, as the nested routes' <int:survey_pk>: `\d` also takes other scripts' digits.
    lookup_value_regex = r"[0-9]+"
    serializer_class = SurveyOutputSerializer
    pagination_class = SurveyPagination
    capabilities = {
        "list": Capability.VIEW,
        "create": Capability.VIEW,
        "retrieve": Capability.VIEW,
        "update": Capability.MANAGE,
        "partial_update": Capability.MANAGE,
        "destroy": Capability.MANAGE,
        "publish": Capability.MANAGE,
        "close": Capability.MANAGE,
        "results": Capability.REVIEW,
    }

    def survey_capability(self, request: Request) -> Capability:
        return self.capabilities.get(self.action, Capability.VIEW)

    def get_queryset(self) -> QuerySet[Survey]:
        return surveys_visible_to(self.request.user)

    def get_object(self) -> Survey:
        """The survey of the URL: 404 if unseen, then the capability check."""
        survey = visible_survey(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, survey)
        return survey

    def _read(self, survey: Survey, status_code: int = status.HTTP_200_OK) -> Response:
        """A changed survey, read again (the owner's: no viewer flags needed)."""
        fresh = Survey.objects.get(pk=survey.pk)
        return Response(payloads.survey_detail(fresh, self.request.user), status=status_code)

    @extend_schema(
        parameters=[SurveyListFilterSerializer],
        responses={200: SurveyListItemSerializer(many=True), 400: INVALID},
        description="Surveys the caller may see, newest first; `role` narrows them to those the "
        "caller owns, was invited to, may review or has answered. Items carry `question_count`; "
        "`expand=questions` adds each survey's questions and choices.",
    )
    def list(self, request: Request) -> Response:
        filters = SurveyListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        surveys = selectors.survey_list(user=request.user, role=filters.validated_data.get("role"))
        page = self.paginate_queryset(surveys)
        expand = filters.validated_data.get("expand") == "questions"
        items = payloads.survey_list_items(page or [], request.user, expand=expand)
        return self.get_paginated_response(items)

    @extend_schema(
        request=SurveyInputSerializer,
        responses={201: SurveyOutputSerializer, 400: INVALID, 401: UNAUTHENTICATED},
        description="Creates a draft with its questions and choices in one atomic call.",
    )
    def create(self, request: Request) -> Response:
        payload = SurveyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        survey = services.survey_create(owner=signed_in(request), **payload.validated_data)
        return self._read(survey, status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: SurveyOutputSerializer, 404: NOT_FOUND},
        description="A survey with its questions and choices, in position order.",
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(payloads.survey_detail(self.get_object(), request.user))

    def _change(self, request: Request, *, partial: bool) -> Response:
        survey = self.get_object()
        payload = SurveyInputSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        questions = fields.pop("questions", None)
        services.survey_update(
            survey=survey, changes=services.SurveyChanges(fields=fields, questions=questions)
        )
        return self._read(survey)

    CHANGE_RESPONSES = {
        200: SurveyOutputSerializer,
        400: INVALID,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: _error("Questions sent differ from the current ones and the survey has responses."),
    }

    @extend_schema(
        request=SurveyInputSerializer,
        responses=CHANGE_RESPONSES,
        description="Replaces the survey (fields left out take their defaults). Questions may "
        "change only while the survey has no responses; sending the current ones is no change.",
    )
    def update(self, request: Request, pk: str) -> Response:
        return self._change(request, partial=False)

    @extend_schema(
        request=SurveyInputSerializer,
        responses=CHANGE_RESPONSES,
        description="Changes the fields sent; `questions`, when sent, replaces all questions.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self._change(request, partial=True)

    @extend_schema(
        responses={204: None, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        description="Deletes the survey with its questions, responses, invitations and reviewers.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.survey_delete(survey=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    LIFECYCLE_RESPONSES = {
        200: SurveyOutputSerializer,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: _error("The survey is not in the status this move starts from."),
    }

    @extend_schema(request=None, responses=LIFECYCLE_RESPONSES, description="draft → published")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        return self._read(services.survey_publish(survey=self.get_object()))

    @extend_schema(request=None, responses=LIFECYCLE_RESPONSES, description="published → closed")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._read(services.survey_close(survey=self.get_object()))

    @extend_schema(
        responses={
            200: SurveyResultsSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="Counts and percentages per choice, rating averages and distributions, and "
        f"the {selectors.TEXT_ANSWERS_LIMIT} newest text answers per text question (newest "
        "first; `answered` counts all of them, the responses export lists every one).",
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        results = selectors.survey_results(self.get_object())
        return Response(SurveyResultsSerializer(results).data)


class SurveyChildView(SurveyAPIMixin, GenericAPIView):
    """A route under /api/surveys/{survey_pk}/: the survey is looked up and checked first."""

    capabilities: dict[str, Capability] = {}
    survey_with_owner = False  # True where the view reads survey.owner (one query, not two)

    def survey_capability(self, request: Request) -> Capability:
        method = "GET" if request.method == "HEAD" else request.method
        return self.capabilities.get(method or "", Capability.VIEW)

    def get_survey(self) -> Survey:
        """The survey of the URL, once per request: 404 if unseen, then the capability check."""
        if not hasattr(self, "_survey"):
            survey = visible_survey(
                self.request.user, self.kwargs["survey_pk"], with_owner=self.survey_with_owner
            )
            self.check_object_permissions(self.request, survey)
            self._survey = survey
        return self._survey

    def get_object(self) -> Survey:
        """What permissions are checked against (DRF's metadata and browsable API call it)."""
        return self.get_survey()


class SurveyResponsesView(SurveyChildView):
    """A survey's responses: answer it (POST), or read and export them (owner, reviewers)."""

    capabilities = {"GET": Capability.REVIEW, "POST": Capability.RESPOND}
    serializer_class = ResponseOutputSerializer

    def get_queryset(self):
        return selectors.survey_responses(self.get_survey())

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.request.method in ("GET", "HEAD"):
            renderers.append(CSVRenderer())
        return renderers

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when the caller asked for the CSV export.
        asked_for_csv = isinstance(getattr(request, "accepted_renderer", None), CSVRenderer)
        if asked_for_csv and response.status_code >= status.HTTP_400_BAD_REQUEST:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                enum=["json", "csv"],
                description="`csv` streams every response: response_id, respondent, "
                "submitted_at, then one column per question (choices joined with `; `).",
            )
        ],
        responses={
            (200, "application/json"): ResponseOutputSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="The survey's responses (owner and reviewers), oldest first.",
    )
    def get(self, request: Request, survey_pk: int) -> Response:
        survey = self.get_survey()
        if request.accepted_renderer.format == CSVRenderer.format:
            return csv_streaming_response(  # type: ignore[return-value]
                selectors.responses_export_rows(survey),
                filename=f"survey-{survey.pk}-responses.csv",
            )
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ResponseOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ResponseInputSerializer,
        responses={
            201: ResponseCreatedSerializer,
            400: OpenApiResponse(
                description='Per-question problems: {"answers": {"<question id>": ["..."]}}; '
                "nothing was stored."
            ),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: _error("Already answered, or the survey is not open for responses."),
        },
        description="Answers the survey: one response per person.",
    )
    def post(self, request: Request, survey_pk: int) -> Response:
        survey = self.get_survey()
        answers = well_formed_answers(request.data)
        if answers is None:
            payload = ResponseInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            answers = payload.validated_data["answers"]
        response = services.response_submit(
            survey=survey, respondent=signed_in(request), answers=answers
        )
        return Response(ResponseCreatedSerializer(response).data, status=status.HTTP_201_CREATED)


OWNER_ONLY_ERRORS = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}


class SurveyInvitationsView(SurveyChildView):
    """The addresses invited to answer a survey (owner only)."""

    capabilities = {"GET": Capability.MANAGE, "POST": Capability.MANAGE}
    serializer_class = InvitationOutputSerializer
    survey_with_owner = True  # invitations_create reads the owner's quota and address

    def get_queryset(self):
        return self.get_survey().invitations.all()

    @extend_schema(
        responses={200: InvitationOutputSerializer(many=True), **OWNER_ONLY_ERRORS},
        description="The invitations, oldest first.",
    )
    def get(self, request: Request, survey_pk: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationOutputSerializer(page, many=True).data)

    @extend_schema(
        request=InvitationsInputSerializer,
        responses={
            201: InvitationOutputSerializer(many=True),
            400: INVALID,
            **OWNER_ONLY_ERRORS,
            409: _error("The survey is not open for responses."),
            429: _error(
                "The account's hourly or daily invitation limit would be exceeded; nothing "
                "was created (Retry-After)."
            ),
        },
        description="Invites addresses and emails each new one a link to the survey page; "
        "addresses already invited are skipped (not in the answer). An address whose "
        "invitation was revoked in the last 24 hours is invited again without a second mail.",
    )
    def post(self, request: Request, survey_pk: int) -> Response:
        survey = self.get_survey()
        payload = InvitationsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = services.invitations_create(
            survey=survey, emails=payload.validated_data["emails"]
        )
        data = InvitationOutputSerializer(created, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)


class SurveyInvitationDetailView(SurveyChildView):
    """One invitation (owner only)."""

    capabilities = {"DELETE": Capability.MANAGE}
    serializer_class = InvitationOutputSerializer

    def get_queryset(self):
        return self.get_survey().invitations.all()

    @extend_schema(responses={204: None, **OWNER_ONLY_ERRORS}, description="Revokes an invitation.")
    def delete(self, request: Request, survey_pk: int, invitation_pk: int) -> Response:
        invitation = get_object_or_404(self.get_queryset(), pk=invitation_pk)
        services.invitation_revoke(invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SurveyReviewersView(SurveyChildView):
    """The addresses that may review a survey (owner only)."""

    capabilities = {"GET": Capability.MANAGE, "POST": Capability.MANAGE}
    serializer_class = ReviewerOutputSerializer

    def get_queryset(self):
        return self.get_survey().reviewers.all()

    @extend_schema(
        responses={200: ReviewerOutputSerializer(many=True), **OWNER_ONLY_ERRORS},
        description="The reviewers, pending or not (the list never tells which have accounts).",
    )
    def get(self, request: Request, survey_pk: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReviewerOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ReviewerInputSerializer,
        responses={
            201: ReviewerOutputSerializer,
            200: OpenApiResponse(ReviewerOutputSerializer, description="Already a reviewer."),
            400: INVALID,
            **OWNER_ONLY_ERRORS,
        },
        description="Lets an address read the survey, its results and responses. The answer "
        "is the same whether or not an account has the address; access starts once the "
        "account with it is confirmed.",
    )
    def post(self, request: Request, survey_pk: int) -> Response:
        survey = self.get_survey()
        payload = ReviewerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reviewer, created = services.reviewer_add(
            survey=survey, email=payload.validated_data["email"]
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ReviewerOutputSerializer(reviewer).data, status=code)


class SurveyReviewerDetailView(SurveyChildView):
    """One reviewer (owner only)."""

    capabilities = {"DELETE": Capability.MANAGE}
    serializer_class = ReviewerOutputSerializer

    def get_queryset(self):
        return self.get_survey().reviewers.all()

    @extend_schema(responses={204: None, **OWNER_ONLY_ERRORS}, description="Removes a reviewer.")
    def delete(self, request: Request, survey_pk: int, reviewer_pk: int) -> Response:
        reviewer = get_object_or_404(self.get_queryset(), pk=reviewer_pk)
        services.reviewer_remove(reviewer=reviewer)
        return Response(status=status.HTTP_204_NO_CONTENT)
