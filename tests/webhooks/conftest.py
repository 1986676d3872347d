"""Webhook test fixtures: a verifying receiver on loopback and an endpoint that points at it."""

import pytest

from tests.webhooks.documented_schemas import assert_matches_the_docs
from tests.webhooks.receiver import Receiver
from webhooks.events import EVENT_TYPES
from webhooks.models import Endpoint
from webhooks.signing import secret_create


@pytest.fixture
def loopback_allowed(settings):
    """The receiver listens on http://127.0.0.1: allowed here only, as in development."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    """Afterwards, every verified payload it got is held to the schema docs/webhooks.md gives
    for its event: the documentation cannot drift from what is sent."""
    running = Receiver(secret=secret_create()).start()
    yield running
    running.stop()
    for item in running.received:
        if item.payload is not None and item.payload["type"] in EVENT_TYPES:
            assert_matches_the_docs(item.payload)


@pytest.fixture
def endpoint(db, receiver, loopback_allowed) -> Endpoint:
    """Subscribed to every event."""
    return Endpoint.objects.create(url=receiver.url, events=["*"], secret=receiver.secret)
