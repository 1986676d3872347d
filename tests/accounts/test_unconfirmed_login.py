"""A right password on an account never confirmed says what to do; nothing else changes."""

from http import HTTPStatus

import pytest

from accounts.services import account_deactivate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
# Each login route, its login field, and the status its library refuses a login with.
ROUTES = {
    "djoser token": ("/auth/token/login/", "email", HTTPStatus.BAD_REQUEST),
    "jwt": ("/auth/jwt/create/", "email", HTTPStatus.UNAUTHORIZED),
    "dj-rest-auth": ("/dj-rest-auth/login/", "email", HTTPStatus.BAD_REQUEST),
    "api-token-auth": ("/api-token-auth/", "username", HTTPStatus.BAD_REQUEST),
}
routes = pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())


def login(api_client, route, email, password):
    path, field, _ = route
    return api_client.post(path, {field: email, "password": password}, format="json")


@pytest.fixture
def pending():
    return UserFactory(email="pending@example.org", is_active=False, password=PASSWORD)


@routes
def test_the_right_password_on_an_unconfirmed_account_says_confirm_first(
    api_client, pending, route
):
    response = login(api_client, route, pending.email, PASSWORD)

    assert response.status_code == route[2]
    text = str(response.json())
    assert "Confirm your address first" in text
    assert "resend_activation" in text


@routes
def test_a_wrong_password_on_an_unconfirmed_account_looks_like_an_unknown_address(
    api_client, pending, route
):
    wrong = login(api_client, route, pending.email, "not the password at all")
    unknown = login(api_client, route, "nobody@example.org", "not the password at all")

    assert wrong.status_code == unknown.status_code == route[2]
    assert wrong.json() == unknown.json()
    assert "Confirm" not in str(wrong.json())


@routes
def test_a_deactivated_account_is_not_told_to_confirm(api_client, route):
    user = UserFactory(email="gone@example.org", password=PASSWORD)
    account_deactivate(user=user)

    response = login(api_client, route, user.email, PASSWORD)

    assert response.status_code == route[2]
    assert "Confirm" not in str(response.json())


@routes
def test_a_missing_field_is_named_on_every_login_route(api_client, route):
    path, field, _ = route

    no_password = api_client.post(path, {field: "ada@example.org"}, format="json")
    no_login = api_client.post(path, {"password": PASSWORD}, format="json")

    assert no_password.status_code == HTTPStatus.BAD_REQUEST
    assert "password" in no_password.json()
    assert no_login.status_code == HTTPStatus.BAD_REQUEST
    assert field in no_login.json()


def test_the_sign_in_page_says_confirm_first_only_for_the_right_password(client, pending):
    right = client.post("/accounts/login/", {"login": pending.email, "password": PASSWORD})
    wrong = client.post("/accounts/login/", {"login": pending.email, "password": "not it at all"})

    assert right.status_code == wrong.status_code == HTTPStatus.OK
    assert "Confirm your address first" in right.content.decode()
    assert "/accounts/resend-confirmation/" in right.content.decode()
    assert "Confirm your address first" not in wrong.content.decode()
