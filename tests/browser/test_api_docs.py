"""The API docs render in a real browser from assets the service serves itself."""

import pytest
from playwright.sync_api import expect

from accounts.services import account_confirm, token_session_start
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_external_requests(page, origin: str) -> list[str]:
    """Every response the page received from anywhere but the service itself.

    (ReDoc's bundle names a CDN logo; the page's Content-Security-Policy blocks it before any
    byte is fetched, so it never produces a response.)
    """
    external: list[str] = []

    def check(response) -> None:
        url = response.url
        if url.startswith(("http:", "https:")) and not url.startswith(origin):
            external.append(url)

    page.on("response", check)
    return external


def test_swagger_ui_renders_the_operation_list(live_server, page, screenshot):
    external_requests = record_external_requests(page, live_server.url)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", state="visible")
    page.wait_for_selector(".opblock-summary", state="visible")
    assert page.locator(".opblock-summary").count() > 0
    assert page.get_by_text("Canvass API").first.is_visible()
    assert screenshot("swagger").stat().st_size > 0
    assert external_requests == []


def test_redoc_renders_without_external_assets(live_server, page, screenshot):
    external_requests = record_external_requests(page, live_server.url)
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("h1", state="visible")
    assert "Canvass API" in page.inner_text("h1")
    assert screenshot("redoc").stat().st_size > 0
    assert external_requests == []


def test_swagger_ui_authorize_with_a_token_then_try_it_out(live_server, page, screenshot):
    user = UserFactory(email="lin@example.org", is_active=False)
    account_confirm(user=user)
    key = token_session_start(user=user).key

    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_role("button", name="Authorize").first.click()
    token_scheme = page.locator(".auth-container", has_text="tokenAuth")
    expect(token_scheme).to_contain_text("Token <key>")  # the dialog says what to type
    token_scheme.locator("input").fill(f"Token {key}")
    token_scheme.get_by_role("button", name="Apply credentials").click()
    expect(token_scheme.get_by_role("button", name="Remove authorization")).to_be_visible()
    screenshot("authorized")
    token_scheme.get_by_role("button", name="Close").click()

    operation = page.locator(".opblock-get", has=page.locator('[data-path="/auth/users/me/"]'))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live_response = operation.locator(".live-responses-table .response")
    expect(live_response.locator(".response-col_status")).to_have_text("200")
    expect(live_response.locator(".response-col_description")).to_contain_text(user.email)
    screenshot("tried-it-out")
