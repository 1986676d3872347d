"""Email transport settings, parsed from EMAIL_URL (see CONTRACT.md section 2)."""

from urllib.parse import parse_qs, unquote, urlsplit

from settings.env import BASE_DIR, env, refuse_to_start

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def transport_from_url(url: str) -> dict:
    """Settings for `smtp://`, `smtp+tls://`, `smtp+ssl://`, `console:` or `file:///dir`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
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
            "EMAIL_BACKEND": SMTP_BACKEND,
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if scheme == "smtp+ssl" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme in ("smtp+tls", "smtps"),
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
        }
    refuse_to_start(f"EMAIL_URL has an unknown scheme {scheme!r}")
    return {}


EMAIL_URL = env.str("EMAIL_URL", default="console:")
EMAIL_TRANSPORT = transport_from_url(EMAIL_URL)
EMAIL_BACKEND = EMAIL_TRANSPORT["EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Canvass <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
