"""The pages emailed links open, used like a browser: GET the page, POST its form with CSRF."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine

from accounts.models import User
from tests.accounts.conftest import (
    DJOSER,
    REST_AUTH,
    link_from_last_mail,
    login,
    mail_to,
    token_client,
)
from tests.accounts.csrf import Browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser() -> Browser:
    return Browser()


def register(api_client, routes, password, email="page@example.org") -> str:
    api_client.post(routes.register, routes.register_payload(email, password))
    return link_from_last_mail(email, routes.link_prefix)


def test_a_confirmation_page_asks_first_and_confirms_on_post(api_client, browser, routes, password):
    path = register(api_client, routes, password)

    page = browser.get(path)
    assert page.status_code == HTTPStatus.OK
    assert b'<form method="post">' in page.content
    assert not User.objects.get(email="page@example.org").is_active

    done = browser.submit(path)

    assert done.status_code == HTTPStatus.OK
    assert b"Address confirmed" in done.content
    assert User.objects.confirmed().filter(email="page@example.org").exists()
    used = browser.get(path)
    assert used.status_code == HTTPStatus.BAD_REQUEST
    assert b"already used" in used.content


def test_a_head_request_answers_like_a_get_and_changes_nothing(
    api_client, browser, routes, confirmed_user, password
):
    # What a mail scanner may send before anyone clicks.
    path = register(api_client, routes, password)
    api_client.post(routes.reset, {"email": confirmed_user.email})
    reset = link_from_last_mail(confirmed_user.email, "/password/reset/confirm/")

    assert browser.head(path).status_code == HTTPStatus.OK
    assert browser.head(reset).status_code == HTTPStatus.OK

    assert not User.objects.get(email="page@example.org").is_active
    assert browser.submit(path).status_code == HTTPStatus.OK
    assert login(api_client, routes, confirmed_user.email, password).status_code == HTTPStatus.OK


def test_a_confirmation_page_refuses_a_post_without_the_csrf_token(
    api_client, browser, routes, password
):
    path = register(api_client, routes, password)

    response = browser.post(path)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not User.objects.get(email="page@example.org").is_active


@pytest.mark.parametrize(
    "path",
    [
        "/activate/MQ/not-a-token",
        "/activate/%%%/x-y",
        "/verify-email/garbage",
        "/password/reset/confirm/MQ/x-y",
        "/email/change/confirm/garbage",
    ],
)
def test_an_invalid_link_opens_a_clear_failure_page(browser, confirmed_user, path):
    response = browser.get(path)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"This link cannot be used" in response.content
    assert b"not valid" in response.content


def test_an_expired_confirmation_link_says_so(api_client, browser, routes, password):
    path = register(api_client, routes, password)

    with time_machine.travel(timedelta(days=4)):
        response = browser.get(path)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"expired" in response.content


def test_the_reset_page_sets_a_new_password_once(api_client, browser, routes, confirmed_user):
    api_client.post(routes.reset, {"email": confirmed_user.email})
    path = link_from_last_mail(confirmed_user.email, "/password/reset/confirm/")

    mismatch = browser.submit(path, {"new_password1": "one long phrase", "new_password2": "other"})
    assert mismatch.status_code == HTTPStatus.BAD_REQUEST
    done = browser.submit(
        path,
        {"new_password1": "a page-chosen passphrase", "new_password2": "a page-chosen passphrase"},
    )

    assert done.status_code == HTTPStatus.OK
    assert b"Password changed" in done.content
    assert (
        login(api_client, routes, confirmed_user.email, "a page-chosen passphrase").status_code
        == 200
    )
    assert browser.get(path).status_code == HTTPStatus.BAD_REQUEST


def test_the_email_change_page_changes_the_address(api_client, browser, confirmed_user, password):
    account = token_client(
        login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    )
    account.post(
        "/auth/users/set_email/", {"current_password": password, "new_email": "paged@example.org"}
    )
    path = link_from_last_mail("paged@example.org", "/email/change/confirm/")

    assert b"paged@example.org" in browser.get(path).content
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"
    done = browser.submit(path)

    assert done.status_code == HTTPStatus.OK
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "paged@example.org"


def test_links_follow_frontend_url_and_the_pages_stay_served(
    api_client, browser, password, settings
):
    settings.FRONTEND_URL = "https://app.example.com"
    api_client.post(REST_AUTH.register, REST_AUTH.register_payload("front@example.org", password))

    (url,) = [word for word in mail_to("front@example.org")[-1].body.split() if "://" in word]
    assert url.startswith("https://app.example.com/verify-email/")
    path = url.removeprefix("https://app.example.com")
    assert browser.submit(path).status_code == HTTPStatus.OK


def test_pages_load_no_external_assets(api_client, browser, password):
    path = register(api_client, DJOSER, password)

    body = browser.get(path).content.decode()

    assert "<script" not in body
    assert not re.search(r'(src|href)="(https?:)?//', body)
