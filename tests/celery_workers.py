"""Helpers of the tests that run a real Celery worker beside the test database."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from settings.celery import app

ROOT = Path(__file__).resolve().parents[1]


def wait_until(condition, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        time.sleep(0.2)


def database_url_of_the_test_db() -> str:
    """The test database pytest-django created, as a URL the worker process can open."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker_running(tmp_path: Path, name: str, **env: str) -> Iterator[subprocess.Popen]:
    """`celery worker --beat` in its own process on the test database, with `env` added; its
    log is printed afterwards (pytest shows it only when the test failed)."""
    app.control.purge()  # tasks a crashed earlier run left behind point at rows that are gone
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "DATABASE_URL": database_url_of_the_test_db(),
        "OUTBOX_SWEEP_SECONDS": "1",
        **env,
    }
    log = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "settings.celery:app", "worker", "--beat"),
        *("--schedule", str(tmp_path / "beat-schedule"), "--pool", "solo"),
        *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
        *("--hostname", f"canvass-{name}-{uuid.uuid4().hex[:8]}@%h"),
    ]
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
    app.conf.task_always_eager = False  # the autouse fixture restores it
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        print(log.read_text())
