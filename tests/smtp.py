"""Real SMTP for tests: an aiosmtpd server on loopback that keeps every message it receives.

A pytest plugin (registered in tests/conftest.py): `smtp_server` is a running `SmtpSink` on a
free port; `smtp_transport` also points the outbox's transport at it, so mail sent in the test
really crosses SMTP. Stop and start the sink to simulate an outage (it keeps its port).
"""

import asyncio
import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from settings.email import transport_from_url

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on now (the OS picks it, so parallel runs never collide)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def mime_parts(message: EmailMessage) -> dict[str, str]:
    """The decoded text parts of a received message by content type (text/plain, text/html)."""
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }


class _SinkHandler:
    """aiosmtpd's hooks for a SmtpSink (a separate object: aiosmtpd inspects every attribute
    of its handler on each connection, which would evaluate `SmtpSink.messages` each time)."""

    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        if address in self.sink.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        self.sink.received(envelope.original_content, list(envelope.rcpt_tos), session.peer)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server that accepts everything; `delay` seconds per message imitate a slow one."""

    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.delay = delay
        # Addresses answered with a permanent 550, like a server without such a mailbox.
        self.refused: set[str] = set()
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []
        self.peers: list[object] = []  # the client's (host, port): one per SMTP session
        self._received = threading.Condition()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{LOOPBACK}:{self.port}"

    def received(self, content: bytes, recipients: list[str], peer: object) -> None:
        with self._received:
            self.raw.append(content)
            self.recipients.append(recipients)
            self.peers.append(peer)
            self._received.notify_all()

    @property
    def messages(self) -> list[EmailMessage]:
        """What arrived, parsed (on demand: a benchmark's sink must not parse 10,000 messages)."""
        with self._received:
            raw = list(self.raw)
        return [
            email.message_from_bytes(content, policy=email.policy.default)  # type: ignore[misc]
            for content in raw
        ]

    def clear(self) -> None:
        with self._received:
            self.raw.clear()
            self.recipients.clear()
            self.peers.clear()

    def start(self) -> "SmtpSink":
        self._controller = Controller(
            _SinkHandler(self), hostname=LOOPBACK, port=self.port, server_hostname="localhost"
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived; fail the test after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._received:
            while len(self.raw) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"SMTP sink got {len(self.raw)} messages, expected {count}")
                self._received.wait(remaining)
        return self.messages


@pytest.fixture
def smtp_server():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_transport(smtp_server, settings) -> SmtpSink:
    """The outbox delivers over real SMTP to `smtp_server` (instead of locmem) in this test."""
    settings.EMAIL_TRANSPORT = transport_from_url(f"{smtp_server.url}?timeout=5")
    return smtp_server
