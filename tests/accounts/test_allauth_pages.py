"""allauth's own pages under /accounts/: they render, and confirm through the same service."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/inactive/", "/accounts/confirm-email/"]
)
def test_allauth_pages_render(client, path):
    assert client.get(path).status_code == HTTPStatus.OK


def test_the_sign_in_page_links_only_to_pages_that_exist(client):
    # Where the survey page sends an anonymous visitor; allauth's own template links to its
    # sign-up page, which is not mounted (an href of "None").
    page = client.get("/accounts/login/?next=/surveys/1").content.decode()
    links = re.findall(r'href="([^"]*)"', page)

    assert links
    for link in links:
        assert link.startswith("/"), link
        assert client.get(link).status_code < HTTPStatus.BAD_REQUEST, link


def test_allauths_logout_page_ends_the_session(client, confirmed_user):
    client.force_login(confirmed_user)

    assert client.get("/accounts/logout/").status_code == HTTPStatus.OK
    assert client.post("/accounts/logout/").status_code == HTTPStatus.FOUND
    assert client.get("/auth/users/me/").status_code == HTTPStatus.UNAUTHORIZED


def test_allauths_confirmation_page_confirms_like_the_canvass_one(client, unconfirmed_user):
    address = EmailAddress.objects.get(user=unconfirmed_user)
    path = f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/"

    assert client.get(path).status_code == HTTPStatus.OK
    assert client.post(path).status_code == HTTPStatus.FOUND

    assert User.objects.confirmed().filter(pk=unconfirmed_user.pk).exists()
    assert EmailAddress.objects.get(user=unconfirmed_user).verified


def test_allauths_sign_up_and_reset_names_open_canvass_pages(client):
    # allauth's views are not mounted; its templates' links reach accounts/entrance.py.
    for path in ["/accounts/signup/", "/accounts/password/reset/"]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK
        assert "accounts/form.html" in [template.name for template in response.templates]


def test_the_sign_in_page_is_styled_and_links_sign_up_reset_and_resend(client):
    html = client.get("/accounts/login/?next=/surveys/1").content.decode()

    assert "Menu:" not in html
    assert "<style nonce=" in html
    assert 'href="/accounts/signup/?next=/surveys/1"' in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'href="/accounts/resend-confirmation/"' in html


def test_the_signed_out_message_shows_on_the_sign_in_page_it_belongs_to(client, confirmed_user):
    client.force_login(confirmed_user)

    client.post("/accounts/logout/")
    html = client.get("/accounts/login/").content.decode()

    assert 'class="messages"' in html and "signed out" in html


def test_signing_in_leaves_no_message_for_the_next_page(client, confirmed_user, password):
    client.post("/accounts/login/", {"login": confirmed_user.email, "password": password})

    html = client.get("/accounts/resend-confirmation/").content.decode()

    assert 'class="messages"' not in html
    assert "Successfully signed in" not in html


def test_a_browser_login_lands_on_the_profile(client, confirmed_user, password):
    response = client.post(
        "/accounts/login/", {"login": confirmed_user.email, "password": password}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/auth/users/me/"
