"""Login by emailed code in a real browser: the mail crosses SMTP; the emailed link's page signs
chromium in only when its button is pressed, and the login page's "Email me a sign-in code"
leads to the same code."""

import re
from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from accounts.models import LoginCode, TokenSession
from accounts.services import account_confirm
from tests.browser.conftest import link_in_mail
from tests.factories import UserFactory
from tests.smtp import mime_parts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"[0-9A-Z]{8}")


@pytest.fixture
def confirmed_user():
    user = UserFactory(email="grace@example.org", is_active=False)
    account_confirm(user=user)
    return user


def code_in_mail(mailbox, to: str) -> str:
    message = mailbox.wait_for(1)[-1]
    assert to in message["To"]
    [code] = [
        line for line in mime_parts(message)["text/plain"].splitlines() if CODE.fullmatch(line)
    ]
    return code


def test_the_link_page_changes_nothing_until_its_button_signs_the_browser_in(
    live_server, page, api, mailbox, screenshot, confirmed_user
):
    origin = live_server.url
    assert api.post("/auth/login/code/", {"email": confirmed_user.email}).status == 204
    link = link_in_mail(mailbox, confirmed_user.email, f"{origin}/login/code/")

    page.goto(link)  # what a mail scanner does too
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    screenshot("link-opened")
    page.goto(f"{origin}/auth/users/me/")
    expect(page.get_by_role("navigation").get_by_text(confirmed_user.email)).to_have_count(0)
    assert not TokenSession.objects.filter(user=confirmed_user).exists()
    assert LoginCode.objects.filter(user=confirmed_user, tries=0).exists()  # nothing spent

    page.goto(link)
    page.get_by_role("button", name="Sign me in").click()
    page.wait_for_url(f"{origin}/auth/users/me/")
    expect(page.get_by_role("navigation").get_by_text(confirmed_user.email)).to_be_visible()
    screenshot("signed-in")
    session = TokenSession.objects.get(user=confirmed_user)
    assert (session.kind, session.method) == ("browser", "code")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    screenshot("link-used-again")


def test_the_login_page_emails_a_code_that_signs_the_browser_in(
    live_server, page, mailbox, screenshot, confirmed_user
):
    origin = live_server.url
    page.goto(f"{origin}/accounts/login/")
    page.get_by_role("link", name="Email me a sign-in code").click()
    page.get_by_label("Email address").fill(confirmed_user.email)
    screenshot("asking")
    page.get_by_role("button", name="Email me a sign-in code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    code = code_in_mail(mailbox, confirmed_user.email)

    page.get_by_label("Sign-in code").fill("22222222" if code != "22222222" else "33333333")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("This code is not valid")).to_be_visible()
    screenshot("mistyped")

    page.get_by_label("Sign-in code").fill(code.lower())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{origin}/auth/users/me/")
    expect(page.get_by_role("navigation").get_by_text(confirmed_user.email)).to_be_visible()
    screenshot("signed-in")
    assert TokenSession.objects.get(user=confirmed_user).method == "code"
    assert page.request.get(f"{origin}/auth/users/me/").status == HTTPStatus.OK
