"""Who may see, answer, review and manage a survey: the one place every survey view asks.

Invitations and reviewers are stored by address and matched against the viewer's *confirmed*
account at query time, so an invitee or reviewer who signs up and confirms later gains access,
and adding an address reveals nothing about whether an account has it.
"""

from enum import StrEnum

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.policy import account_can_log_in
from surveys.models import Invitation, Reviewer, Survey

SEEN_BY_AUDIENCE = (Survey.Status.PUBLISHED, Survey.Status.CLOSED)


def _viewer_address(user) -> str | None:
    """The address invitations and reviewers are matched against, or None (no match)."""
    if not user.is_authenticated or not account_can_log_in(user) or not user.email_canonical:
        return None
    return user.email_canonical


def _address_matches_viewer(model: type[Invitation] | type[Reviewer], user) -> Exists | Value:
    """Rows of `model` for the survey whose address is the viewer's confirmed address.

    The viewer is the request's account, as fresh as authentication loaded it (the token
    cache drops an entry on every save of the account): its address is matched directly
    rather than read again by a subquery in every survey query.
    """
    address = _viewer_address(user)
    if address is None:
        return Value(False, output_field=BooleanField())
    return Exists(model.objects.filter(survey=OuterRef("pk"), email_canonical=address))


def viewer_is_invited(user) -> Exists | Value:
    """True for the surveys whose invitations include the viewer's confirmed address."""
    return _address_matches_viewer(Invitation, user)


def viewer_is_reviewer(user) -> Exists | Value:
    """True for the surveys whose reviewers include the viewer's confirmed address."""
    return _address_matches_viewer(Reviewer, user)


def _viewer_flag(survey: Survey, name: str) -> bool:
    """A role flag surveys_visible_to() annotated the survey with (missing = a bug, not False)."""
    return bool(getattr(survey, name))


def _viewer_roles(user) -> dict[str, Exists | Value]:
    """The viewer flags every survey read by a signed-in viewer is annotated with."""
    return {
        "viewer_is_reviewer": viewer_is_reviewer(user),
        "viewer_is_invited": viewer_is_invited(user),
    }


def surveys_visible_to(user) -> QuerySet[Survey]:
    """Every survey `user` may see, annotated with the viewer's roles the checks below read.

    Someone else's draft, or an invited-only survey the viewer was not invited to, is not in
    it: views answer 404 for those, never revealing that they exist.
    """
    seen_by_everyone = Q(audience=Survey.Audience.PUBLIC, status__in=SEEN_BY_AUDIENCE)
    if not user.is_authenticated:
        return Survey.objects.filter(seen_by_everyone).annotate(
            viewer_is_reviewer=Value(False), viewer_is_invited=Value(False)
        )
    return Survey.objects.annotate(**_viewer_roles(user)).filter(
        seen_by_everyone
        | Q(owner=user)
        | Q(viewer_is_reviewer=True)
        | Q(viewer_is_invited=True, status__in=SEEN_BY_AUDIENCE)
    )


def _seen_by(user, survey: Survey) -> bool:
    """surveys_visible_to()'s rule for one survey annotated with the viewer flags."""
    seen_by_audience = survey.status in SEEN_BY_AUDIENCE
    if survey.audience == Survey.Audience.PUBLIC and seen_by_audience:
        return True
    return bool(
        user.is_authenticated
        and (
            survey.owner_id == user.pk
            or _viewer_flag(survey, "viewer_is_reviewer")
            or (seen_by_audience and _viewer_flag(survey, "viewer_is_invited"))
        )
    )


_ONE_SURVEY_SQL = """
SELECT survey.*, {reviewer} AS viewer_is_reviewer, {invited} AS viewer_is_invited
FROM {survey} survey WHERE survey.id = %s
"""
_ADDRESS_ROW_SQL = """EXISTS (
    SELECT 1 FROM {table} address_row
    WHERE address_row.survey_id = survey.id AND address_row.email_canonical = %s
)"""
_ID_MAX = 2**63 - 1  # the largest id the database can hold (a bigint)


