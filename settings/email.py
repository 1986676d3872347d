"""Email settings: the outbox backend, the real transport parsed from EMAIL_URL, retry policy."""

from urllib.parse import parse_qs, unquote, urlsplit

from settings.env import BASE_DIR, env, refuse_to_start


def transport_from_url(url: str) -> dict:
    """Settings for `smtp://`, `smtp+tls://`, `smtp+ssl://`, `console:` or `file:///dir`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        # Readable in a terminal: decoded subject, the text part, the HTML part in one line.
        return {"EMAIL_BACKEND": "emails.console.EmailBackend"}
    if scheme == "file":
        path = unquote(parts.path) or str(BASE_DIR / "sent-emails")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": path,
        }
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme in ("smtp", "smtp+tls", "smtps", "smtp+ssl"):
        query = parse_qs(parts.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if scheme == "smtp+ssl" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme in ("smtp+tls", "smtps"),
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
        }
    refuse_to_start(f"EMAIL_URL has an unknown scheme {scheme!r}")


EMAIL_URL = env.str("EMAIL_URL", default="console:")
# The transport the outbox delivers through (emails/delivery.py); nothing else talks to it.
EMAIL_TRANSPORT = transport_from_url(EMAIL_URL)
# Every message (djoser, allauth, dj-rest-auth, Canvass) enters the outbox in the caller's
# transaction and is delivered after commit (emails/backends.py).
EMAIL_BACKEND = "emails.backends.OutboxBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Canvass <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- outbox --- emails/README.md
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
# Attempt n waits between half and all of min(base * 2^(n-1), max): 30 s, 1 min, 2 min … 1 h.
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=3600)
# A row `sending` this long belonged to a dead worker; a dispatched task this old was lost.
OUTBOX_STUCK_AFTER_SECONDS = env.int("OUTBOX_STUCK_AFTER_SECONDS", default=300)
OUTBOX_SWEEP_BATCH = env.int("OUTBOX_SWEEP_BATCH", default=1000)
# Rows per delivery task when many are queued at once (a bulk send, a sweep after an outage).
OUTBOX_TASK_BATCH = env.int("OUTBOX_TASK_BATCH", default=20)
OUTBOX_PURGE_AFTER_DAYS = env.int("OUTBOX_PURGE_AFTER_DAYS", default=30)
