"""One HTTP POST of a webhook, to an address checked at connection time; no redirect followed.

The host is resolved once; each address is checked (webhooks.guard) and the connection is made
to that very address, with the URL's host name in the `Host` header and in TLS (SNI and
certificate check). The peer of the connected socket is checked again, so what was checked is
what was reached. http.client never follows a redirect: a 3xx is an answer like any non-2xx.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from webhooks import guard

BODY_EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class Answer:
    status: int
    body: str  # the first kilobyte
    latency_ms: int


def _connect(address: str, port: int, timeout: float | None) -> socket.socket:
    sock = socket.create_connection((address, port), timeout=timeout)
    try:
        guard.address_check(sock.getpeername()[0])
    except guard.RefusedURL:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """A plain connection to `address` (already resolved and checked), for the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.timeout)


def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, certificate and host name checked."""
    return ssl.create_default_context()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to `address`, verified against the URL's host name (SNI and certificate)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=tls_context())
        self.address = address

    def connect(self) -> None:
        sock = _connect(self.address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `url`; the answer, or an exception (guard.RefusedURL, OSError, …)."""
    scheme, host, port = guard.url_check(url)
    address = guard.resolve(host, port)[0]
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": "Canvass-Webhooks/1",
            },
        )
        response = connection.getresponse()
        excerpt = response.read(BODY_EXCERPT_BYTES)
        latency_ms = int((time.monotonic() - started) * 1000)
        return Answer(
            status=response.status,
            body=excerpt.decode("utf-8", errors="replace"),
            latency_ms=latency_ms,
        )
    finally:
        connection.close()
