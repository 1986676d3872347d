"""Password change and reset through both routes: one link format, single use, revocation."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.tokens import encode_uid
from tests.accounts.conftest import (
    DJOSER,
    NEW_PASSWORD,
    REST_AUTH,
    link_from_last_mail,
    login,
    mail_to,
    token_client,
    uid_token,
)
from tests.accounts.resets import request_reset

pytestmark = pytest.mark.django_db


class Credentials:
    """Every kind of credential an account can hold at once, each on its own client."""

    def __init__(self, api_client, user, password):
        self.token = token_client(
            login(api_client, DJOSER, user.email, password).json()["auth_token"]
        )
        pair = api_client.post("/auth/jwt/create/", {"email": user.email, "password": password})
        self.access = token_client(pair.json()["access"], scheme="Bearer")
        self.refresh = pair.json()["refresh"]
        self.browser = Client()
        self.browser.post("/accounts/login/", {"login": user.email, "password": password})
        assert SESSION_KEY in self.browser.session

    def refresh_works(self, api_client) -> bool:
        response = api_client.post("/auth/jwt/refresh/", {"refresh": self.refresh})
        return response.status_code == HTTPStatus.OK

    def all_revoked(self, api_client) -> bool:
        return (
            self.token.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
            and self.access.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
            and not self.refresh_works(api_client)
            and self.browser.get(DJOSER.profile).status_code != HTTPStatus.OK
        )


def test_password_change_revokes_every_other_credential_and_mails_a_notice(
    api_client, routes, confirmed_user, password, mailoutbox
):
    others = Credentials(api_client, confirmed_user, password)
    caller = token_client(
        login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    )

    response = caller.post(
        routes.password_change, routes.password_change_payload(password, NEW_PASSWORD)
    )

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert others.all_revoked(api_client)
    assert mail_to(confirmed_user.email)[-1].subject == "Your Canvass password was changed"
    assert login(api_client, routes, confirmed_user.email, NEW_PASSWORD).status_code == 200


def test_the_password_changed_mail_offers_ending_the_other_sessions(
    api_client, routes, confirmed_user, password
):
    caller = token_client(
        login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    )

    caller.post(routes.password_change, routes.password_change_payload(password, NEW_PASSWORD))

    notice = mail_to(confirmed_user.email)[-1]
    html = notice.alternatives[0][0]
    for body in (notice.body, html):
        assert "GET /auth/sessions/" in body
        assert "POST /auth/sessions/end_others/" in body


def test_a_password_change_keeps_the_callers_token_and_ends_the_accounts_other_tokens(
    api_client, routes, confirmed_user, password
):
    caller = token_client(
        login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    )
    other = token_client(
        login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    )
    api_token = api_client.post(
        "/api-token-auth/", {"username": confirmed_user.email, "password": password}
    ).json()["token"]

    response = caller.post(
        routes.password_change, routes.password_change_payload(password, NEW_PASSWORD)
    )

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert caller.get(routes.profile).status_code == HTTPStatus.OK
    assert other.get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert token_client(api_token).get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_rest_auth_password_change_answers_detail_as_upstream(api_client, confirmed_user, password):
    caller = token_client(
        login(api_client, REST_AUTH, confirmed_user.email, password).json()["key"]
    )

    response = caller.post(
        REST_AUTH.password_change, REST_AUTH.password_change_payload(password, NEW_PASSWORD)
    )

    assert response.json() == {"detail": "New password has been saved."}


def test_password_change_keeps_the_callers_session(confirmed_user, password):
    browser = Client()
    browser.post("/accounts/login/", {"login": confirmed_user.email, "password": password})
    payload = DJOSER.password_change_payload(password, NEW_PASSWORD)

    response = browser.post(DJOSER.password_change, payload, content_type="application/json")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert browser.get(DJOSER.profile).status_code == HTTPStatus.OK


def test_password_change_needs_the_current_password(api_client, routes, confirmed_user, password):
    caller = token_client(
        login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    )

    response = caller.post(
        routes.password_change, routes.password_change_payload("not my password", NEW_PASSWORD)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    confirmed_user.refresh_from_db()
    assert confirmed_user.check_password(password)


def test_password_change_applies_the_password_rules(api_client, routes, confirmed_user, password):
    caller = token_client(
        login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    )

    response = caller.post(
        routes.password_change, routes.password_change_payload(password, "12345678")
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    confirmed_user.refresh_from_db()
    assert confirmed_user.check_password(password)


def test_both_routes_mail_the_same_link_format(api_client, routes, confirmed_user):
    api_client.post(routes.reset, {"email": confirmed_user.email})

    (url,) = [word for word in mail_to(confirmed_user.email)[-1].body.split() if "://" in word]
    prefix = f"{settings.FRONTEND_URL}/password/reset/confirm/"
    assert url.startswith(prefix)
    uid, token = url.removeprefix(prefix).split("/")
    assert uid == encode_uid(confirmed_user.pk)
    assert len(token.split("-")) == 2


def test_a_reset_link_from_either_route_is_accepted_by_either_confirm_endpoint(
    api_client, routes, other_routes, confirmed_user, password
):
    others = Credentials(api_client, confirmed_user, password)
    uid, token = request_reset(api_client, routes, confirmed_user.email)

    response = api_client.post(
        other_routes.reset_confirm, other_routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
    )

    assert response.status_code == other_routes.reset_confirmed_status
    assert login(api_client, routes, confirmed_user.email, NEW_PASSWORD).status_code == 200
    assert others.all_revoked(api_client)
    assert mail_to(confirmed_user.email)[-1].subject == "Your Canvass password was changed"


def test_a_reset_link_works_once(api_client, routes, confirmed_user):
    uid, token = request_reset(api_client, routes, confirmed_user.email)
    payload = routes.reset_confirm_payload(uid, token, NEW_PASSWORD)

    assert api_client.post(routes.reset_confirm, payload).status_code < 300
    again = api_client.post(
        routes.reset_confirm, routes.reset_confirm_payload(uid, token, "x" * 20)
    )

    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert "token" in again.json()


def test_a_reset_link_expires(api_client, routes, confirmed_user, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    uid, token = request_reset(api_client, routes, confirmed_user.email)

    with time_machine.travel(timedelta(hours=1, minutes=1)):
        response = api_client.post(
            routes.reset_confirm, routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
        )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "expired" in str(response.json()["token"])


@pytest.mark.parametrize("address", ["nobody@example.org", "pending@example.org"])
def test_a_reset_for_an_unknown_or_unconfirmed_address_is_answered_alike_and_mails_nothing(
    api_client, routes, confirmed_user, unconfirmed_user, mailoutbox, address
):
    known = api_client.post(routes.reset, {"email": confirmed_user.email})
    mailoutbox.clear()

    other = api_client.post(routes.reset, {"email": address})

    assert (other.status_code, other.content) == (known.status_code, known.content)
    assert mailoutbox == []


def test_a_reset_link_cannot_reactivate_a_deactivated_account(api_client, routes, confirmed_user):
    uid, token = request_reset(api_client, routes, confirmed_user.email)
    confirmed_user.is_active = False
    confirmed_user.save()

    response = api_client.post(
        routes.reset_confirm, routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    confirmed_user.refresh_from_db()
    assert not confirmed_user.is_active


def test_an_activation_token_is_not_a_reset_token(api_client, password):
    api_client.post(DJOSER.register, DJOSER.register_payload("mix@example.org", password))
    uid, token = uid_token(link_from_last_mail("mix@example.org", "/activate/"))

    response = api_client.post(
        DJOSER.reset_confirm, DJOSER.reset_confirm_payload(uid, token, NEW_PASSWORD)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
