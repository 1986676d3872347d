"""The token tools and the admin: drf_create_token, Token admin, EmailAddress rows, revocation."""

from http import HTTPStatus
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.models import PendingEmailChange
from tests.accounts.conftest import (
    DJOSER,
    admin_deactivation_form,
    link_from_last_mail,
    login,
    token_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    staff = user_factory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_drf_create_token_creates_and_resets_by_address(confirmed_user):
    out = StringIO()
    call_command("drf_create_token", "ANN@example.org", stdout=out)
    first = Token.objects.get(user=confirmed_user).key
    call_command("drf_create_token", "ann@example.org", stdout=out)
    assert Token.objects.get(user=confirmed_user).key == first

    call_command("drf_create_token", "-r", "ann@example.org", stdout=out)

    assert Token.objects.get(user=confirmed_user).key != first
    assert first in out.getvalue()


def test_the_token_admin_picks_users_by_id(admin_client, confirmed_user):
    Token.objects.create(user=confirmed_user)

    assert admin.site._registry[TokenProxy].raw_id_fields == ["user"]
    assert admin_client.get("/admin/authtoken/tokenproxy/").status_code == HTTPStatus.OK
    assert admin_client.get("/admin/authtoken/tokenproxy/add/").status_code == HTTPStatus.OK


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
    assert not Token.objects.filter(key=key).exists()
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
