"""A real browser (Debian's chromium driven by Playwright) for end-to-end tests.

Without /usr/bin/chromium these tests are skipped with a loud reason; CI installs chromium and
sets CANVASS_REQUIRE_BROWSER=1, which turns a missing browser into a failure instead.
"""

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.smtp import SmtpSink, mime_parts

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# This machine's network is closed: background fetches would only fail and slow start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API keeps an event loop running in the test thread; Django's guard against
# ORM calls from async code would trip on the test's own (synchronous) database setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LINK = re.compile(r"https?://[^\s<>\"]+")

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = (
            "NO CHROMIUM at /usr/bin/chromium: browser end-to-end tests NOT RUN "
            "(apt-get install chromium)"
        )
        if os.environ.get("CANVASS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under TEST_ARTIFACTS, named after the test and a label."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(label: str) -> Path:
        path = ARTIFACTS / f"{test_name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@dataclass
class Api:
    """JSON calls to the live server from outside, as a client app makes them."""

    request: Any  # Playwright's APIRequestContext
    origin: str

    def post(self, path: str, payload: dict, token: str | None = None):
        headers = {"Authorization": f"Token {token}"} if token else {}
        return self.request.post(f"{self.origin}{path}", data=payload, headers=headers)

    def token(self, email: str, password: str) -> str:
        response = self.post("/auth/token/login/", {"email": email, "password": password})
        assert response.status == 200, response.text()
        return response.json()["auth_token"]


@pytest.fixture
def api(page, live_server) -> Api:
    return Api(page.request, live_server.url)


@pytest.fixture
def mailbox(smtp_transport, live_server, settings) -> SmtpSink:
    """Mail crosses real SMTP to a sink; its links point at the live server."""
    settings.FRONTEND_URL = live_server.url
    return smtp_transport


def link_in_mail(mailbox: SmtpSink, to: str, path_prefix: str, timeout: float = 30) -> str:
    """The link starting with FRONTEND_URL + `path_prefix` in the newest message to `to`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mailbox.messages):
            if to in message["To"]:
                text = mime_parts(message)["text/plain"]
                links = [link for link in LINK.findall(text) if path_prefix in link]
                assert len(links) == 1, f"expected one {path_prefix} link in {text!r}"
                return links[0]
        time.sleep(0.1)
    pytest.fail(f"no mail to {to} within {timeout:.0f} s")
