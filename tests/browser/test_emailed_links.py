"""Emailed links clicked in a real browser: the mail crosses SMTP, the page completes the action.

Each test drives the service on a loopback port as its users meet it: a client app calls the
API, the mail arrives at an aiosmtpd sink, chromium opens the link from it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from accounts.services import account_confirm
from tests.browser.conftest import link_in_mail
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new long passphrase"


@pytest.fixture
def confirmed_user():
    user = UserFactory(email="grace@example.org", is_active=False)
    account_confirm(user=user)
    return user


def confirm_in_browser(page, link: str, button: str, screenshot, login_status) -> None:
    """Open the link, check that opening it changed nothing (mail scanners prefetch links: the
    new login still fails), then press the page's button."""
    page.goto(link)
    screenshot("link-opened")
    assert login_status() == HTTPStatus.BAD_REQUEST
    page.get_by_role("button", name=button).click()


def expect_link_used(page, link: str, screenshot) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(page.get_by_text("already used")).to_be_visible()
    screenshot("link-used-again")


@dataclass(frozen=True)
class SignUp:
    """One route set's sign-up: where to post, the link it mails, where to log in after."""

    register: str
    payload: Callable[[str], dict]
    link_path: str
    login: str
    credential: str


SIGN_UPS = {
    "djoser": SignUp(
        register="/auth/users/",
        payload=lambda email: {"email": email, "password": PASSWORD},
        link_path="/activate/",
        login="/auth/token/login/",
        credential="auth_token",
    ),
    "dj-rest-auth": SignUp(
        register="/dj-rest-auth/registration/",
        payload=lambda email: {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        link_path="/verify-email/",
        login="/dj-rest-auth/login/",
        credential="key",
    ),
}


@pytest.mark.parametrize("sign_up", SIGN_UPS.values(), ids=SIGN_UPS.keys())
def test_sign_up_link_confirms_the_account_then_login_works(
    live_server, page, api, mailbox, screenshot, sign_up
):
    email = "ada@example.org"
    assert api.post(sign_up.register, sign_up.payload(email)).status == HTTPStatus.CREATED
    login = {"email": email, "password": PASSWORD}

    link = link_in_mail(mailbox, email, f"{live_server.url}{sign_up.link_path}")
    confirm_in_browser(
        page,
        link,
        "Confirm my address",
        screenshot,
        login_status=lambda: api.post(sign_up.login, login).status,
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Address confirmed")
    screenshot("confirmed")
    logged_in = api.post(sign_up.login, login)
    assert logged_in.status == HTTPStatus.OK
    assert logged_in.json()[sign_up.credential]
    expect_link_used(page, link, screenshot)


def test_password_reset_link_validates_then_sets_the_password(
    live_server, page, api, mailbox, screenshot, confirmed_user
):
    email = confirmed_user.email
    requested = api.post("/auth/users/reset_password/", {"email": email})
    assert requested.status == HTTPStatus.NO_CONTENT
    link = link_in_mail(mailbox, email, f"{live_server.url}/password/reset/confirm/")

    page.goto(link)
    screenshot("link-opened")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    screenshot("too-short")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    screenshot("changed")

    new_login = api.post("/auth/token/login/", {"email": email, "password": NEW_PASSWORD})
    assert new_login.status == HTTPStatus.OK
    old_login = api.post("/auth/token/login/", {"email": email, "password": PASSWORD})
    assert old_login.status == HTTPStatus.BAD_REQUEST
    expect_link_used(page, link, screenshot)


def test_email_change_link_moves_the_login_to_the_new_address(
    live_server, page, api, mailbox, screenshot, confirmed_user
):
    old_email, new_email = confirmed_user.email, "grace.hopper@example.net"
    token = api.token(old_email, PASSWORD)
    requested = api.post(
        "/auth/users/set_email/",
        {"current_password": PASSWORD, "new_email": new_email},
        token=token,
    )
    assert requested.status == HTTPStatus.NO_CONTENT

    new_login = {"email": new_email, "password": PASSWORD}

    link = link_in_mail(mailbox, new_email, f"{live_server.url}/email/change/confirm/")
    confirm_in_browser(
        page,
        link,
        "Confirm the new address",
        screenshot,
        login_status=lambda: api.post("/auth/token/login/", new_login).status,
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Address changed")
    screenshot("changed")
    assert api.post("/auth/token/login/", new_login).status == HTTPStatus.OK
    old_login = api.post("/auth/token/login/", {"email": old_email, "password": PASSWORD})
    assert old_login.status == HTTPStatus.BAD_REQUEST
    expect_link_used(page, link, screenshot)
