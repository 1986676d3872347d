"""Account domain errors: an emailed link that cannot be used, an address already taken."""

from django.utils.translation import gettext_lazy as _

from accounts.tokens import LinkState
from api.exceptions import DomainError

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


class AddressTakenError(DomainError):
    """An operator asked for an account at an address that already has one (any spelling)."""

    default_message = _("This address already has an account.")
    field = "email"
