"""The HTML pages work in a real browser under their Content-Security-Policy: the browser
reports no violation (a blocked style, script, image, font or worker) on any of them but the
one the policy is there for — ReDoc's bundle naming a CDN logo."""

import pytest

from accounts.services import account_confirm
from tests.factories import UserFactory
from tests.surveys.factories import EVERY_KIND, survey_with_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/activate/MQ/not-a-token/",
    "/password/reset/confirm/MQ/not-a-token/",
    "/accounts/login/",
    "/admin/login/",
    "/api/docs/",
    "/api/redoc/",
]


# What the policy blocks on purpose: no byte leaves for another origin.
BLOCKED_ON_PURPOSE = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def record_violations(page) -> list[str]:
    violations: list[str] = []

    def check(message) -> None:
        text = message.text
        if "Content Security Policy" in text and f"'{BLOCKED_ON_PURPOSE}'" not in text:
            violations.append(text)

    page.on("console", check)
    return violations


@pytest.mark.parametrize("path", PAGES)
def test_a_page_renders_without_a_policy_violation(live_server, page, path):
    violations = record_violations(page)

    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")

    assert violations == []
    assert page.locator("body").inner_text().strip()


def test_the_docs_render_without_a_policy_violation(live_server, page):
    violations = record_violations(page)

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary", state="visible")
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("h1", state="visible")
    page.wait_for_load_state("networkidle")

    assert violations == []


def test_the_survey_page_is_styled_by_its_own_inline_style(live_server, page):
    survey = survey_with_questions(owner=UserFactory(), questions=EVERY_KIND)
    violations = record_violations(page)

    page.goto(f"{live_server.url}/surveys/{survey.pk}")

    assert violations == []
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(244, 245, 247)"  # #f4f5f7, set by the page's <style>


def test_the_admin_works_signed_in_without_a_policy_violation(live_server, page, password):
    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    account_confirm(user=admin)
    violations = record_violations(page)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/admin/accounts/user/{admin.pk}/change/")
    page.wait_for_load_state("networkidle")

    assert violations == []
