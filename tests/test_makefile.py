"""The Makefile's promises: links follow the served address, a worker needs a broker."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def make(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`make` in the repository with a clean environment: no broker, no FRONTEND_URL.
    PYTHON=false: were `install` ever reached, it would fail instead of building a .venv."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "CELERY_BROKER_URL", "FRONTEND_URL", "HOST", "PORT"}
        # Under `make test`, the outer make's variables would reach this one through these.
        and name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    }
    return subprocess.run(
        ["make", "--no-print-directory", *args, "PYTHON=false"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def runserver_line(result: subprocess.CompletedProcess) -> str:
    return next(line for line in result.stdout.splitlines() if "runserver" in line)


def test_make_run_links_point_at_the_served_port():
    result = make("-n", "run", "PORT=8101")
    line = runserver_line(result)
    assert "FRONTEND_URL='http://127.0.0.1:8101'" in line
    assert line.endswith("runserver 127.0.0.1:8101")


def test_make_run_links_follow_host_and_port_by_default():
    assert "FRONTEND_URL='http://127.0.0.1:8000'" in runserver_line(make("-n", "run"))
    line = runserver_line(make("-n", "run", "HOST=0.0.0.0", "PORT=9000"))
    assert "FRONTEND_URL='http://0.0.0.0:9000'" in line


def test_make_run_keeps_a_frontend_url_the_caller_set():
    result = make("-n", "run", "PORT=8101", FRONTEND_URL="https://app.example.org")
    assert "FRONTEND_URL='https://app.example.org'" in runserver_line(result)


def test_make_worker_without_a_broker_refuses_with_one_line():
    result = make("-s", "worker")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.search(r"make worker needs a broker: set REDIS_URL", lines[0])
    assert "celery" not in result.stdout


@pytest.mark.parametrize("broker", ["REDIS_URL", "CELERY_BROKER_URL"])
def test_make_worker_with_a_broker_starts_celery(broker):
    result = make("-n", "worker", **{broker: "redis://127.0.0.1:6379/0"})
    assert result.returncode == 0
    assert "celery -A settings.celery:app worker --beat" in result.stdout


@pytest.mark.parametrize(
    "leftover",
    ["celerybeat-schedule", "celerybeat-schedule.db", "db.sqlite3-wal", "db.sqlite3-shm"],
)
def test_runtime_leftovers_are_ignored_by_git_and_removed_by_make_clean(leftover):
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", leftover], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0
    clean = make("-n", "clean").stdout
    assert any(
        re.fullmatch(pattern.replace("*", ".*"), leftover)
        for pattern in clean.split()
        if pattern.startswith(("db.sqlite3-", "celerybeat-schedule"))
    )


def test_make_demo_migrates_then_loads_the_sample_data():
    lines = make("-n", "demo").stdout.splitlines()

    migrate = next(index for index, line in enumerate(lines) if "migrate --noinput" in line)
    seed = next(index for index, line in enumerate(lines) if "seed_surveys" in line)
    assert migrate < seed
    assert "DEBUG=${DEBUG:-1}" in lines[seed]
    assert "--email-domain demo.example.org" in " ".join(lines[seed:])
