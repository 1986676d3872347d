"""The wire: TLS to the checked address under the URL's host name, and timeouts retried."""

import socket

import pytest
from django.db import transaction

from tests.webhooks.receiver import Receiver
from tests.webhooks.tls import ThrowawayAuthority
from webhooks import events, guard, transport
from webhooks.models import Delivery, Endpoint
from webhooks.signing import secret_create

pytestmark = pytest.mark.django_db


def emit_and_deliver(django_capture_on_commit_callbacks) -> Delivery:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit(events.ACCOUNT_CONFIRMED, {"id": 1, "email": "ada@example.org"})
    return Delivery.objects.get()


@pytest.fixture
def authority(tmp_path, monkeypatch, settings) -> ThrowawayAuthority:
    """An HTTPS receiver's world: `hooks.test` resolves to loopback (allowed here), and the
    sender trusts only the test authority."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    authority = ThrowawayAuthority(tmp_path)
    monkeypatch.setattr(transport, "tls_context", authority.client_context)
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return real_getaddrinfo(
            "127.0.0.1" if host == "hooks.test" else host, port, *args, **kwargs
        )

    monkeypatch.setattr(guard.socket, "getaddrinfo", getaddrinfo)
    return authority


def test_https_goes_to_the_checked_address_with_the_url_host_in_sni_and_host(
    authority, django_capture_on_commit_callbacks
):
    tls = authority.server_context("hooks.test")
    receiver = Receiver(secret=secret_create()).start(tls=tls)
    port = receiver.port
    try:
        url = f"https://hooks.test:{port}/in"
        Endpoint.objects.create(url=url, events=["*"], secret=receiver.secret)

        delivery = emit_and_deliver(django_capture_on_commit_callbacks)
    finally:
        receiver.stop()

    assert delivery.status == Delivery.Status.DELIVERED
    [received] = receiver.verified()
    assert received.headers["host"] == f"hooks.test:{port}"
    assert tls.sni_names == ["hooks.test"]  # type: ignore[attr-defined]


def test_a_certificate_for_another_name_is_refused(authority, django_capture_on_commit_callbacks):
    receiver = Receiver(secret=secret_create()).start(tls=authority.server_context("other.test"))
    try:
        url = f"https://hooks.test:{receiver.port}/in"
        Endpoint.objects.create(url=url, events=["*"], secret=receiver.secret)

        delivery = emit_and_deliver(django_capture_on_commit_callbacks)
    finally:
        receiver.stop()

    assert receiver.received == []
    assert delivery.status == Delivery.Status.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_response


def test_a_receiver_slower_than_the_timeout_is_retried(
    settings, endpoint, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    receiver.delay = 1

    delivery = emit_and_deliver(django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.QUEUED
    assert "timed out" in delivery.last_response
    assert delivery.last_status_code is None
