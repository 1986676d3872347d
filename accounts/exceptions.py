"""Domain errors: what a service refuses, and the HTTP answer the API gives for it."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from accounts.tokens import LinkState


class DomainError(Exception):
    """A refusal by a service, for the API and the pages alike.

    The API's exception handler (accounts.errors) answers every one the same way: `status`,
    with `{"detail": message}`, or `{field: [message]}` when `field` names the input at fault.
    Pages catch it and show `message`.
    """

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    code = "invalid"  # DRF's error code for the answer
    default_message: object = _("The request could not be completed.")
    field: str | None = None
    # Seconds after which the client may try again (a Retry-After header), when known.
    retry_after: int | None = None

    def __init__(self, message: object = None, *, field: str | None = None) -> None:
        self.message = str(message or self.default_message)
        if field is not None:
            self.field = field
        super().__init__(self.message)

    @property
    def detail(self) -> dict:
        """The body of the API's answer."""
        if self.field is None:
            return {"detail": self.message}
        return {self.field: [self.message]}


LINK_MESSAGES = {
    LinkState.INVALID: _(
        "This link is not valid: it may be incomplete, replaced by a newer one, or already used."
    ),
    LinkState.EXPIRED: _("This link has expired. Ask for a new one."),
    LinkState.USED: _("This link was already used."),
}


class AccountLinkError(DomainError):
    """An emailed link that cannot be used; `field` names the part that failed."""

    def __init__(self, state: LinkState, *, field: str = "token", message: object = None):
        self.state = state
        super().__init__(message or LINK_MESSAGES[state], field=field)
