"""The browser's sign-up, forgotten-password and resend pages: the API's rules and mails."""

from http import HTTPStatus

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_signing_up_in_the_browser_creates_an_unconfirmed_account_and_mails_its_link(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "ada@example.org", "password": PASSWORD, "re_password": PASSWORD},
    )

    assert response.status_code == HTTPStatus.OK
    assert "Check your mail" in response.content.decode()
    user = User.objects.get(email="ada@example.org")
    assert not user.is_active
    assert len(mail.outbox) == 1
    assert "/activate/" in mail.outbox[0].body


def test_the_sign_up_page_names_what_is_wrong_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/", {"email": "not-an-address", "password": "short", "re_password": ""}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'value="not-an-address"' in html
    assert not User.objects.exists()


def test_the_sign_up_page_applies_the_password_rules(client):
    response = client.post(
        "/accounts/signup/", {"email": "ada@example.org", "password": "password", "re_password": ""}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "too common" in response.content.decode()
    assert not User.objects.exists()


def test_signing_up_with_a_taken_address_looks_the_same_and_mails_the_owner(client):
    UserFactory(email="ada@example.org")

    response = client.post(
        "/accounts/signup/",
        {"email": "ADA@example.org", "password": PASSWORD, "re_password": PASSWORD},
    )

    assert response.status_code == HTTPStatus.OK
    assert "Check your mail" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox[0].to == ["ada@example.org"]


def test_the_forgotten_password_page_mails_a_reset_link(client, confirmed_user):
    response = client.post("/accounts/password/reset/", {"email": confirmed_user.email})

    assert response.status_code == HTTPStatus.OK
    assert "Check your mail" in response.content.decode()
    assert "/password/reset/confirm/" in mail.outbox[0].body


def test_the_forgotten_password_page_answers_the_same_for_an_unknown_address(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == HTTPStatus.OK
    assert "Check your mail" in response.content.decode()
    assert not mail.outbox


def test_the_resend_page_mails_a_new_confirmation_link(client, unconfirmed_user):
    response = client.post("/accounts/resend-confirmation/", {"email": unconfirmed_user.email})

    assert response.status_code == HTTPStatus.OK
    assert "/activate/" in mail.outbox[0].body


def test_the_pages_share_the_api_throttle(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "password_reset": "1/hour",
        },
    }

    client.post("/accounts/password/reset/", {"email": "a@example.org"})
    refused = client.post("/accounts/password/reset/", {"email": "a@example.org"})

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "throttled" in refused.content.decode().lower()


def test_the_pages_refuse_a_post_without_the_csrf_token(confirmed_user):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/accounts/password/reset/", {"email": confirmed_user.email}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