def _one_survey(user, survey_id: int) -> Survey | None:
    """The survey with the viewer flags, from a statement written out: building the same
    query with the ORM's Exists expressions cost more than running it."""
    address = _viewer_address(user)
    flags, params = {"reviewer": "FALSE", "invited": "FALSE"}, []
    if address is not None:
        for flag, model in (("reviewer", Reviewer), ("invited", Invitation)):
            flags[flag] = _ADDRESS_ROW_SQL.format(table=model._meta.db_table)
            params.append(address)
    sql = _ONE_SURVEY_SQL.format(survey=Survey._meta.db_table, **flags)
    return next(iter(Survey.objects.raw(sql, [*params, survey_id])), None)


def visible_survey(user, pk, *, with_owner: bool = False) -> Survey:
    """The survey `pk` annotated as surveys_visible_to() does (and with its owner loaded
    when asked), or Http404 when `user` may not see it (or `pk` is no survey id).

    The rule is applied to the one row in Python: in SQL its two subqueries were compiled a
    second time into the WHERE clause, which cost more than reading the row.
    """
    if with_owner:
        if user.is_authenticated:
            surveys = Survey.objects.annotate(**_viewer_roles(user))
        else:
            surveys = Survey.objects.annotate(
                viewer_is_reviewer=Value(False), viewer_is_invited=Value(False)
            )
        survey: Survey | None = get_object_or_404(surveys.select_related("owner"), pk=pk)
    else:
        try:
            survey_id = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        survey = _one_survey(user, survey_id) if 0 < survey_id <= _ID_MAX else None
    if survey is None or not _seen_by(user, survey):
        raise Http404
    return survey


def may_manage(user, survey: Survey) -> bool:
    """Edit, delete, publish, close, invite and pick reviewers: the owner only."""
    return bool(user.is_authenticated and survey.owner_id == user.pk)


def may_review(user, survey: Survey) -> bool:
    """Read results and responses: the owner and the confirmed reviewers."""
    return may_manage(user, survey) or bool(
        user.is_authenticated and _viewer_flag(survey, "viewer_is_reviewer")
    )


def may_respond(user, survey: Survey) -> bool:
    """Answer it (while it accepts responses): anyone signed in; invitees only if invited-only."""
    if not user.is_authenticated:
        return False
    return survey.audience == Survey.Audience.PUBLIC or _viewer_flag(survey, "viewer_is_invited")


def may_view(user, survey: Survey) -> bool:
    """Any survey from surveys_visible_to(); the queryset already made this decision."""
    return True


class Capability(StrEnum):
    VIEW = "view"
    RESPOND = "respond"
    REVIEW = "review"
    MANAGE = "manage"


CHECKS = {
    Capability.VIEW: may_view,
    Capability.RESPOND: may_respond,
    Capability.REVIEW: may_review,
    Capability.MANAGE: may_manage,
}

DENIED_MESSAGES = {
    Capability.VIEW: _("You may not see this survey."),
    Capability.RESPOND: _("You are not invited to respond to this survey."),
    Capability.REVIEW: _("Only the survey's owner and reviewers may see this."),
    Capability.MANAGE: _("Only the survey's owner may do this."),
}


class SurveyAccess(BasePermission):
    """DRF permission for survey routes: anonymous writes are 401, the rest per capability.

    A view says which capability each request needs through `survey_capability(request)`;
    its queryset comes from `surveys_visible_to()`, so what the caller may not see is 404
    before this check runs, and what they see but may not do is 403 (401 when anonymous).
    """

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )

    def has_object_permission(self, request, view, obj) -> bool:
        capability = view.survey_capability(request)
        self.message = DENIED_MESSAGES[capability]
        return CHECKS[capability](request.user, obj)
