"""Per-recipient caps on account mail: at most MAIL_CAP_PER_HOUR of one kind reach an address."""

# Throttles count per client address, and rotating client addresses defeats them; a cap keyed
# on the recipient holds whoever asks, on any route. A refused mail changes nothing the caller
# sees: the answer is the one it would have had.

import hashlib
from typing import Literal

from django.conf import settings

from accounts.addresses import email_key
from accounts.counters import counters

MailKind = Literal["password_reset", "confirmation", "already_registered", "email_change"]
WINDOW_SECONDS = 3600


def cap_key(*, kind: MailKind, email: str) -> str:
    digest = hashlib.sha256(email_key(email).encode()).hexdigest()
    return f"mailcap:{kind}:{digest}"


def mail_cap_allows(*, kind: MailKind, email: str) -> bool:
    """Count one mail of `kind` to `email`; False once the cap for the hour is reached.

    The window runs an hour from the last mail allowed, so no hour ever holds more than the
    cap. A refusal writes nothing (the database cache's `incr` would reset the key's timeout);
    after an `incr` the `touch` sets the hour again, alike in both caches.
    MAIL_CAP_PER_HOUR=0 turns the cap off.
    """
    cap = settings.MAIL_CAP_PER_HOUR
    if cap <= 0:
        return True
    key = cap_key(kind=kind, email=email)
    if counters.add(key, 1, WINDOW_SECONDS):
        return True
    if (counters.get(key) or 0) >= cap:
        return False
    try:
        count = counters.incr(key)
    except ValueError:  # expired since add()
        counters.set(key, 1, WINDOW_SECONDS)
        return True
    counters.touch(key, WINDOW_SECONDS)
    return count <= cap
