"""A real Celery worker (with beat) delivers the outbox over real SMTP, through an SMTP outage."""

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from http import HTTPStatus
from pathlib import Path

import pytest

from emails.models import OutboundEmail
from settings.celery import app
from tests.celery_workers import database_url_of_the_test_db, wait_until
from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
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
    app.control.purge()  # tasks a crashed earlier run left behind point at rows that are gone
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "DATABASE_URL": database_url_of_the_test_db(),
        "EMAIL_URL": f"{smtp_server.url}?timeout=5",
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "OUTBOX_RETRY_MAX_SECONDS": "2",
        "OUTBOX_SWEEP_SECONDS": "1",
    }
    log = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "settings.celery:app", "worker", "--beat"),
        *("--schedule", str(tmp_path / "beat-schedule"), "--pool", "solo"),
        *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
        *("--hostname", f"canvass-test-{uuid.uuid4().hex[:8]}@%h"),
    ]
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    app.conf.task_always_eager = False  # the autouse fixture restores it
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    print(log.read_text())  # pytest shows it only when the test failed


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
