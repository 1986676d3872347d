"""Without a broker, a request's webhooks are delivered in-process once its response is sent."""

import json
import time
import urllib.request
from http import HTTPStatus

import pytest

from emails import after_response
from tests.webhooks.receiver import Receiver
from webhooks.models import Endpoint
from webhooks.signing import secret_create


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_over_a_real_server_reaches_the_receiver_after_its_response(
    live_server, settings, monkeypatch
):
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver(secret=secret_create()).start()
    Endpoint.objects.create(url=receiver.url, events=["*"], secret=receiver.secret)
    deferred = []
    real_defer = after_response.defer

    def defer(call):
        deferred.append(call)
        return real_defer(call)

    monkeypatch.setattr(after_response, "defer", defer)
    request = urllib.request.Request(
        f"{live_server.url}/auth/users/",
        data=json.dumps({"email": "ada@example.org", "password": "a-long-Passphrase-9"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback
            assert response.status == HTTPStatus.CREATED
        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        receiver.stop()

    assert receiver.events() == ["account.created"]
    assert deferred  # it waited for the response instead of running inside the view
