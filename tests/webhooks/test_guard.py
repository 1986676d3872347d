"""No SSRF: https only, public addresses only, checked on the address actually connected to,
redirects not followed (each relaxed only by its development flag)."""

import socket

import pytest
from django.db import transaction

from tests.webhooks.receiver import Receiver
from webhooks import events, guard
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db
PUBLIC_ADDRESS = "93.184.216.34"


def emit_and_deliver(django_capture_on_commit_callbacks) -> Delivery:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit(events.ACCOUNT_CONFIRMED, {"id": 1, "email": "ada@example.org"})
    return Delivery.objects.get()


def resolving_to(address: str):
    """A stand-in for getaddrinfo: every name resolves to `address`."""

    def getaddrinfo(host, port, *args, **kwargs):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    return getaddrinfo


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104  # a test value, nothing binds to it
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(settings, address):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(guard.RefusedURL, match="WEBHOOKS_ALLOW_PRIVATE"):
        guard.address_check(address)

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    guard.address_check(address)


@pytest.mark.parametrize("address", [PUBLIC_ADDRESS, "2606:4700:4700::1111"])
def test_public_addresses_are_accepted(settings, address):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    guard.address_check(address)


def test_http_urls_need_the_development_flag(settings, monkeypatch):
    monkeypatch.setattr(guard.socket, "getaddrinfo", resolving_to(PUBLIC_ADDRESS))
    settings.WEBHOOKS_ALLOW_HTTP = False
    with pytest.raises(guard.RefusedURL, match="only https://"):
        endpoint_create(url="http://hooks.example.com/in", events="*")
    with pytest.raises(guard.RefusedURL, match="only https://"):
        endpoint_create(url="ftp://hooks.example.com/in", events="*")

    settings.WEBHOOKS_ALLOW_HTTP = True
    assert endpoint_create(url="http://hooks.example.com/in", events="*").pk


def test_a_url_with_credentials_is_refused(settings):
    with pytest.raises(guard.RefusedURL, match="user name or password"):
        endpoint_create(url="https://user:pw@hooks.example.com/in", events="*")


def test_a_loopback_receiver_gets_nothing_without_the_flag(
    settings, endpoint, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    delivery = emit_and_deliver(django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert delivery.status == Delivery.Status.QUEUED
    assert "RefusedURL" in delivery.last_response
    assert "127.0.0.1" in delivery.last_response


def test_a_name_that_rebinds_to_loopback_after_it_was_added_is_refused_at_delivery(
    settings, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(guard.socket, "getaddrinfo", resolving_to(PUBLIC_ADDRESS))
    endpoint = endpoint_create(url=f"http://hooks.example.com:{receiver.port}/in", events="*")
    receiver.secret = endpoint.secret
    monkeypatch.setattr(guard.socket, "getaddrinfo", resolving_to("127.0.0.1"))

    delivery = emit_and_deliver(django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert "RefusedURL" in delivery.last_response


def test_the_connected_peer_is_checked_even_if_resolution_was_not(
    settings, endpoint, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    """The last line: whatever the name resolved to, the socket's peer address decides."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(guard, "resolve", lambda host, port: ["127.0.0.1"])

    delivery = emit_and_deliver(django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert "RefusedURL" in delivery.last_response


def test_the_host_header_names_the_url_host_while_the_checked_address_is_dialled(
    settings, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr(guard.socket, "getaddrinfo", resolving_to("127.0.0.1"))
    endpoint = endpoint_create(url=f"http://hooks.example.com:{receiver.port}/in", events="*")
    receiver.secret = endpoint.secret

    emit_and_deliver(django_capture_on_commit_callbacks)

    [received] = receiver.verified()
    assert received.headers["host"] == f"hooks.example.com:{receiver.port}"


def test_a_redirect_is_not_followed(endpoint, receiver, django_capture_on_commit_callbacks):
    elsewhere = Receiver(secret=receiver.secret).start()
    try:
        receiver.status = 302
        receiver.extra_headers = {"Location": elsewhere.url}

        delivery = emit_and_deliver(django_capture_on_commit_callbacks)
    finally:
        elsewhere.stop()

    assert len(receiver.verified()) == 1
    assert elsewhere.received == []
    assert (delivery.status, delivery.last_status_code) == (Delivery.Status.QUEUED, 302)


def test_a_disabled_endpoint_subscription_is_skipped(endpoint):
    Endpoint.objects.update(enabled=False)
    with transaction.atomic():
        assert events.emit(events.ACCOUNT_CONFIRMED, {"id": 1, "email": "a@example.org"}) == []
