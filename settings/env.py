"""The single environment reader: every setting that comes from the OS is read through `env`."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Read here, once, because more than one settings module depends on them.
DEBUG = env.bool("DEBUG", default=False)
# Redis, when configured: the cache (settings/base.py), the broker's default
# (settings/tasks.py) and the token cache's default (settings/accounts.py).
REDIS_URL = env.str("REDIS_URL", default="")

# The exit code with which a gunicorn worker tells its master that it cannot boot: the master
# then stops, instead of restarting the worker forever (gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR).
WORKER_BOOT_ERROR = 3


def refuse_to_start(message: str) -> NoReturn:
    """Stop the process with a one-line message instead of a traceback (operators read this)."""
    sys.stderr.write(f"Canvass refuses to start: {message}\n")
    raise SystemExit(1)


@contextmanager
def server_stops_on_refusal() -> Iterator[None]:
    """Around a server entry point's setup: a refusal to start (SystemExit from the settings)
    exits with WORKER_BOOT_ERROR, so a gunicorn master stops too, as `manage.py` does."""
    try:
        yield
    except SystemExit as refusal:
        if refusal.code in (0, None):
            raise
        raise SystemExit(WORKER_BOOT_ERROR) from None


def csv_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]
