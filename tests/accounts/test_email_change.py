"""Email change: current password, a link to the new address, a notice to the old one,
no enumeration, race-safe, and allauth's verified address moves along."""

from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.accounts.conftest import (
    DJOSER,
    REST_AUTH,
    link_from_last_mail,
    login,
    mail_to,
    token_client,
)
from tests.accounts.test_confirmation import API_LOGINS, api_login, session_login

pytestmark = pytest.mark.django_db
REQUEST = "/auth/users/set_email/"
CONFIRM = "/auth/users/set_email/confirm/"


@pytest.fixture
def account(api_client, confirmed_user, password):
    return token_client(
        login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    )


def request_change(account, password, new_email):
    return account.post(REQUEST, {"current_password": password, "new_email": new_email})


def key_from_mail(address: str) -> str:
    return link_from_last_mail(address, "/email/change/confirm/").split("/")[-1]


def test_a_change_mails_the_new_address_a_link_and_the_old_one_a_notice(
    account, confirmed_user, password
):
    response = request_change(account, password, "new@example.org")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert key_from_mail("new@example.org")
    notice = mail_to(confirmed_user.email)[-1]
    assert notice.subject == "A change of your Canvass address was requested"
    assert "new@example.org" in notice.body
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_a_change_needs_the_current_password(account, confirmed_user, mailoutbox):
    response = request_change(account, "wrong password", "new@example.org")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "current_password" in response.json()
    assert mailoutbox == []


def test_the_new_address_logs_in_on_every_route_and_the_old_one_does_not(
    api_client, client, account, confirmed_user, password
):
    request_change(account, password, "New@Example.org")

    response = api_client.post(CONFIRM, {"key": key_from_mail("New@Example.org")})

    assert response.status_code == HTTPStatus.NO_CONTENT
    for route in API_LOGINS:
        assert api_login(api_client, route, "new@example.org", password).status_code == 200, route
        assert api_login(api_client, route, "ann@example.org", password).status_code != 200, route
    assert session_login(client, "allauth", "new@example.org", password)
    address = EmailAddress.objects.get(user=confirmed_user)
    assert (address.email, address.verified, address.primary) == ("new@example.org", True, True)
    assert mail_to("ann@example.org")[-1].subject == "Your Canvass address was changed"


def test_a_taken_address_is_answered_alike_mails_no_link_and_changes_nothing(
    account, confirmed_user, password, user_factory, mailoutbox
):
    user_factory(email="taken@example.org")
    free = request_change(account, password, "free@example.org")
    mailoutbox.clear()

    taken = request_change(account, password, "TAKEN@example.org")

    assert (taken.status_code, taken.content) == (free.status_code, free.content)
    (message,) = mail_to("TAKEN@example.org")
    assert "/email/change/confirm/" not in message.body
    assert mail_to(confirmed_user.email)  # the notice to the old address is sent either way
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_an_address_taken_after_the_request_is_refused_at_confirmation(
    api_client, account, confirmed_user, password, user_factory
):
    request_change(account, password, "race@example.org")
    key = key_from_mail("race@example.org")
    user_factory(email="RACE@example.org")

    response = api_client.post(CONFIRM, {"key": key})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "key" in response.json()
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_a_change_link_works_once(api_client, account, password):
    request_change(account, password, "once@example.org")
    key = key_from_mail("once@example.org")

    assert api_client.post(CONFIRM, {"key": key}).status_code == HTTPStatus.NO_CONTENT
    again = api_client.post(CONFIRM, {"key": key})

    assert again.status_code == HTTPStatus.BAD_REQUEST


def test_a_tampered_key_is_refused(api_client, account, password):
    request_change(account, password, "forged@example.org")
    key = key_from_mail("forged@example.org")

    response = api_client.post(CONFIRM, {"key": key[:-2] + "xx"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_the_current_address_is_not_a_change(account, password):
    response = request_change(account, password, "ANN@example.org")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "new_email" in response.json()


@pytest.mark.parametrize("path", ["/auth/users/reset_email/", "/auth/users/reset_email_confirm/"])
def test_djoser_username_reset_routes_are_not_mounted(api_client, path):
    response = api_client.post(path, {"email": "ann@example.org"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "Not found."}


def test_profile_updates_cannot_change_the_address(account, confirmed_user):
    for path in (DJOSER.profile, REST_AUTH.profile):
        response = account.patch(path, {"email": "sneaky@example.org"})
        assert response.status_code == HTTPStatus.OK
    confirmed_user.refresh_from_db()
    assert confirmed_user.email == "ann@example.org"


def test_an_address_changed_in_the_admin_or_a_shell_keeps_allauth_in_step(
    api_client, confirmed_user, password
):
    confirmed_user.email = "shell@example.org"
    confirmed_user.save()

    response = api_login(api_client, "dj-rest-auth", "shell@example.org", password)

    assert response.status_code == HTTPStatus.OK
    assert list(
        EmailAddress.objects.filter(user=confirmed_user).values_list("email", "verified")
    ) == [("shell@example.org", True)]
    assert User.objects.confirmed().filter(email="shell@example.org").exists()
