"""Status code for every role on every survey route: 404 unseen, 403 seen, 401 anonymous writes."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from surveys.models import Survey
from surveys.permissions import surveys_visible_to, visible_survey
from tests.factories import UserFactory
from tests.surveys.factories import (
    InvitationFactory,
    ReviewerFactory,
    full_answers,
    survey_with_questions,
)

pytestmark = pytest.mark.django_db

ROLES = ("owner", "invitee", "reviewer", "stranger", "anonymous")
OK, CREATED, NO_CONTENT = HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.NO_CONTENT
UNAUTHORIZED, FORBIDDEN = HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN
NOT_FOUND, CONFLICT = HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT

# (method, route) -> expected status for (owner, invitee, reviewer, stranger, anonymous)
INVITED_PUBLISHED = {
    ("get", "{survey}/"): (OK, OK, OK, NOT_FOUND, NOT_FOUND),
    ("put", "{survey}/"): (OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("patch", "{survey}/"): (OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("delete", "{survey}/"): (NO_CONTENT, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("post", "{survey}/publish/"): (CONFLICT, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("post", "{survey}/close/"): (OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("get", "{survey}/results/"): (OK, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND),
    ("get", "{survey}/responses/"): (OK, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND),
    ("get", "{survey}/responses/?format=csv"): (OK, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND),
    ("post", "{survey}/responses/"): (FORBIDDEN, CREATED, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("get", "{survey}/invitations/"): (OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND),
    ("post", "{survey}/invitations/"): (CREATED, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("delete", "{survey}/invitations/{invitation}/"): (
        NO_CONTENT,
        FORBIDDEN,
        FORBIDDEN,
        NOT_FOUND,
        UNAUTHORIZED,
    ),
    ("get", "{survey}/reviewers/"): (OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND),
    ("post", "{survey}/reviewers/"): (CREATED, FORBIDDEN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("delete", "{survey}/reviewers/{reviewer}/"): (
        NO_CONTENT,
        FORBIDDEN,
        FORBIDDEN,
        NOT_FOUND,
        UNAUTHORIZED,
    ),
}

PUBLIC_PUBLISHED = {
    ("get", "{survey}/"): (OK, OK, OK, OK, OK),
    ("patch", "{survey}/"): (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
    ("delete", "{survey}/"): (NO_CONTENT, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
    ("post", "{survey}/close/"): (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
    # Seen but not theirs: anonymous callers are told to authenticate, others are refused.
    ("get", "{survey}/results/"): (OK, FORBIDDEN, OK, FORBIDDEN, UNAUTHORIZED),
    ("get", "{survey}/responses/"): (OK, FORBIDDEN, OK, FORBIDDEN, UNAUTHORIZED),
    ("post", "{survey}/responses/"): (CREATED, CREATED, CREATED, CREATED, UNAUTHORIZED),
    ("get", "{survey}/invitations/"): (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
    ("post", "{survey}/invitations/"): (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
    ("get", "{survey}/reviewers/"): (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
    ("post", "{survey}/reviewers/"): (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHORIZED),
}

PUBLIC_DRAFT = {
    # A draft is the owner's (and the reviewers') alone; even invitees do not see it yet.
    ("get", "{survey}/"): (OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND),
    ("patch", "{survey}/"): (OK, NOT_FOUND, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("delete", "{survey}/"): (NO_CONTENT, NOT_FOUND, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("post", "{survey}/publish/"): (OK, NOT_FOUND, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("post", "{survey}/close/"): (CONFLICT, NOT_FOUND, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("get", "{survey}/results/"): (OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND),
    ("get", "{survey}/responses/"): (OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND),
    ("post", "{survey}/responses/"): (CONFLICT, NOT_FOUND, CONFLICT, NOT_FOUND, UNAUTHORIZED),
    ("post", "{survey}/invitations/"): (CONFLICT, NOT_FOUND, FORBIDDEN, NOT_FOUND, UNAUTHORIZED),
    ("get", "{survey}/reviewers/"): (OK, NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND),
}

VARIANTS = {
    "invited published": (Survey.Audience.INVITED, Survey.Status.PUBLISHED, INVITED_PUBLISHED),
    "public published": (Survey.Audience.PUBLIC, Survey.Status.PUBLISHED, PUBLIC_PUBLISHED),
    "public draft": (Survey.Audience.PUBLIC, Survey.Status.DRAFT, PUBLIC_DRAFT),
}

CASES = [
    pytest.param(
        variant, method, route, role, expected[index], id=f"{variant}-{method}-{route}-{role}"
    )
    for variant, (_, _, table) in VARIANTS.items()
    for (method, route), expected in table.items()
    for index, role in enumerate(ROLES)
]


def build_scenario(audience: str, status: str) -> dict:
    owner = UserFactory(email="owner@example.org")
    survey = survey_with_questions(owner=owner, audience=audience, status=status)
    invitee = UserFactory(email="invitee@example.org")
    reviewer = UserFactory(email="reviewer@example.org")
    return {
        "survey": survey,
        # Stored in another letter case: addresses match whatever their case.
        "invitation": InvitationFactory(survey=survey, email="Invitee@Example.org"),
        "reviewer_row": ReviewerFactory(survey=survey, email="REVIEWER@example.org"),
        "users": {
            "owner": owner,
            "invitee": invitee,
            "reviewer": reviewer,
            "stranger": UserFactory(email="stranger@example.org"),
            "anonymous": None,
        },
    }


def payload_for(method: str, route: str, survey: Survey) -> dict | None:
    if method == "put":
        return {"title": "Renamed", "audience": survey.audience}
    if method == "patch":
        return {"title": "Renamed"}
    if route.endswith("/responses/") and method == "post":
        return {"answers": full_answers(survey)}
    if route.endswith("/invitations/") and method == "post":
        return {"emails": ["newcomer@example.org"]}
    if route.endswith("/reviewers/") and method == "post":
        return {"email": "new-reviewer@example.org"}
    return None


@pytest.mark.parametrize(("variant", "method", "route", "role", "expected"), CASES)
def test_status_code_for_each_role_on_each_route(
    client_for, variant, method, route, role, expected
):
    audience, status, _ = VARIANTS[variant]
    scenario = build_scenario(audience, status)
    survey = scenario["survey"]
    if method == "put":
        # PUT replaces everything: send the current questions back so only the title changes.
        current = survey.questions.prefetch_related("choices")
        questions = [
            {
                "text": q.text,
                "kind": q.kind,
                "required": q.required,
                **({"scale_max": q.scale_max} if q.scale_max else {}),
                **(
                    {"choices": [{"text": c.text} for c in q.choices.all()]}
                    if q.has_choices
                    else {}
                ),
            }
            for q in current
        ]
        payload: dict | None = {
            "title": "Renamed",
            "audience": survey.audience,
            "questions": questions,
        }
    else:
        payload = payload_for(method, route, survey)
    url = "/api/surveys/" + route.format(
        survey=survey.pk,
        invitation=scenario["invitation"].pk,
        reviewer=scenario["reviewer_row"].pk,
    )
    client = client_for(scenario["users"][role])

    response = getattr(client, method)(url, payload, format="json")

    assert response.status_code == expected
    if expected >= HTTPStatus.BAD_REQUEST:
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
    if expected == UNAUTHORIZED:
        assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize("role", ["invitee", "reviewer"])
def test_access_waits_for_a_confirmed_account(client_for, role):
    scenario = build_scenario(Survey.Audience.INVITED, Survey.Status.PUBLISHED)
    user = scenario["users"][role]
    user.is_active = False
    user.save()
    client = client_for(user)

    response = client.get(f"/api/surveys/{scenario['survey'].pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_invitee_who_signs_up_later_gains_access(client_for):
    scenario = build_scenario(Survey.Audience.INVITED, Survey.Status.PUBLISHED)
    survey = scenario["survey"]
    InvitationFactory(survey=survey, email="later@example.org")
    url = f"/api/surveys/{survey.pk}/"

    newcomer = UserFactory(email="LATER@example.org")

    assert client_for(newcomer).get(url).status_code == HTTPStatus.OK


def test_revoking_an_invitation_removes_access(client_for):
    scenario = build_scenario(Survey.Audience.INVITED, Survey.Status.PUBLISHED)
    survey, invitation = scenario["survey"], scenario["invitation"]
    owner, invitee = scenario["users"]["owner"], scenario["users"]["invitee"]
    url = f"/api/surveys/{survey.pk}/"
    assert client_for(invitee).get(url).status_code == HTTPStatus.OK

    client_for(owner).delete(f"/api/surveys/{survey.pk}/invitations/{invitation.pk}/")

    assert client_for(invitee).get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "url",
    [
        "/api/surveys/999999/",
        "/api/surveys/999999/results/",
        "/api/surveys/999999/responses/",
        "/api/surveys/99999999999999999999999/",
        "/api/surveys/99999999999999999999999/responses/",
        "/api/surveys/9223372036854775808/responses/",
        "/api/surveys/0/responses/",
        "/api/surveys/-1/responses/",
        "/api/surveys/abc/",
        "/api/surveys/abc/responses/",
        "/api/surveys/1/unknown/",
        "/api/surveys/1/invitations/abc/",
    ],
)
def test_unknown_ids_and_paths_are_json_404(client_for, url):
    response = client_for(UserFactory()).get(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("application/json")


def test_deleting_an_invitation_of_another_survey_is_404(client_for):
    scenario = build_scenario(Survey.Audience.INVITED, Survey.Status.PUBLISHED)
    mine = survey_with_questions(owner=scenario["users"]["owner"])
    url = f"/api/surveys/{mine.pk}/invitations/{scenario['invitation'].pk}/"

    response = client_for(scenario["users"]["owner"]).delete(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert scenario["survey"].invitations.count() == 1


@pytest.mark.parametrize("audience", [Survey.Audience.PUBLIC, Survey.Audience.INVITED])
@pytest.mark.parametrize("status", list(Survey.Status.values))
def test_one_survey_lookup_applies_the_same_rule_as_the_survey_queryset(audience, status):
    # visible_survey() checks the rule in Python on one row; surveys_visible_to() in SQL.
    scenario = build_scenario(audience, status)
    survey = scenario["survey"]
    for role, user in scenario["users"].items():
        viewer = user or AnonymousUser()
        in_queryset = surveys_visible_to(viewer).filter(pk=survey.pk).exists()
        for with_owner in (False, True):
            try:
                found = visible_survey(viewer, survey.pk, with_owner=with_owner)
            except Http404:
                found = None
            assert (found is not None) == in_queryset, (role, audience, status, with_owner)
            if found is not None:
                expected = surveys_visible_to(viewer).get(pk=survey.pk)
                assert found == expected
                assert bool(found.viewer_is_reviewer) == expected.viewer_is_reviewer
                assert bool(found.viewer_is_invited) == expected.viewer_is_invited
                assert found.status == expected.status
                assert found.owner_id == expected.owner_id
