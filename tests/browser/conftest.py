"""A real browser (Debian's chromium driven by Playwright) for end-to-end tests.

Without /usr/bin/chromium these tests are skipped with a loud reason; CI installs chromium and
sets CANVASS_REQUIRE_BROWSER=1, which turns a missing browser into a failure instead.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

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
