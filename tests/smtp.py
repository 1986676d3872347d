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


class SmtpSink:
    """An SMTP server that accepts everything; `delay` seconds per message imitate a slow one."""

    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.delay = delay
        # Addresses answered with a permanent 550, like a server without such a mailbox.
        self.refused: set[str] = set()
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._received = threading.Condition()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{LOOPBACK}:{self.port}"

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._received:
            self.messages.append(message)  # type: ignore[arg-type]
            self.recipients.append(list(envelope.rcpt_tos))
            self._received.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpSink":
        self._controller = Controller(
            self, hostname=LOOPBACK, port=self.port, server_hostname="localhost"
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
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"SMTP sink got {len(self.messages)} messages, expected {count}")
                self._received.wait(remaining)
            return list(self.messages)


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
