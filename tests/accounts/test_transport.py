"""Transport and browser settings under DEBUG=0, observed on real responses of a production-like
process (settings.base, not the test settings, which relax the cookie flags)."""

import json

import pytest

from tests.processes import PROD_ENV, run_python

APP_ORIGIN = "https://app.example.org"
PROBE = """
import json, os, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from accounts.models import User
from accounts.services import account_confirm

account_confirm(user=User.objects.create_user(email="ann@example.org", password="pw-0123456789"))
app = os.environ["CORS_ALLOWED_ORIGINS"]
host = {"SERVER_NAME": "canvass.example.org"}
seen = {}
response = Client(**host).get("/health/live/", secure=True)
seen["headers"] = {name: response.get(name) for name in (
    "Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")}
response = Client(**host).get("/auth/users/me/")
seen["plain_http"] = [response.status_code, response.get("Location")]
browser = Client(enforce_csrf_checks=True, **host)
page = browser.get("/accounts/login/", secure=True)
token = page.cookies["csrftoken"]
seen["csrf_cookie"] = [bool(token["secure"]), bool(token["httponly"]), token["samesite"]]
form = {"login": "ann@example.org", "password": "pw-0123456789", "csrfmiddlewaretoken": token.value}
for origin in ("https://evil.example.net", app):
    response = browser.post("/accounts/login/", form, secure=True, HTTP_ORIGIN=origin)
    seen["login from " + origin] = response.status_code
session = browser.cookies["sessionid"]
seen["session_cookie"] = [bool(session["secure"]), bool(session["httponly"]), session["samesite"]]
for origin in (app, "https://evil.example.net"):
    response = Client(**host).options(
        "/auth/token/login/", secure=True, HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    seen["cors " + origin] = response.get("Access-Control-Allow-Origin")
print("SEEN " + json.dumps(seen))
"""


@pytest.fixture(scope="module")
def seen() -> dict:
    result = run_python(
        PROBE,
        **PROD_ENV,
        DATABASE_URL="sqlite:///:memory:",
        CSRF_TRUSTED_ORIGINS=APP_ORIGIN,
        CORS_ALLOWED_ORIGINS=APP_ORIGIN,
        EMAIL_URL="locmem:",
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("SEEN ")]
    assert lines, result.stderr[-3000:]
    return json.loads(lines[-1].removeprefix("SEEN "))


def test_https_responses_carry_hsts_nosniff_referrer_policy_and_frame_denial(seen):
    assert seen["headers"] == {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def test_plain_http_is_redirected_to_https(seen):
    """Except the health probes, which load balancers call over plain HTTP."""
    assert seen["plain_http"] == [301, "https://canvass.example.org/auth/users/me/"]


def test_the_session_cookie_is_secure_httponly_and_samesite(seen):
    assert seen["session_cookie"] == [True, True, "Lax"]


def test_the_csrf_cookie_is_secure_and_samesite_and_readable_by_the_page_that_sends_it(seen):
    """Not HttpOnly on purpose: a client script must read it to send the X-CSRFToken header
    (Django's documentation explains why HttpOnly would add nothing for this cookie)."""
    assert seen["csrf_cookie"] == [True, False, "Lax"]


def test_csrf_trusts_only_the_origins_from_the_environment(seen):
    assert seen["login from https://evil.example.net"] == 403
    assert seen[f"login from {APP_ORIGIN}"] == 302


def test_cors_allows_only_the_origins_from_the_environment(seen):
    assert seen[f"cors {APP_ORIGIN}"] == APP_ORIGIN
    assert seen["cors https://evil.example.net"] is None
