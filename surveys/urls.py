"""Survey routes under /api/surveys/ and the survey page (README "Surveys")."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from surveys import pages, views

router = SimpleRouter()
router.register("api/surveys", views.SurveyViewSet, basename="survey")

urlpatterns = [
    *router.urls,
    path(
        "api/surveys/<int:survey_pk>/responses/",
        views.SurveyResponsesView.as_view(),
        name="survey-responses",
    ),
    path(
        "api/surveys/<int:survey_pk>/invitations/",
        views.SurveyInvitationsView.as_view(),
        name="survey-invitations",
    ),
    path(
        "api/surveys/<int:survey_pk>/invitations/<int:invitation_pk>/",
        views.SurveyInvitationDetailView.as_view(),
        name="survey-invitation-detail",
    ),
    path(
        "api/surveys/<int:survey_pk>/reviewers/",
        views.SurveyReviewersView.as_view(),
        name="survey-reviewers",
    ),
    path(
        "api/surveys/<int:survey_pk>/reviewers/<int:reviewer_pk>/",
        views.SurveyReviewerDetailView.as_view(),
        name="survey-reviewer-detail",
    ),
    # The invitation links' form has no trailing slash; a typed one is accepted too.
    re_path(r"^surveys/(?P<survey_id>[0-9]{1,18})/?$", pages.survey_page, name="survey-page"),
]
