"""Two-factor authentication in a real browser: an account enrolled through the API signs in on
allauth's page with its password and then a TOTP, and on the admin with a recovery code."""

import time
from http import HTTPStatus

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.services import account_confirm
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_PAGE = "/accounts/2fa/authenticate/"


@pytest.fixture
def staff():
    user = UserFactory(email="ada@example.org", is_active=False, is_staff=True, is_superuser=True)
    account_confirm(user=user)
    return user


@pytest.fixture
def app(browser):
    """A client app's HTTP calls: a context of its own, without the browser's cookies."""
    context = browser.new_context()
    yield context.request
    context.close()


def enrol_through_the_api(app, origin: str, email: str, password: str) -> tuple[str, list[str]]:
    login = app.post(f"{origin}/auth/token/login/", data={"email": email, "password": password})
    token = {"Authorization": f"Token {login.json()['auth_token']}"}
    setup = app.get(f"{origin}/dj-rest-auth/mfa/totp/activate/", headers=token).json()
    activated = app.post(
        f"{origin}/dj-rest-auth/mfa/totp/activate/",
        headers=token,
        data={
            "activation_token": setup["activation_token"],
            "code": pyotp.TOTP(setup["secret"]).now(),
        },
    )
    assert activated.status == HTTPStatus.OK, activated.text()
    return setup["secret"], activated.json()["recovery_codes"]


def test_password_then_code_on_the_login_page_and_the_admin(
    live_server, browser, page, app, screenshot, staff, password
):
    origin = live_server.url
    secret, recovery_codes = enrol_through_the_api(app, origin, staff.email, password)

    page.goto(f"{origin}/accounts/login/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{origin}{CODE_PAGE}")
    screenshot("code-page")
    # The code that turned TOTP on is spent; the next time step's is accepted (one step of drift).
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{origin}/auth/users/me/")
    expect(page.get_by_role("navigation").get_by_text(staff.email)).to_be_visible()

    admin = browser.new_context().new_page()
    admin.goto(f"{origin}/admin/")
    admin.fill("input[name=username]", staff.email)
    admin.fill("input[name=password]", password)
    admin.get_by_role("button", name="Log in").click()
    admin.wait_for_url(f"{origin}{CODE_PAGE}")
    admin.fill("input[name=code]", recovery_codes[0])
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(f"{origin}/admin/")
    expect(admin.get_by_text("Site administration")).to_be_visible()
    admin.context.close()
