"""Operating webhooks: the endpoint command, the sweep command, the admin's log and resend,
and the purge in the daily housekeeping."""

from datetime import timedelta
from http import HTTPStatus
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from webhooks import events
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def queued_delivery(endpoint: Endpoint, **fields) -> Delivery:
    return Delivery.objects.create(
        endpoint=endpoint,
        event_type=events.ACCOUNT_CONFIRMED,
        webhook_id=events.webhook_id_create(),
        payload=(
            '{"type":"account.confirmed","timestamp":"2026-01-01T00:00:00+00:00",'
            '"data":{"id":1,"email":"a@example.org"}}'
        ),
        **fields,
    )


def test_add_prints_the_id_and_a_standard_webhooks_secret(loopback_allowed):
    out = run("webhook_endpoint", "add", "http://127.0.0.1:9/in", "--events", "*")

    endpoint = Endpoint.objects.get()
    assert out.splitlines() == [f"id: {endpoint.pk}", f"secret: {endpoint.secret}"]
    assert endpoint.secret.startswith("whsec_")
    Webhook(endpoint.secret)  # the library accepts it
    assert endpoint.events == ["*"]


def test_add_takes_a_list_of_events_and_refuses_unknown_ones(loopback_allowed):
    run(
        "webhook_endpoint",
        "add",
        "http://127.0.0.1:9/in",
        "--events",
        "account.created,mfa.enabled",
    )
    assert Endpoint.objects.get().events == ["account.created", "mfa.enabled"]

    with pytest.raises(CommandError, match="unknown event"):
        run("webhook_endpoint", "add", "http://127.0.0.1:9/in", "--events", "account.renamed")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/in", "only https://"),
        ("https://127.0.0.1/in", "WEBHOOKS_ALLOW_PRIVATE"),
        ("https://10.0.0.8/in", "WEBHOOKS_ALLOW_PRIVATE"),
    ],
)
def test_a_refused_url_is_one_line_and_adds_nothing(url, reason):
    with pytest.raises(CommandError) as refused:
        run("webhook_endpoint", "add", url, "--events", "*")

    message = str(refused.value)
    assert reason in message
    assert "\n" not in message
    assert Endpoint.objects.count() == 0


def test_list_and_remove(endpoint):
    listing = run("webhook_endpoint", "list")
    assert listing.split("\t")[:3] == [str(endpoint.pk), "enabled", endpoint.url]
    assert endpoint.secret not in listing

    assert run("webhook_endpoint", "remove", str(endpoint.pk)).strip() == f"removed {endpoint.pk}"
    assert Endpoint.objects.count() == 0
    with pytest.raises(CommandError, match="no webhook endpoint"):
        run("webhook_endpoint", "remove", str(endpoint.pk))


def test_send_webhooks_sends_what_is_due_and_now_also_what_backs_off(endpoint, receiver):
    queued_delivery(endpoint)
    later = queued_delivery(endpoint, next_attempt_at=timezone.now() + timedelta(hours=1))

    assert run("send_webhooks").strip() == "delivered 1, not delivered 0"
    assert run("send_webhooks", "--now").strip() == "delivered 1, not delivered 0"

    assert len(receiver.verified()) == 2
    assert Delivery.objects.get(pk=later.pk).status == Status.DELIVERED


def test_send_webhooks_interval_needs_loop(db):
    with pytest.raises(CommandError, match="--interval needs --loop"):
        run("send_webhooks", "--interval", "3")


def test_the_sweep_task_queues_due_retries(endpoint, receiver, django_capture_on_commit_callbacks):
    from webhooks.tasks import sweep_deliveries

    queued_delivery(endpoint, dispatched_at=None)
    sweep_deliveries()

    assert len(receiver.verified()) == 1


def test_the_housekeeping_purges_old_finished_deliveries_only(endpoint):
    old = timezone.now() - timedelta(days=31)
    queued_delivery(endpoint, status=Status.DELIVERED, created_at=old)
    queued_delivery(endpoint, status=Status.FAILED, created_at=old)
    pending = queued_delivery(
        endpoint, created_at=old, next_attempt_at=timezone.now() + timedelta(days=1)
    )
    recent = queued_delivery(endpoint, status=Status.DELIVERED)

    assert "purge_webhook_deliveries" in django_settings.HOUSEKEEPING_COMMANDS
    assert run("purge_webhook_deliveries").strip() == "2 webhook deliveries deleted"
    assert set(Delivery.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}


def test_the_admin_delivery_log_shows_the_last_answer(admin_client, endpoint, receiver):
    receiver.status = 418
    with transaction.atomic():
        events.emit(events.ACCOUNT_CONFIRMED, {"id": 1, "email": "ada@example.org"})
    run("send_webhooks")
    delivery = Delivery.objects.get()

    endpoints = admin_client.get("/admin/webhooks/endpoint/")
    listing = admin_client.get("/admin/webhooks/delivery/", {"endpoint__id__exact": endpoint.pk})
    page = admin_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")

    assert listing.status_code == page.status_code == HTTPStatus.OK
    assert f"/admin/webhooks/delivery/?endpoint__id__exact={endpoint.pk}" in endpoints.text
    assert b"418" in listing.content
    assert delivery.webhook_id.encode() in page.content
    assert b"{&quot;ok&quot;: true}" in page.content


def test_the_admin_resend_action_sends_a_failed_delivery_again_with_its_id(
    admin_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    failed = queued_delivery(endpoint, status=Status.FAILED, attempts=30)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/webhooks/delivery/",
            {"action": "resend", "_selected_action": [failed.pk]},
        )

    assert response.status_code == HTTPStatus.FOUND
    [received] = receiver.verified()
    assert received.headers["webhook-id"] == failed.webhook_id
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.DELIVERED, 1)


def test_the_admin_shows_a_new_endpoints_secret_once(admin_client, loopback_allowed):
    response = admin_client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "http://127.0.0.1:9/in", "events": "account.created", "enabled": "on"},
        follow=True,
    )

    endpoint = Endpoint.objects.get()
    assert endpoint.secret.encode() in response.content
    assert endpoint.events == ["account.created"]
    change = admin_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert endpoint.secret.encode() not in change.content


def test_the_admin_refuses_a_private_url(admin_client):
    response = admin_client.post(
        "/admin/webhooks/endpoint/add/", {"url": "https://192.168.0.2/in", "events": "*"}
    )

    assert response.status_code == HTTPStatus.OK
    assert b"WEBHOOKS_ALLOW_PRIVATE" in response.content
    assert Endpoint.objects.count() == 0
