"""What the survey services refuse, as domain errors the API and the page turn into answers."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from api.exceptions import DomainError


class SurveyError(DomainError):
    default_message = _("The survey could not be changed.")


class SurveyConflict(SurveyError):
    """The request is valid but the survey's state forbids it (HTTP 409)."""

    status = HTTPStatus.CONFLICT
    code = "conflict"


class AlreadyResponded(SurveyConflict):
    default_message = _("You have already answered this survey.")


class NotAcceptingResponses(SurveyConflict):
    default_message = _("This survey is not open for responses.")


class QuestionsLocked(SurveyConflict):
    default_message = _("The questions cannot change once the survey has responses.")


class InvalidTransition(SurveyConflict):
    default_message = _("The survey cannot move to that status.")


class ConcurrentChange(SurveyConflict):
    default_message = _("The survey changed while this request ran; reload it and try again.")


class InvitationLimitReached(SurveyError):
    """The account has sent as many invitations as its hourly or daily limit allows (HTTP 429)."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "throttled"
    default_message = _("Invitation limit reached: no invitation was created.")

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__()


class AnswersInvalid(SurveyError):
    """Answers that do not fit their questions, as messages keyed by question id (HTTP 400)."""

    field = "answers"
    default_message = _("Some answers are not valid.")

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__()

    @property
    def detail(self) -> dict:
        return {"answers": self.errors}
