"""The session registry seen from a real browser: a sign-in on allauth's page is listed as a
`browser` session, and ending it through the API signs that browser out on its next page."""

from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from accounts.services import account_confirm
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def confirmed_user():
    user = UserFactory(email="grace@example.org", is_active=False)
    account_confirm(user=user)
    return user


@pytest.fixture
def app(browser):
    """A client app's HTTP calls: a context of its own, without the browser's cookies."""
    context = browser.new_context()
    yield context.request
    context.close()


def test_ending_a_browser_session_through_the_api_signs_the_browser_out(
    live_server, page, app, screenshot, confirmed_user, password
):
    origin = live_server.url
    page.goto(f"{origin}/accounts/login/")
    page.fill("input[name=login]", confirmed_user.email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{origin}/auth/users/me/")
    signed_in_as = page.get_by_role("navigation").get_by_text(confirmed_user.email)
    expect(signed_in_as).to_be_visible()  # the browsable API's bar names the signed-in account
    screenshot("signed-in")
    # Signed in, the sign-in page sends the browser on to its profile.
    page.goto(f"{origin}/accounts/login/")
    expect(page).to_have_url(f"{origin}/auth/users/me/")

    logged_in = app.post(
        f"{origin}/auth/token/login/",
        data={"email": confirmed_user.email, "password": password},
    )
    assert logged_in.status == HTTPStatus.OK
    token = {"Authorization": f"Token {logged_in.json()['auth_token']}"}
    sessions = app.get(f"{origin}/auth/sessions/", headers=token)
    assert sessions.status == HTTPStatus.OK
    (browser_session,) = [s for s in sessions.json() if s["kind"] == "browser"]
    assert not browser_session["current"]
    assert browser_session["user_agent"] == page.evaluate("navigator.userAgent")
    assert "Chrome" in browser_session["device"]  # "HeadlessChrome on Linux"

    # The token session logged in just now: no password asked.
    ended = app.delete(f"{origin}/auth/sessions/{browser_session['id']}/", headers=token)
    assert ended.status == HTTPStatus.NO_CONTENT

    profile = page.goto(f"{origin}/auth/users/me/")
    assert profile.status == HTTPStatus.UNAUTHORIZED
    expect(signed_in_as).to_have_count(0)
    screenshot("signed-out")
    page.goto(f"{origin}/accounts/login/")
    expect(page).to_have_url(f"{origin}/accounts/login/")
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
    remaining = app.get(f"{origin}/auth/sessions/", headers=token).json()
    assert [s["kind"] for s in remaining] == ["token"]
