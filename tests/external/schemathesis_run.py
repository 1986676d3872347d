"""Schemathesis against Canvass served by gunicorn, from outside: every operation of /api/schema/.

    .venv/bin/python tests/external/schemathesis_run.py [--port N] [--examples N] [--seed N]

A fresh database (a temporary SQLite file; with DATABASE_URL=postgres://…/NAME the database
NAME_schemathesis, dropped and created again), `migrate`, a seeded confirmed account with a DRF
token and a few surveys (tests/external/seed.py), then gunicorn on a loopback port with
production settings (DEBUG=0) and the throttle and lockout limits raised, so generated requests
reach the views instead of stopping at 429. REDIS_URL is used as given.

Two runs with the same checks, seed and examples per operation:
1. every operation but those that end the credential they are sent with, with the seeded token;
2. those (the two logouts, password changes, account deletion), each call with a fresh token
   (tests/external/schemathesis_hooks.py) — a logout in run 1 would turn everything after it
   into 401s.
Numeric ids in paths are folded onto the seeded rows (tests/external/schemathesis_hooks.py).
Exit status 0 only when both runs find no failure. JUnit reports go to TEST_ARTIFACTS if set.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
# Operations that revoke the credential they are called with (or could, given the password).
ENDING_CREDENTIALS = [
    "auth_token_logout_create",
    "dj_rest_auth_logout_create",
    "auth_users_set_password_create",
    "dj_rest_auth_password_change_create",
    "auth_users_me_destroy",
    "auth_users_destroy",
]
RAISED_LIMITS = {
    "THROTTLE_LOGIN": "100000/min",
    "THROTTLE_REGISTRATION": "100000/min",
    "THROTTLE_ACTIVATION": "100000/min",
    "THROTTLE_PASSWORD_RESET": "100000/min",
    "THROTTLE_EMAIL_CHANGE": "100000/min",
    "AXES_FAILURE_LIMIT": "100000",
    # Wrong current passwords are failed logins of the client address too (accounts.step_up).
    "LOCKOUT_IP_FAILURE_LIMIT": "100000",
    "MAIL_CAP_PER_HOUR": "0",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database_url(workdir: Path) -> str:
    """A database of the run's own, empty: never the one DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'schemathesis.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_schemathesis"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def service_environment(database_url: str, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        **RAISED_LIMITS,
        "DJANGO_SETTINGS_MODULE": "settings.base",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "FRONTEND_URL": base_url,
        # Mail stays in the worker's memory; with no broker, delivery runs in-process.
        "EMAIL_URL": "locmem:",
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def wait_until_serving(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or still booting
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


@contextmanager
def gunicorn(environment: dict[str, str], port: int, log: Path):
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "settings.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--timeout=60",
                # Its default control socket is one path per user: other gunicorns may hold it.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/health/", server)
            yield server
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def schemathesis(base_url: str, args, *extra: str, env: dict[str, str], report: str) -> int:
    command = [
        str(BIN / "st"),
        "run",
        f"{base_url}/api/schema/",
        f"--checks={CHECKS}",
        f"--hypothesis-seed={args.seed}",
        f"--hypothesis-max-examples={args.examples}",
        "--hypothesis-deadline=60000",
        "--hypothesis-database=none",
        "--hypothesis-suppress-health-check=too_slow,filter_too_much,data_too_large",
        "--data-generation-method=all",
        "--generation-with-security-parameters=false",
        "--stateful=none",
        "--request-timeout=30000",
        "--schemathesis-io-telemetry=false",
        "--no-color",
        *extra,
    ]
    artifacts = os.environ.get("TEST_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        command.append(f"--junit-xml={Path(artifacts) / f'schemathesis-{report}.xml'}")
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="loopback port (default: a free one)")
    parser.add_argument("--examples", type=int, default=25, help="examples per operation")
    parser.add_argument("--seed", type=int, default=20261126, help="Hypothesis seed")
    parser.add_argument("--workers", type=int, default=2, help="concurrent schemathesis workers")
    parser.add_argument("--cassette", help="record every request and answer (of run 1) here")
    args = parser.parse_args()
    started = time.monotonic()
    port = args.port or free_port()
    base_url = f"http://127.0.0.1:{port}"

    with tempfile.TemporaryDirectory(prefix="canvass-schemathesis-") as workdir:
        environment = service_environment(fresh_database_url(Path(workdir)), base_url)
        migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
        subprocess.run(migrate, cwd=ROOT, env=environment, check=True)
        seeded = json.loads(
            subprocess.run(
                [sys.executable, "-m", "tests.external.seed"],
                cwd=ROOT,
                env=environment,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        log = Path(workdir) / "gunicorn.log"
        with gunicorn(environment, port, log):
            print(f"serving {base_url}; seeded {seeded['email']} and rows {seeded['ids']}")
            client_env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "SCHEMATHESIS_HOOKS": "tests.external.schemathesis_hooks",
                "CANVASS_SEEDED_IDS": json.dumps(seeded["ids"]),
            }
            token_run = schemathesis(
                base_url,
                args,
                f"--workers={args.workers}",
                f"--header=Authorization: Token {seeded['token']}",
                *(f"--exclude-operation-id={name}" for name in ENDING_CREDENTIALS),
                *([f"--cassette-path={args.cassette}"] if args.cassette else []),
                env=client_env,
                report="token",
            )
            ending_run = schemathesis(
                base_url,
                args,
                *(f"--include-operation-id={name}" for name in ENDING_CREDENTIALS),
                env={
                    **client_env,
                    "CANVASS_FRESH_TOKEN_PER_CALL": "1",
                    "CANVASS_BASE_URL": base_url,
                    "CANVASS_EMAIL": seeded["email"],
                    "CANVASS_PASSWORD": seeded["password"],
                },
                report="ending-credentials",
            )
        failed = token_run or ending_run
        if failed:
            print(f"--- gunicorn log ---\n{log.read_text()[-20000:]}")
    print(f"schemathesis: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
