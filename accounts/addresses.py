"""The one canonical form of an email address: what makes two spellings one account."""

# Every account lookup, uniqueness check and lockout key goes through `canonical_email`, computed
# here in Python, so SQLite and PostgreSQL (whose lower() folds differently) agree. The form:
# the whole address NFKC-normalized (a Kelvin sign is a K), lower-cased, a dotted capital I
# folded to a plain i (as PostgreSQL's lower() did, so no account becomes unreachable), the
# domain IDNA-encoded (exämple.org and xn--exmple-cua.org are one domain). Quoted local parts
# are refused. Provider rules (dots, plus tags) are not applied: those stay distinct addresses.
# The frozen copy in accounts/migrations/0006_canonical_email.py must compute the same form.

import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

QUOTED_LOCAL_PART = _('Quoted addresses (with ") are not accepted; enter the plain address.')
TOO_LONG = _("This address is too long once its domain is encoded.")
MAX_LENGTH = 254
BAD_DOMAIN = _("The domain of this address is not a valid domain name.")


class AddressError(ValueError):
    """An address with no canonical form; `message` says why, for a field error."""

    def __init__(self, message: object, code: str) -> None:
        self.message = str(message)
        self.code = code
        super().__init__(str(message))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("i\u0307", "i")
    return unicodedata.normalize("NFKC", text)


def canonical_email(address: str) -> str:
    """The canonical form of `address`; raises AddressError when it has none."""
    local, at, domain = unicodedata.normalize("NFKC", address.strip()).rpartition("@")
    if not at or not local or not domain:
        raise AddressError(_("Enter a valid email address."), "invalid")
    if '"' in local or "\\" in local:
        raise AddressError(QUOTED_LOCAL_PART, "quoted_local_part")
    domain = _fold(domain)
    if not domain.isascii() or "xn--" in domain:
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as error:
            raise AddressError(BAD_DOMAIN, "invalid_domain") from error
    canonical = f"{_fold(local)}@{domain.lower()}"
    if len(canonical) > MAX_LENGTH:  # an encoded domain can outgrow the typed one
        raise AddressError(TOO_LONG, "max_length")
    return canonical


def email_key(address: str) -> str:
    """The account key of any text given as an address (lockout counters): the canonical form,
    or for text that has none the text itself, trimmed and lower-cased (it names no account)."""
    try:
        return canonical_email(address)
    except AddressError:
        return address.strip().lower()


def validate_canonical_email(address: str) -> None:
    """Field validator: refuse an address without a canonical form (quoted, undecodable domain).
    Plain syntax errors are left to the field's EmailValidator, so they are reported once."""
    try:
        canonical_email(address)
    except AddressError as error:
        if error.code != "invalid":
            raise ValidationError(error.message, code=error.code) from error
