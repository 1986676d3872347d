"""Per-recipient caps on account mail: at most MAIL_CAP_PER_HOUR of one kind reach an address."""

# Throttles count per client address, and rotating client addresses defeats them; a cap keyed
# on the recipient holds whoever asks, on any route. A refused mail changes nothing the caller
# sees: the answer is the one it would have had.

import hashlib
from typing import Literal

from django.conf import settings

from accounts.addresses import email_key
from accounts.counters import counters

MailKind = Literal[
    "password_reset",
    "confirmation",
    "already_registered",
    "email_change",
    "new_signin",
    "login_code",
]
WINDOW_SECONDS = 3600


def cap_key(*, kind: MailKind, email: str) -> str:
    digest = hashlib.sha256(email_key(email).encode()).hexdigest()
    return f"mailcap:{kind}:{digest}"


def mail_cap_allows(*, kind: MailKind, email: str) -> bool:
    """Count one mail of `kind` to `email`; False once the cap for the hour is reached.

    The window runs an hour from the last mail allowed, so no hour ever holds more than the
    cap: an allowed mail moves the counter's end an hour on, a refused one leaves it where it
    was (one atomic increment either way, so concurrent requests never pass the cap).
    MAIL_CAP_PER_HOUR=0 turns the cap off.
    """
    cap = settings.MAIL_CAP_PER_HOUR
    if cap <= 0:
        return True
    key = cap_key(kind=kind, email=email)
    counted = counters.increment(key, timeout=WINDOW_SECONDS, extend=True, limit=cap)
    return counted.value <= cap
