"""A real Celery worker (with beat) delivers webhooks, through a receiver outage, each once."""

import os
import time
from http import HTTPStatus

import pytest

from tests.celery_workers import celery_worker_running, wait_until
from tests.conftest import ON_POSTGRES
from tests.smtp import free_port
from tests.webhooks.receiver import Receiver
from webhooks.models import Delivery, Endpoint
from webhooks.signing import secret_create

Status = Delivery.Status

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (ON_POSTGRES and os.environ.get("REDIS_URL")),
        reason="a real worker needs a broker (REDIS_URL) and a database another process can "
        "open (DATABASE_URL=postgres://…); it runs in the PostgreSQL+Redis run",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def webhook_worker(tmp_path):
    with celery_worker_running(
        tmp_path,
        "hooks",
        WEBHOOKS_ALLOW_HTTP="1",
        WEBHOOKS_ALLOW_PRIVATE="1",
        WEBHOOKS_RETRY_BASE_SECONDS="1",
        WEBHOOKS_RETRY_MAX_SECONDS="2",
    ) as worker:
        yield worker


def test_a_real_worker_delivers_through_an_outage_once_with_the_same_id(
    webhook_worker, api_client, settings
):
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver(secret=secret_create())
    port = free_port()
    Endpoint.objects.create(
        url=f"http://127.0.0.1:{port}/hooks", events=["account.created"], secret=receiver.secret
    )
    body = {"email": "ada@example.org", "password": "a-long-Passphrase-9"}
    assert api_client.post("/auth/users/", body, format="json").status_code == HTTPStatus.CREATED

    wait_until(
        lambda: Delivery.objects.filter(status=Status.QUEUED, attempts__gte=2).exists(),
        what="the delivery retried while the receiver is down",
    )
    receiver.start(port=port)
    try:
        wait_until(
            lambda: Delivery.objects.filter(status=Status.DELIVERED).exists(),
            what="the delivery made once the receiver is back",
        )
        time.sleep(3)  # a few more sweeps: none may deliver it again
    finally:
        receiver.stop()

    [received] = receiver.verified()
    delivery = Delivery.objects.get()
    assert received.headers["webhook-id"] == delivery.webhook_id
    assert received.payload["data"]["email"] == "ada@example.org"
