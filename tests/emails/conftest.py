"""Fixtures of the outbox tests."""

import pytest

from settings.email import transport_from_url
from tests.smtp import free_port


@pytest.fixture
def smtp_down(settings) -> str:
    """The transport points at a loopback port nobody listens on: every attempt is refused."""
    url = f"smtp://127.0.0.1:{free_port()}?timeout=5"
    settings.EMAIL_TRANSPORT = transport_from_url(url)
    return url
