"""The full life of an account through each route set, over HTTP, links read from the mail."""

from http import HTTPStatus

import pytest

from accounts.models import User
from tests.accounts.conftest import (
    NEW_PASSWORD,
    link_from_last_mail,
    login,
    mail_to,
    token_client,
    uid_token,
)

RESET_PASSWORD = "yet another long passphrase"

pytestmark = pytest.mark.django_db


def test_an_account_lives_its_whole_life_through_one_route_set(
    api_client, routes, password, mailoutbox
):
    email = "life@example.org"

    response = api_client.post(routes.register, routes.register_payload(email, password))
    assert response.status_code == routes.registered_status
    assert len(mail_to(email)) == 1
    confirmation = link_from_last_mail(email, routes.link_prefix)
    assert login(api_client, routes, email, password).status_code == HTTPStatus.BAD_REQUEST

    response = api_client.post(routes.confirm, routes.confirm_payload(confirmation))
    assert response.status_code == routes.confirmed_status

    response = login(api_client, routes, email, password)
    assert response.status_code == HTTPStatus.OK
    client = token_client(response.json()[routes.credential])

    response = client.get(routes.profile)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["email"] == email
    response = client.patch(routes.profile, {"first_name": "Ada", "last_name": "Lovelace"})
    assert response.status_code == HTTPStatus.OK
    assert User.objects.get(email=email).get_full_name() == "Ada Lovelace"

    response = client.post(
        routes.password_change, routes.password_change_payload(password, NEW_PASSWORD)
    )
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert "password was changed" in mail_to(email)[-1].subject
    assert client.get(routes.profile).status_code == HTTPStatus.OK  # the caller stays signed in
    assert login(api_client, routes, email, password).status_code == HTTPStatus.BAD_REQUEST
    assert login(api_client, routes, email, NEW_PASSWORD).status_code == HTTPStatus.OK

    response = api_client.post(routes.reset, {"email": email})
    assert response.status_code == routes.reset_status
    uid, token = uid_token(link_from_last_mail(email, "/password/reset/confirm/"))
    response = api_client.post(
        routes.reset_confirm, routes.reset_confirm_payload(uid, token, RESET_PASSWORD)
    )
    assert response.status_code == routes.reset_confirmed_status
    assert client.get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED
    response = login(api_client, routes, email, RESET_PASSWORD)
    assert response.status_code == HTTPStatus.OK
    client = token_client(response.json()[routes.credential])

    assert client.post(routes.logout).status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert client.get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED
