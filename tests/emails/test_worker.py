"""A real Celery worker (with beat) delivers the outbox over real SMTP, through an SMTP outage."""

import os
import time
from collections import Counter
from http import HTTPStatus

import pytest

from emails.models import OutboundEmail
from tests.celery_workers import celery_worker_running, wait_until
from tests.conftest import ON_POSTGRES

Status = OutboundEmail.Status

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
def celery_worker(smtp_server, tmp_path):
    """`celery worker --beat` in its own process, on the test database, sending to `smtp_server`."""
    with celery_worker_running(
        tmp_path,
        "test",
        EMAIL_URL=f"{smtp_server.url}?timeout=5",
        OUTBOX_RETRY_BASE_SECONDS="1",
        OUTBOX_RETRY_MAX_SECONDS="2",
    ) as worker:
        yield worker


def test_a_real_worker_delivers_and_retries_through_an_outage_sending_each_message_once(
    celery_worker, smtp_server, api_client
):
    def sign_up(*emails: str) -> None:
        for email in emails:
            body = {"email": email, "password": "a-long-Passphrase-9"}
            response = api_client.post("/auth/users/", body, format="json")
            assert response.status_code == HTTPStatus.CREATED

    sign_up("before1@example.org", "before2@example.org")
    smtp_server.wait_for(2, timeout=90)

    smtp_server.stop()
    sign_up("during1@example.org", "during2@example.org")  # the requests do not wait on SMTP
    during = OutboundEmail.objects.filter(to__0__startswith="during")
    wait_until(
        lambda: during.filter(status=Status.QUEUED, attempts__gte=1).count() == 2,
        what="both messages queued for a retry after a failed attempt",
    )
    assert all("Connection" in error for error in during.values_list("last_error", flat=True))

    smtp_server.start()
    smtp_server.wait_for(4, timeout=90)
    wait_until(
        lambda: OutboundEmail.objects.filter(status=Status.SENT).count() == 4,
        what="every row marked sent",
    )
    time.sleep(3)  # a few more sweeps: none may send anything again

    assert Counter(address for [address] in smtp_server.recipients) == {
        "before1@example.org": 1,
        "before2@example.org": 1,
        "during1@example.org": 1,
        "during2@example.org": 1,
    }
    assert len({message["Message-ID"] for message in smtp_server.messages}) == 4
