"""Delivery: written with the change, retried with backoff under the same webhook-id, given up
after three days (endpoint disabled, ADMINS mailed), verified by the specification's library."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts import services as account_services
from tests.accounts.two_factor import enrol, signed_in
from tests.factories import UserFactory
from tests.smtp import free_port
from tests.webhooks.receiver import Receiver
from webhooks import events
from webhooks.models import Delivery, Endpoint
from webhooks.services import deliveries_send_due
from webhooks.signing import secret_create

pytestmark = pytest.mark.django_db
DEACTIVATE = "/dj-rest-auth/mfa/totp/deactivate/"
Status = Delivery.Status


@pytest.fixture
def down_receiver(loopback_allowed):
    """A receiver whose port nobody listens on yet; `.start(port)` brings it up."""
    receiver = Receiver(secret=secret_create())
    receiver.down_port = free_port()  # type: ignore[attr-defined]
    yield receiver
    receiver.stop()


@pytest.fixture
def down_endpoint(down_receiver) -> Endpoint:
    url = f"http://127.0.0.1:{down_receiver.down_port}/hooks"
    return Endpoint.objects.create(url=url, events=["*"], secret=down_receiver.secret)


def emit_committed(event_type: str = events.ACCOUNT_CONFIRMED, **data) -> None:
    """An event emitted by a transaction that commits (its on-commit delivery runs)."""
    with transaction.atomic():
        events.emit(event_type, {"id": 1, "email": "ada@example.org", **data})


def send_due(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        deliveries_send_due()


def test_an_event_of_a_committed_change_is_delivered_signed(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed(first_name="Ada")

    [received] = receiver.verified()
    assert received.payload["type"] == "account.confirmed"
    assert received.payload["data"] == {"id": 1, "email": "ada@example.org", "first_name": "Ada"}
    assert received.headers["webhook-signature"].startswith("v1,")
    delivery = Delivery.objects.get()
    assert received.headers["webhook-id"] == delivery.webhook_id
    assert delivery.status == Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.last_response == '{"ok": true}'
    assert delivery.last_latency_ms is not None


def test_no_event_is_sent_for_a_rolled_back_change(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        account_services.profile_update(user=user, names={"first_name": "Never"})
        raise RuntimeError("the change fails after the event was emitted")

    assert Delivery.objects.count() == 0
    assert receiver.received == []


def test_an_endpoint_gets_only_the_events_it_subscribes_to(
    receiver, loopback_allowed, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url, events=["account.deleted"], secret=receiver.secret)
    Endpoint.objects.create(url=receiver.url, events=["*"], secret=receiver.secret, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed(events.ACCOUNT_CONFIRMED)
        emit_committed(events.ACCOUNT_DELETED)

    assert receiver.events() == ["account.deleted"]


def test_an_unknown_event_name_is_a_programming_error(db):
    with pytest.raises(ValueError, match="unknown webhook event"):
        events.emit("account.renamed", {})


def test_a_receiver_that_is_down_gets_the_event_once_back_with_the_same_id(
    down_endpoint, down_receiver, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 1)
    assert "ConnectionRefusedError" in delivery.last_response
    waits = [delivery.next_attempt_at - timezone.now()]

    # Not due yet: the sweep leaves it alone.
    send_due(django_capture_on_commit_callbacks)
    assert Delivery.objects.get().attempts == 1

    for _ in range(3):
        time_machine.move_to(Delivery.objects.get().next_attempt_at)
        send_due(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get()
        waits.append(delivery.next_attempt_at - timezone.now())
    assert delivery.attempts == 4
    # Exponential backoff with jitter: attempt n waits between half and all of 10 s * 2^(n-1).
    for attempt, wait in enumerate(waits, start=1):
        ceiling = 10 * 2 ** (attempt - 1)
        assert timedelta(seconds=ceiling / 2) <= wait <= timedelta(seconds=ceiling)

    down_receiver.start(port=down_receiver.down_port)
    time_machine.move_to(delivery.next_attempt_at)
    send_due(django_capture_on_commit_callbacks)

    [received] = down_receiver.verified()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.DELIVERED
    assert delivery.attempts == 5
    assert received.headers["webhook-id"] == delivery.webhook_id
    # Each attempt is signed afresh with its own time: a late delivery still verifies.
    assert received.headers["webhook-timestamp"] == str(int(timezone.now().timestamp()))
    assert Endpoint.objects.get().failing_since is None


def test_a_non_2xx_answer_is_retried(endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (Status.QUEUED, 503)
    assert len(receiver.verified()) == 1


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_admins_mailed(
    settings, down_endpoint, time_machine, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Operations", "ops@example.org")]
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed()
    attempts = 1
    while Delivery.objects.get().status == Status.QUEUED:
        assert attempts < 100
        time_machine.move_to(Delivery.objects.get().next_attempt_at)
        send_due(django_capture_on_commit_callbacks)
        attempts += 1

    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert delivery.attempts == attempts
    assert timezone.now() - start == timedelta(days=3)  # the last attempt, at the deadline
    endpoint = Endpoint.objects.get()
    assert endpoint.enabled is False
    [notice] = [message for message in mail.outbox if message.to == ["ops@example.org"]]
    assert f"#{endpoint.pk}" in notice.subject
    assert endpoint.url in notice.body

    # A disabled endpoint receives nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed()
    assert Delivery.objects.count() == 1


def test_the_library_refuses_a_replayed_or_altered_delivery(
    endpoint, receiver, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed()
    [received] = receiver.verified()
    webhook = Webhook(receiver.secret)

    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(received.body.replace("ada@", "eve@"), received.headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret_create()).verify(received.body, received.headers)
    time_machine.shift(timedelta(minutes=4))
    assert webhook.verify(received.body, received.headers) == received.payload
    time_machine.shift(timedelta(minutes=2))
    with pytest.raises(WebhookVerificationError, match="too old"):
        webhook.verify(received.body, received.headers)


def test_every_attempt_sends_the_same_body_under_the_same_id(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        emit_committed()
    receiver.status = 200
    Delivery.objects.update(next_attempt_at=timezone.now())
    send_due(django_capture_on_commit_callbacks)

    first, second = receiver.verified()
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body


def test_a_transaction_that_emits_many_events_dispatches_them_together(
    endpoint, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    from webhooks import tasks

    dispatched = []
    monkeypatch.setattr(tasks.deliver_webhooks, "delay", dispatched.append)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for number in range(45):
            events.emit(events.ACCOUNT_CONFIRMED, {"id": number, "email": "a@example.org"})

    assert [len(batch) for batch in dispatched] == [20, 20, 5]  # WEBHOOKS_TASK_BATCH
    assert sorted(pk for batch in dispatched for pk in batch) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )


def test_events_of_a_rolled_back_savepoint_are_not_sent(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit(events.ACCOUNT_CONFIRMED, {"id": 1, "email": "kept@example.org"})
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit(events.ACCOUNT_CONFIRMED, {"id": 2, "email": "undone@example.org"})
            raise RuntimeError

    assert [item.payload["data"]["id"] for item in receiver.verified()] == [1]


def test_turning_two_factor_authentication_on_and_off_sends_the_mfa_events(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(user)
        off = signed_in(user).post(DEACTIVATE, {"code": enrolment.recovery_codes[0]}, format="json")
    assert off.status_code == 200

    assert receiver.events() == ["mfa.enabled", "mfa.disabled"]
    assert receiver.of_type("mfa.enabled")[0]["data"] == {"id": user.pk, "email": user.email}


def test_a_delivery_left_sending_by_a_dead_worker_is_sent_again(
    endpoint, receiver, time_machine, django_capture_on_commit_callbacks
):
    from webhooks.tasks import sweep_deliveries

    time_machine.move_to(timezone.now(), tick=False)
    with transaction.atomic():
        events.emit(events.ACCOUNT_CONFIRMED, {"id": 1, "email": "a@example.org"})
    Delivery.objects.update(status=Status.SENDING, claimed_at=timezone.now(), attempts=1)
    sweep_deliveries()
    assert receiver.received == []  # still within its lease

    time_machine.shift(timedelta(minutes=6))
    sweep_deliveries()

    assert len(receiver.verified()) == 1
    assert Delivery.objects.get().status == Status.DELIVERED
