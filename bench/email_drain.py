"""Outbox drain benchmark: queue N messages, drain them with Celery workers into a local SMTP sink.

Needs PostgreSQL and Redis (the production shape). It uses a database of its own,
`<name>_email_drain` beside DATABASE_URL's `<name>` (created and migrated when missing),
and the Redis of REDIS_URL as the broker (its queue is purged first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/email_drain.py [--messages 10000] [--workers 2] [--port 8250]

Messages enter through the real EMAIL_BACKEND (one transaction, one task each) while no worker
runs; then the workers start (one process each, `--threads` threads each); the rate is measured
from the first `sent_at` to the last. Every message must arrive exactly once. Prints a table, writes
bench/results/email_drain.json, exits 1 below --min-rate (default 200 messages/s).
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (1: --pool solo)"
    )
    parser.add_argument("--port", type=int, default=8250, help="the SMTP sink's loopback port")
    parser.add_argument("--min-rate", type=float, default=200.0, help="messages/s to pass")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for a drain")
    return parser.parse_args()


def bench_environment(port: int) -> dict[str, str]:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("email_drain: set DATABASE_URL=postgres://… and REDIS_URL=redis://…")
    parts = urlsplit(database_url)
    return {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path=f"{parts.path}_email_drain")),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", redis_url),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-key-email-drain-0123456789-abcdefghijklmnopqrstuvwxyz",
        "OUTBOX_SWEEP_SECONDS": "3600",  # the drain alone is measured, not the sweep
    }


def create_database(environment: dict[str, str]) -> None:
    import psycopg
    from psycopg import sql

    bench_url = urlsplit(environment["DATABASE_URL"])
    name = bench_url.path.lstrip("/")
    with psycopg.connect(
        urlunsplit(bench_url._replace(path="/postgres")), autocommit=True
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


def queue_messages(count: int) -> None:
    """N invitations through EMAIL_BACKEND in one transaction: N rows, then N tasks on commit."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.db import transaction

    from emails.rendering import render_email

    rendered = render_email(
        "survey_invitation",
        {"survey_title": "Drain", "inviter": "Bench", "survey_url": "http://localhost/surveys/1"},
    )
    messages = []
    for number in range(count):
        message = EmailMultiAlternatives(
            rendered.subject,
            rendered.text,
            settings.DEFAULT_FROM_EMAIL,
            [f"invitee{number}@example.org"],
        )
        message.attach_alternative(rendered.html, "text/html")
        messages.append(message)
    with transaction.atomic():
        get_connection().send_messages(messages)


def start_workers(
    count: int, threads: int, environment: dict[str, str], logs: Path
) -> list[subprocess.Popen]:
    # Delivery waits on the database and SMTP far more than it computes: threads overlap that.
    pool = ("--pool", "solo") if threads == 1 else ("--pool", "threads", "-c", str(threads))
    workers = []
    for number in range(count):
        command = [
            *(sys.executable, "-m", "celery", "-A", "settings.celery:app", "worker", *pool),
            *("--hostname", f"drain{number}@%h", "--loglevel", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        log = (logs / f"email_drain_worker{number}.log").open("w")
        workers.append(subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log))
    return workers


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    arguments = parse_arguments()
    environment = bench_environment(arguments.port)
    create_database(environment)
    os.environ.update(environment)

    import django

    django.setup()
    from django.db.models import Max, Min

    from emails.models import OutboundEmail
    from settings.celery import app
    from tests.smtp import SmtpSink

    # aiosmtpd logs every SMTP command at INFO: that would measure this process's logging.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    OutboundEmail.objects.all().delete()
    app.control.purge()
    sink = SmtpSink(port=arguments.port).start()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    queue_messages(arguments.messages)
    queued_seconds = time.monotonic() - started

    logs = Path(tempfile.mkdtemp(prefix="email_drain-"))
    children_cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
    workers = start_workers(arguments.workers, arguments.threads, environment, logs)
    started, sink_cpu = time.monotonic(), time.process_time()
    sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
    try:
        while sent.count() < arguments.messages:
            if any(worker.poll() is not None for worker in workers):
                print(f"a worker stopped; see its log in {logs}", file=sys.stderr)
                return 1
            if time.monotonic() - started > arguments.timeout:
                print(f"timed out: {sent.count()} of {arguments.messages} sent", file=sys.stderr)
                return 1
            time.sleep(0.5)
        wall_seconds = time.monotonic() - started
        sink_cpu = time.process_time() - sink_cpu
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        sink.stop()
    workers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_cpu

    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    drain_seconds = (span["last"] - span["first"]).total_seconds()
    rate = (arguments.messages - 1) / drain_seconds if drain_seconds else float("inf")
    received = len(sink.raw)
    report = {
        "messages": arguments.messages,
        "workers": arguments.workers,
        "threads_per_worker": arguments.threads,
        "queue_seconds": round(queued_seconds, 2),
        "drain_seconds": round(drain_seconds, 2),
        "wall_seconds_including_worker_start": round(wall_seconds, 2),
        "messages_per_second": round(rate, 1),
        "received_by_smtp": received,
        # Where the machine's time went: a drain on a busy machine is limited by CPU.
        "worker_cpu_ms_per_message": round(workers_cpu * 1000 / arguments.messages, 2),
        "sink_cpu_ms_per_message": round(sink_cpu * 1000 / arguments.messages, 2),
        "min_rate": arguments.min_rate,
    }
    (results / "email_drain.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"worker logs: {logs}")
    for key, value in report.items():
        print(f"{key:<38} {value}")
    if received != arguments.messages:
        print(f"FAIL: the sink received {received}, not exactly {arguments.messages}")
        return 1
    if rate < arguments.min_rate:
        print(f"FAIL: {rate:.1f} messages/s is below {arguments.min_rate}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
