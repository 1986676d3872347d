"""Webhook delivery benchmark: emit N events, deliver them with Celery workers to a local receiver.

Needs PostgreSQL and Redis (the production shape). It uses a database of its own,
`<name>_webhook_delivery` beside DATABASE_URL's `<name>` (created and migrated when missing),
and the Redis of REDIS_URL as the broker (its queue is purged first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/webhook_delivery.py [--events 5000] [--workers 2] [--port 8260]

One endpoint on loopback subscribes to every event; the receiver (tests/webhooks/receiver.py)
verifies every delivery with the `standardwebhooks` library. The events are emitted through
`webhooks.events.emit` in one transaction while no worker runs (one task each on commit); then
the workers start (one process each, `--threads` threads each) and the rate is measured from
the first `delivered_at` to the last. Every event must arrive exactly once, verified. Prints a
table, writes bench/results/webhook_delivery.json, exits 1 below --min-rate (200 deliveries/s).
"""

import argparse
import json
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

from bench.email_drain import cpu_seconds, create_database  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (1: --pool solo)"
    )
    parser.add_argument("--port", type=int, default=8260, help="the receiver's loopback port")
    parser.add_argument("--min-rate", type=float, default=200.0, help="deliveries/s to pass")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait")
    return parser.parse_args()


def bench_environment() -> dict[str, str]:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("webhook_delivery: set DATABASE_URL=postgres://… and REDIS_URL=redis://…")
    parts = urlsplit(database_url)
    return {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path=f"{parts.path}_webhook_delivery")),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", redis_url),
        "DJANGO_SETTINGS_MODULE": "settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-key-webhook-delivery-0123456789-abcdefghijklmnopqrstuvwxyz",
        "OUTBOX_SWEEP_SECONDS": "3600",  # the deliveries alone are measured, not the sweep
        # The receiver listens on http://127.0.0.1: allowed for this benchmark only.
        "WEBHOOKS_ALLOW_HTTP": "1",
        "WEBHOOKS_ALLOW_PRIVATE": "1",
    }


def start_workers(
    count: int, threads: int, environment: dict[str, str], logs: Path
) -> list[subprocess.Popen]:
    # A delivery waits on the database and the receiver far more than it computes.
    pool = ("--pool", "solo") if threads == 1 else ("--pool", "threads", "-c", str(threads))
    workers = []
    for number in range(count):
        command = [
            *(sys.executable, "-m", "celery", "-A", "settings.celery:app", "worker", *pool),
            *("--hostname", f"hooks{number}@%h", "--loglevel", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        log = (logs / f"webhook_worker{number}.log").open("w")
        workers.append(subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log))
    return workers


def main() -> int:  # one linear run, read top to bottom
    arguments = parse_arguments()
    environment = bench_environment()
    create_database(environment)
    os.environ.update(environment)

    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Max, Min

    from settings.celery import app
    from tests.webhooks.receiver import Receiver
    from webhooks import events
    from webhooks.models import Delivery, Endpoint
    from webhooks.signing import secret_create

    Endpoint.objects.all().delete()
    app.control.purge()
    receiver = Receiver(secret=secret_create()).start(port=arguments.port)
    Endpoint.objects.create(url=receiver.url, events=["*"], secret=receiver.secret)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    with transaction.atomic():
        for number in range(arguments.events):
            events.emit(
                events.ACCOUNT_UPDATED,
                {
                    "id": number,
                    "email": f"person{number}@example.org",
                    "first_name": "Bench",
                    "last_name": "Mark",
                },
            )
    queued_seconds = time.monotonic() - started

    logs = Path(tempfile.mkdtemp(prefix="webhook_delivery-"))
    children_cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
    workers = start_workers(arguments.workers, arguments.threads, environment, logs)
    started, receiver_cpu = time.monotonic(), time.process_time()
    delivered = Delivery.objects.filter(status=Delivery.Status.DELIVERED)
    try:
        while delivered.count() < arguments.events:
            if any(worker.poll() is not None for worker in workers):
                print(f"a worker stopped; see its log in {logs}", file=sys.stderr)
                return 1
            if time.monotonic() - started > arguments.timeout:
                print(f"timed out: {delivered.count()} of {arguments.events}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        wall_seconds = time.monotonic() - started
        receiver_cpu = time.process_time() - receiver_cpu
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        receiver.stop()
    workers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_cpu

    span = delivered.aggregate(first=Min("delivered_at"), last=Max("delivered_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    rate = (arguments.events - 1) / seconds if seconds else float("inf")
    verified = [item for item in receiver.received if item.payload is not None]
    unique_ids = {item.headers["webhook-id"] for item in verified}
    report = {
        "events": arguments.events,
        "workers": arguments.workers,
        "threads_per_worker": arguments.threads,
        "emit_seconds": round(queued_seconds, 2),
        "delivery_seconds": round(seconds, 2),
        "wall_seconds_including_worker_start": round(wall_seconds, 2),
        "deliveries_per_second": round(rate, 1),
        "received": len(receiver.received),
        "verified_by_standardwebhooks": len(verified),
        "worker_cpu_ms_per_delivery": round(workers_cpu * 1000 / arguments.events, 2),
        "receiver_cpu_ms_per_delivery": round(receiver_cpu * 1000 / arguments.events, 2),
        "min_rate": arguments.min_rate,
    }
    (results / "webhook_delivery.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"worker logs: {logs}")
    for key, value in report.items():
        print(f"{key:<38} {value}")
    if len(verified) != arguments.events or len(unique_ids) != arguments.events:
        print(f"FAIL: {len(verified)} verified, {len(unique_ids)} ids; not {arguments.events}")
        return 1
    if rate < arguments.min_rate:
        print(f"FAIL: {rate:.1f} deliveries/s is below {arguments.min_rate}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
