"""The base of every domain error: a service's refusal, and the HTTP answer it stands for."""

# It lives here, beside the handler that answers it, so that the apps (accounts, surveys)
# import `api` and `api` imports no app.

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal by a service, for the API and the pages alike.

    The API's exception handler (api.errors) answers every one the same way: `status`,
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
