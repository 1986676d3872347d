"""Reset timing: does a password-reset request answer as fast for a known address as for an
unknown one? (It must: the answer would otherwise tell who has an account.)

    .venv/bin/python bench/reset_timing.py [--pairs 200] [--workers 4] [--broker-down]
                                           [--route reset|login-code]

Starts gunicorn as bench/run.py does (same environment; DATABASE_URL / REDIS_URL as for the
service, else SQLite in bench/.data/), with an instant SMTP sink, the reset throttle and the
per-address mail cap off (every known-address request then composes and queues a mail). Seeds
one confirmed account, then sends `--pairs` pairs of `POST /auth/users/reset_password/`, known
and unknown address in alternating order, one at a time, each on a new connection, pausing
between requests so the work queued after an answer is done before the next request.
`--broker-down` points CELERY_BROKER_URL at a port nothing listens on: every publish fails,
after the answer, and the work runs in-process. Prints the medians and the median of the
paired differences; the target is under 1 ms. `--route login-code` times the sign-in code
request (`POST /auth/login/code/`, the login throttle off) the same way.
"""

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    DATA,
    HOST,
    create_postgres_database,
    database_url,
    is_postgres,
    run_python,
    server_environment,
    serving,
)

DEFAULT_PORT = 8420  # clear of bench/run.py's ports
KNOWN = "bench-reset-known@bench.test"
UNKNOWN = "bench-reset-unknown@bench.test"
ROUTES = {"reset": "/auth/users/reset_password/", "login-code": "/auth/login/code/"}
TARGET_MS = 1.0
SEED = f"""
from accounts.models import User
from accounts.services import account_confirm
user = User.objects.with_email({KNOWN!r}).first() or User.objects.create_user(
    email={KNOWN!r}, password="bench-reset-password-1", is_active=False
)
account_confirm(user=user)
"""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--pause", type=float, default=None, help="seconds between requests (0.05; 1.5 if down)"
    )
    parser.add_argument("--broker-down", action="store_true")
    parser.add_argument("--route", choices=sorted(ROUTES), default="reset")
    return parser.parse_args()


def reset_ms(port: int, email: str, path: str = ROUTES["reset"]) -> float:
    """One request on a fresh connection, from sending it to the answer read in full."""
    body = json.dumps({"email": email})
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.connect()
        started = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    if response.status != 204:
        sys.exit(f"reset_timing: {email} answered {response.status}")
    return elapsed * 1000


def main() -> int:
    arguments = parse_arguments()
    pause = (
        arguments.pause if arguments.pause is not None else (1.5 if arguments.broker_down else 0.05)
    )
    path = ROUTES[arguments.route]
    url = database_url()
    if is_postgres(url):
        create_postgres_database(url)
    from tests.smtp import SmtpSink

    sink = SmtpSink(port=arguments.port + 1).start()
    environment = {
        **server_environment(sink.port),
        "THROTTLE_PASSWORD_RESET": "1000000/min",
        "THROTTLE_LOGIN": "1000000/min",
        "MAIL_CAP_PER_HOUR": "0",
    }
    broker = bool(environment.get("CELERY_BROKER_URL") or environment.get("REDIS_URL"))
    if arguments.broker_down:
        environment["CELERY_BROKER_URL"] = f"redis://{HOST}:{arguments.port + 2}/0"
        broker = False  # no worker: nothing could reach it
    run_python(["manage.py", "migrate", "--noinput", "-v", "0"], environment)
    run_python(["manage.py", "shell", "-c", SEED], environment)
    DATA.mkdir(parents=True, exist_ok=True)
    known: list[float] = []
    unknown: list[float] = []
    try:
        with serving(arguments, environment, broker, "reset-timing", arguments.port):
            for _ in range(5):  # warm every worker up
                reset_ms(arguments.port, UNKNOWN, path)
                time.sleep(pause)
            for number in range(arguments.pairs):
                order = [(KNOWN, known), (UNKNOWN, unknown)]
                for email, timings in order if number % 2 == 0 else reversed(order):
                    timings.append(reset_ms(arguments.port, email, path))
                    time.sleep(pause)
            mails = len(sink.raw)
    finally:
        sink.stop()
    differences = [a - b for a, b in zip(known, unknown, strict=True)]
    difference = statistics.median(differences)
    report = {
        "route": path,
        "pairs": arguments.pairs,
        "broker": "unreachable" if arguments.broker_down else ("up" if broker else "none"),
        "known_median_ms": round(statistics.median(known), 3),
        "unknown_median_ms": round(statistics.median(unknown), 3),
        "median_difference_ms": round(difference, 3),
        "target_ms": TARGET_MS,
        "meets_target": abs(difference) < TARGET_MS,
        "mails_received": mails,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
