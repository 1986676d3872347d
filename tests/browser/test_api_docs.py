"""The API docs render in a real browser from assets the service serves itself."""

import pytest

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
