"""Sign-in with an OpenID Connect provider in a real browser: Canvass's sign-in page lists the
provider, the provider's form signs in, and the browser comes back signed in (a browser session
of the registry, method `provider`) to the page it asked for."""

import re
from urllib.parse import quote

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import TokenSession, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_acme(page, origin: str, sub: str, next_path: str = "") -> None:
    query = f"?next={quote(next_path)}" if next_path else ""
    page.goto(f"{origin}/accounts/login/{query}")
    page.get_by_role("link", name="Acme ID").click()
    # allauth asks before it leaves for the provider (SOCIALACCOUNT_LOGIN_ON_GET off).
    page.get_by_role("button", name="Continue").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_a_browser_signs_in_with_the_provider_and_keeps_next(live_server, page, screenshot, oidc):
    oidc.user_set("browser-1", email="browser.person@example.org", email_verified=True)
    origin = live_server.url

    page.goto(f"{origin}/accounts/login/")
    expect(page.get_by_role("link", name="Acme ID")).to_be_visible()
    screenshot("sign-in-page")
    sign_in_with_acme(page, origin, "browser-1", next_path="/dj-rest-auth/user/")

    page.wait_for_url(f"{origin}/dj-rest-auth/user/")
    expect(page.get_by_text("browser.person@example.org").first).to_be_visible()
    screenshot("signed-in")
    user = User.objects.get(email_canonical="browser.person@example.org")
    assert user.is_active and not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).uid == "browser-1"
    session = TokenSession.objects.get(user=user)
    assert session.kind == TokenSession.Kind.BROWSER
    assert session.method == TokenSession.Method.PROVIDER


def test_a_next_pointing_elsewhere_is_not_followed(live_server, page, oidc):
    oidc.user_set("browser-2", email="browser.two@example.org", email_verified=True)
    origin = live_server.url

    sign_in_with_acme(page, origin, "browser-2", next_path="https://evil.example/")

    page.wait_for_url(re.compile(re.escape(origin) + r"/"))
    assert page.url.startswith(origin)
    assert TokenSession.objects.filter(user__email_canonical="browser.two@example.org").exists()


def test_an_unverified_address_does_not_sign_the_browser_in(
    live_server, page, screenshot, oidc, user
):
    oidc.user_set("browser-3", email=user.email, email_verified=False)

    sign_in_with_acme(page, live_server.url, "browser-3")

    expect(page.get_by_role("heading", name="Sign-in failed")).to_be_visible()
    screenshot("refused")
    assert not TokenSession.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_tampered_state_is_refused(live_server, page, oidc):
    """The provider's answer comes back with a state the browser's session never issued."""
    oidc.user_set("browser-4", email="browser.four@example.org", email_verified=True)
    origin = live_server.url
    page.goto(f"{origin}/accounts/login/")
    page.get_by_role("link", name="Acme ID").click()
    page.get_by_role("button", name="Continue").click()
    authorize_url = page.url
    assert "code_challenge_method=S256" in authorize_url  # PKCE in the browser flow
    answer = oidc.authorize(authorize_url.replace("state=", "state=forged"), "browser-4")

    page.goto(answer["location"])

    expect(page.get_by_text(re.compile("error", re.IGNORECASE)).first).to_be_visible()
    assert not User.objects.filter(email_canonical="browser.four@example.org").exists()
