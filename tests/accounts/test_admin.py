"""The token tools and the admin: drf_create_token, token sessions, addresses, revocation."""

from http import HTTPStatus
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import PendingEmailChange, TokenSession
from accounts.sessions import key_digest
from tests.accounts.conftest import (
    DJOSER,
    admin_deactivation_form,
    link_from_last_mail,
    login,
    token_client,
)
from tests.conftest import CommittingAPIClient, CommittingClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    staff = user_factory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def created_key(*arguments: str) -> str:
    out = StringIO()
    call_command("drf_create_token", *arguments, stdout=out)
    return out.getvalue().split()[2]  # "Generated token <key> for user <address>"


def test_drf_create_token_prints_a_new_working_token_at_every_call(
    api_client, confirmed_user, password
):
    logged_in = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    first = created_key("ANN@example.org")
    second = created_key("ann@example.org")

    assert first != second
    assert token_client(first).get(DJOSER.profile).status_code == HTTPStatus.OK
    assert token_client(second).get(DJOSER.profile).status_code == HTTPStatus.OK
    assert token_client(logged_in).get(DJOSER.profile).status_code == HTTPStatus.OK


def test_drf_create_token_reset_ends_only_the_tokens_it_made(api_client, confirmed_user, password):
    logged_in = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    first = created_key("ann@example.org")

    second = created_key("-r", "ann@example.org")

    assert token_client(first).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert token_client(second).get(DJOSER.profile).status_code == HTTPStatus.OK
    assert token_client(logged_in).get(DJOSER.profile).status_code == HTTPStatus.OK


def test_the_token_session_admin_shows_a_prefix_never_a_key(
    api_client, admin_client, confirmed_user, password
):
    key = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    session = TokenSession.objects.get(user=confirmed_user)

    listing = admin_client.get("/admin/accounts/tokensession/")
    page = admin_client.get(f"/admin/accounts/tokensession/{session.pk}/change/")

    assert admin.site._registry[TokenSession].raw_id_fields == ("user",)
    assert listing.status_code == page.status_code == HTTPStatus.OK
    assert key[:8].encode() in listing.content
    assert key.encode() not in listing.content + page.content
    assert admin_client.get("/admin/authtoken/tokenproxy/").status_code == HTTPStatus.NOT_FOUND
    assert admin_client.get("/admin/accounts/tokensession/add/").status_code == HTTPStatus.FORBIDDEN


def test_allauth_addresses_are_visible_in_the_admin(admin_client, confirmed_user):
    address = EmailAddress.objects.get(user=confirmed_user)

    listing = admin_client.get("/admin/account/emailaddress/")
    user_page = admin_client.get(f"/admin/accounts/user/{confirmed_user.pk}/change/")

    assert confirmed_user.email.encode() in listing.content
    assert user_page.status_code == HTTPStatus.OK
    assert f'emailaddress_set-0-id" value="{address.pk}"'.encode() in user_page.content


def test_deactivating_in_the_admin_revokes_the_accounts_tokens(
    api_client, admin_client, confirmed_user, password
):
    key = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    data = admin_deactivation_form(confirmed_user)

    response = admin_client.post(f"/admin/accounts/user/{confirmed_user.pk}/change/", data)

    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    confirmed_user.refresh_from_db()
    assert confirmed_user.is_active is False
    assert not TokenSession.objects.filter(key_digest=key_digest(key)).exists()
    assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert EmailAddress.objects.get(user=confirmed_user).verified


def test_the_admin_never_shows_an_email_change_key(
    admin_client, api_client, confirmed_user, password
):
    account = token_client(
        login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    )
    account.post(
        "/auth/users/set_email/", {"current_password": password, "new_email": "new@example.org"}
    )
    key = link_from_last_mail("new@example.org", "/email/change/confirm/").split("/")[-1]
    digest = PendingEmailChange.objects.get(user=confirmed_user).key_digest

    page = admin_client.get(reverse("admin:accounts_user_change", args=[confirmed_user.pk]))

    assert page.status_code == HTTPStatus.OK
    assert key not in page.content.decode()
    assert digest not in page.content.decode()


FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_the_session_admin_lists_the_user_id_kind_and_device(
    admin_browser, confirmed_user, password
):
    CommittingAPIClient().post(
        DJOSER.login,
        {"email": confirmed_user.email, "password": password},
        format="json",
        HTTP_USER_AGENT=FIREFOX,
    )

    listing = admin_browser.get("/admin/accounts/tokensession/")

    assert listing.status_code == HTTPStatus.OK
    assert b"Firefox on Linux" in listing.content
    assert b"API token" in listing.content
    assert "user_id" in admin.site._registry[TokenSession].list_display


def test_the_end_sessions_action_ends_a_token_and_a_browser_session(
    api_client, admin_browser, confirmed_user, password
):
    key = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    browser = CommittingClient()
    signed_in = browser.post(
        "/accounts/login/", {"login": confirmed_user.email, "password": password}
    )
    assert signed_in.status_code == HTTPStatus.FOUND
    assert browser.get(DJOSER.profile).status_code == HTTPStatus.OK
    sessions = TokenSession.objects.filter(user=confirmed_user)
    assert sorted(sessions.values_list("kind", flat=True)) == ["browser", "token"]

    answer = admin_browser.post(
        "/admin/accounts/tokensession/",
        {"action": "end_sessions", "_selected_action": list(sessions.values_list("pk", flat=True))},
    )

    assert answer.status_code == HTTPStatus.FOUND
    assert not TokenSession.objects.filter(user=confirmed_user).exists()
    assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert browser.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
