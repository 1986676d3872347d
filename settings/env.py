"""The single environment reader: every setting that comes from the OS is read through `env`."""

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def refuse_to_start(message: str) -> None:
    """Stop the process with a one-line message instead of a traceback (operators read this)."""
    sys.stderr.write(f"Canvass refuses to start: {message}\n")
    raise SystemExit(1)


def csv_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]
