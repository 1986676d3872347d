"""Account domain errors: an emailed link that cannot be used, an address already taken, a
provider sign-in refused."""

from http import HTTPStatus

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


class ProviderLoginRefused(DomainError):
    """A provider sign-in that signs into no account: an unverified or missing address, an
    account that may not log in, a code or ID token the provider's keys do not vouch for. One
    answer for all, so it tells nobody whether an account holds the address."""

    default_message = _(
        "This sign-in could not be completed. If the provider did not confirm your address, "
        "check your mailbox for a message from us."
    )


class ProviderUnavailable(DomainError):
    """The identity provider did not answer, or answered with something that is not OpenID
    Connect (discovery, token, keys, userinfo)."""

    status = HTTPStatus.BAD_GATEWAY
    code = "provider_unavailable"
    default_message = _("The identity provider could not be reached. Try again later.")


class ProviderLinkError(DomainError):
    """A link between an account and a provider account that cannot be made or removed."""


class ProviderLoginLocked(DomainError):
    """A provider sign-in into an account that failed logins have locked (accounts.lockout)."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "throttled"
    default_message = _("Too many failed login attempts. Try again later.")

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__()
