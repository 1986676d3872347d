"""The real transport of EMAIL_URL: an SMTP connection per thread, kept open between messages.

Opening an SMTP session (connect, greeting, EHLO, TLS, login) costs more than sending one
short message, so a worker reuses its connection while it is fresh; the other transports
(console, file, locmem) get a new connection per message, as Django's own sending does.
"""

import smtplib
import threading
import time
from contextlib import suppress

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend

# Django's SMTP backend, named as EMAIL_TRANSPORT names it: the one transport whose connection
# is kept between messages.
SMTP_BACKEND = f"{smtp.EmailBackend.__module__}.{smtp.EmailBackend.__qualname__}"
# EMAIL_TRANSPORT keys (settings/email.py) → the keyword arguments of Django's mail backends.
TRANSPORT_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
    "EMAIL_FILE_PATH": "file_path",
}
# Servers drop idle sessions (RFC 5321 asks them to wait at least 5 minutes); a connection idle
# longer than this is not trusted and is replaced before use.
SMTP_KEEP_IDLE_SECONDS = 30.0


def transport_connection() -> BaseEmailBackend:
    """A new connection to the transport configured by EMAIL_URL."""
    options = dict(settings.EMAIL_TRANSPORT)
    backend = options.pop("EMAIL_BACKEND")
    return get_connection(
        backend,
        fail_silently=False,
        **{TRANSPORT_OPTIONS[name]: value for name, value in options.items()},
    )


class _KeptConnection(threading.local):
    connection: BaseEmailBackend | None = None
    transport: str = ""
    last_used: float = 0.0

    def discard(self) -> None:
        if self.connection is not None:
            with suppress(Exception):
                self.connection.close()
        self.connection = None

    def get(self) -> tuple[BaseEmailBackend, bool]:
        """This thread's open SMTP connection, and whether it was already open (reused)."""
        transport = repr(sorted(settings.EMAIL_TRANSPORT.items()))
        idle = time.monotonic() - self.last_used
        if self.connection is not None and (
            transport != self.transport or idle > SMTP_KEEP_IDLE_SECONDS
        ):
            self.discard()
        if self.connection is not None:
            return self.connection, True
        connection = transport_connection()
        connection.open()
        self.connection, self.transport = connection, transport
        return connection, False


_kept = _KeptConnection()


def transport_send(message: EmailMessage) -> int:
    """Send one message through EMAIL_URL's transport; the number of messages it accepted."""
    if settings.EMAIL_TRANSPORT["EMAIL_BACKEND"] != SMTP_BACKEND:
        return transport_connection().send_messages([message])
    connection, reused = _kept.get()
    try:
        accepted = connection.send_messages([message])
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        _kept.discard()
        if not reused:
            raise
        # The server dropped the kept session since its last message: once more, on a new one.
        connection, _reused = _kept.get()
        try:
            accepted = connection.send_messages([message])
        except Exception:
            _kept.discard()
            raise
    except Exception:
        _kept.discard()
        raise
    _kept.last_used = time.monotonic()
    return accepted
