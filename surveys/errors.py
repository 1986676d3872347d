"""What the survey services refuse, as exceptions the API and the page turn into answers."""


class SurveyError(Exception):
    default_message = "The survey could not be changed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class SurveyConflict(SurveyError):
    """The request is valid but the survey's state forbids it (HTTP 409)."""


class AlreadyResponded(SurveyConflict):
    default_message = "You have already answered this survey."


class NotAcceptingResponses(SurveyConflict):
    default_message = "This survey is not open for responses."


class QuestionsLocked(SurveyConflict):
    default_message = "The questions cannot change once the survey has responses."


class InvalidTransition(SurveyConflict):
    default_message = "The survey cannot move to that status."


class ConcurrentChange(SurveyConflict):
    default_message = "The survey changed while this request ran; reload it and try again."


class InvitationLimitReached(SurveyError):
    """The account has sent as many invitations as its hourly or daily limit allows (HTTP 429)."""

    default_message = "Invitation limit reached: no invitation was created."

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__()


class AnswersInvalid(SurveyError):
    """Answers that do not fit their questions, as messages keyed by question id (HTTP 400)."""

    default_message = "Some answers are not valid."

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__()
