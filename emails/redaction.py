"""What the outbox admin shows of a message body: links and codes that act on an account masked.

A queued activation, reset or sign-in message holds a live credential: anyone who reads it
could take over the account, so staff see where a link points and never the link itself.
"""

import re

MASK = "…"
CODE_MASK = "••••••"
# The paths of every emailed link whose rest is a secret (uid, token, key or code): Canvass's
# link pages, allauth's own pages, and sign-in by code.
SECRET_LINK_PATHS = (
    "activate",
    "verify-email",
    "password/reset/confirm",
    "email/change/confirm",
    "login/code",
    "accounts/confirm-email",
    "accounts/password/reset/key",
)
SECRET_LINK = re.compile(
    rf"(/(?:{'|'.join(re.escape(path) for path in SECRET_LINK_PATHS)})/)[^\s\"'<>]+"
)
# A sign-in code alone on a line (text part) or alone in an element (HTML part): six digits,
# or the eight characters of Crockford's base32 that Canvass's login by code mails.
CODE = r"(?:\d{6}|[0-9A-HJKMNP-TV-Z]{8})"
CODE_LINE = re.compile(rf"^(\s*){CODE}(\s*)$", re.MULTILINE)
CODE_ELEMENT = re.compile(rf">(\s*){CODE}(\s*)<")


def body_redacted(body: str) -> str:
    """`body` with every secret link's token part and every sign-in code masked."""
    body = SECRET_LINK.sub(rf"\g<1>{MASK}", body)
    body = CODE_LINE.sub(rf"\g<1>{CODE_MASK}\g<2>", body)
    return CODE_ELEMENT.sub(rf">\g<1>{CODE_MASK}\g<2><", body)
