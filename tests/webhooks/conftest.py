"""Webhook test fixtures: a verifying receiver on loopback and an endpoint that points at it."""

import pytest

from tests.webhooks.receiver import Receiver
from webhooks.models import Endpoint
from webhooks.signing import secret_create


@pytest.fixture
def loopback_allowed(settings):
    """The receiver listens on http://127.0.0.1: allowed here only, as in development."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    running = Receiver(secret=secret_create()).start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(db, receiver, loopback_allowed) -> Endpoint:
    """Subscribed to every event."""
    return Endpoint.objects.create(url=receiver.url, events=["*"], secret=receiver.secret)
