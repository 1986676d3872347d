"""Settings read from the environment: refusing to start, URL switches, deploy checks."""

import os
import re
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from tests.processes import PROD_ENV, ROOT, TEST_ONLY_VARIABLES, run_python


def test_startup_without_secret_key_fails_with_one_line():
    result = run_python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="settings.base", DEBUG="0"
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY" in result.stderr


def test_manage_py_check_without_secret_key_fails_with_one_line():
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Canvass refuses to start: SECRET_KEY is not set")


def test_production_refuses_the_development_key():
    from settings.base import DEV_SECRET_KEY

    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="settings.base",
        DEBUG="0",
        SECRET_KEY=DEV_SECRET_KEY,
    )
    assert result.returncode == 1
    assert "development key" in result.stderr


def test_debug_starts_with_the_development_key():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DJANGO_SETTINGS_MODULE="settings.base",
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("env", "engine", "cache_backend"),
    [
        ({}, "django.db.backends.sqlite3", "django.core.cache.backends.db.DatabaseCache"),
        (
            {"DATABASE_URL": "postgres://u@db.invalid:5432/x", "REDIS_URL": "redis://r.invalid/1"},
            "django.db.backends.postgresql",
            "django_redis.cache.RedisCache",
        ),
    ],
)
def test_database_and_cache_follow_the_environment(env, engine, cache_backend):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE']); print(s.CACHES['default']['BACKEND']); "
        "print(s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = run_python(code, **PROD_ENV, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [engine, cache_backend, "True"]


def test_deploy_check_is_clean_with_production_settings():
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **PROD_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console:", {"EMAIL_BACKEND": "emails.console.EmailBackend"}),
        (
            "smtp+tls://me:p%40ss@mail.example.org:587",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_USE_TLS": True,
                "EMAIL_HOST_USER": "me",
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_SSL": False,
            },
        ),
        ("smtp+ssl://mail.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True}),
        ("file:///var/mail/canvass", {"EMAIL_FILE_PATH": "/var/mail/canvass"}),
    ],
)
def test_email_url_is_parsed(url, expected):
    from settings.email import transport_from_url

    parsed = transport_from_url(url)
    assert {key: parsed[key] for key in expected} == expected


RATES_CODE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "r = s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']; "
    "print(r['login'], r['registration'], r['password_reset'], s.LOCKOUT_IP_FAILURE_LIMIT, "
    "s.AXES_FAILURE_LIMIT)"
)


def test_production_limits_each_client_address():
    result = run_python(RATES_CODE, **PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10/min", "10/hour", "10/hour", "100", "10"]


def test_development_lets_one_address_drive_the_service_but_keeps_the_account_lockout():
    # `make run` serves everyone from 127.0.0.1: a developer's or a test suite's hundredth
    # sign-up must not be a 429, while ten wrong passwords still lock an account.
    result = run_python(RATES_CODE, DJANGO_SETTINGS_MODULE="settings.base", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["600/min", "1000/hour", "1000/hour", "1000", "10"]


def test_rates_from_the_environment_win_in_development():
    result = run_python(
        RATES_CODE,
        DJANGO_SETTINGS_MODULE="settings.base",
        DEBUG="1",
        THROTTLE_LOGIN="5/min",
        LOCKOUT_IP_FAILURE_LIMIT="50",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "5/min"
    assert result.stdout.split()[3] == "50"


# A browser's Accept header, and one asking for HTML only, to an API route.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
API_ANSWER_CODE = f"""
import django
django.setup()
from django.test import Client
for accept in ({BROWSER_ACCEPT!r}, "text/html"):
    response = Client().get(
        "/auth/users/me/", HTTP_ACCEPT=accept, HTTP_HOST="canvass.example.org", secure=True
    )
    print(response.status_code, response["Content-Type"].split(";")[0])
"""


@pytest.mark.parametrize(
    ("env", "html"),
    [
        ({}, False),
        ({"BROWSABLE_API": "1"}, True),
        ({"DEBUG": "1"}, True),
        ({"DEBUG": "1", "BROWSABLE_API": "0"}, False),
    ],
    ids=["production", "production-opted-in", "debug", "debug-opted-out"],
)
def test_the_browsable_api_is_off_without_debug_unless_asked_for(env, html):
    result = run_python(API_ANSWER_CODE, **{**PROD_ENV, "DATABASE_URL": "sqlite://:memory:", **env})

    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("\n")[:2]
    if html:
        assert answers == ["401 text/html", "401 text/html"]
    else:  # JSON, or 406 (in JSON) for a client that accepts nothing but HTML
        assert answers == ["401 application/json", "406 application/json"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("entry_point", ["settings.wsgi:application", "settings.asgi:application"])
def test_gunicorn_without_secret_key_stops_with_one_line(entry_point):
    """Its workers refuse to start; the master stops too, instead of restarting them forever."""
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    command = [sys.executable, "-m", "gunicorn", entry_point, "--bind", f"127.0.0.1:{free_port()}"]
    command += ["--no-control-socket"]
    if entry_point.startswith("settings.asgi"):
        command += ["--worker-class", "asgi"]
    started = time.monotonic()

    result = subprocess.run(
        command, cwd=ROOT, env={**clean, "DEBUG": "0"}, capture_output=True, text=True, timeout=30
    )

    assert time.monotonic() - started < 10
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    refusals = [line for line in lines if line.startswith("Canvass refuses to start:")]
    assert refusals == [
        "Canvass refuses to start: SECRET_KEY is not set (set SECRET_KEY, or DEBUG=1 for "
        "development)"
    ]
    assert not [line for line in lines if line.startswith("Traceback")]


def test_env_example_lists_every_variable_the_settings_read():
    read = re.compile(r'(?:env\.[a-z]+|csv_list)\(\s*"([A-Z][A-Z0-9_]*)"')
    variables = {
        name
        for module in (ROOT / "settings").glob("*.py")
        for name in read.findall(module.read_text())
    }
    listed = set(re.findall(r"^# ([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))

    assert len(variables) > 40  # the pattern still finds what the settings read
    assert variables - listed == set()
    assert listed - variables == set()


@pytest.mark.postgres
def test_migrate_against_a_missing_postgres_database_says_so_in_one_line():
    missing = urlsplit(os.environ["DATABASE_URL"])._replace(path="/canvass_never_created").geturl()
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", "DATABASE_URL": missing},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        'Canvass cannot start: the database "canvass_never_created" does not exist; '
        "create it first (createdb canvass_never_created), then run migrate again"
    )
