"""`/auth/jwt/verify/` answers as authentication does: a token that a Bearer request would be
refused with (password changed, account deleted or deactivated, session logged out, refresh
token blacklisted) is `401 token_not_valid`, as an invalid token is."""

from collections.abc import Callable
from http import HTTPStatus

import pytest

from accounts import services
from accounts.models import User
from tests.accounts.conftest import DJOSER, NEW_PASSWORD, token_client
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db

Pair = dict[str, str]


def verified(token: str):
    return CommittingAPIClient().post("/auth/jwt/verify/", {"token": token}, format="json")


def change_password(user: User, pair: Pair) -> None:
    services.password_change(user=user, new_password=NEW_PASSWORD)


def delete_account(user: User, pair: Pair) -> None:
    services.account_delete(user=user)


def deactivate_account(user: User, pair: Pair) -> None:
    services.account_deactivate(user=user)


def log_out(user: User, pair: Pair) -> None:
    response = token_client(pair["access"], "Bearer").post(DJOSER.logout)
    assert response.status_code == HTTPStatus.NO_CONTENT


def use_the_refresh_token(user: User, pair: Pair) -> None:
    response = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": pair["refresh"]})
    assert response.status_code == HTTPStatus.OK


EVENTS: dict[str, Callable[[User, Pair], None]] = {
    "password changed": change_password,
    "account deleted": delete_account,
    "account deactivated": deactivate_account,
    "logged out": log_out,
    "refresh token blacklisted": use_the_refresh_token,
}
# A used refresh token is blacklisted; the access token issued with it is not (it lives on).
CASES = [
    (event, kind)
    for event in EVENTS
    for kind in ("access", "refresh")
    if (event, kind) != ("refresh token blacklisted", "access")
]


@pytest.mark.parametrize(("event", "kind"), CASES)
def test_verify_refuses_a_token_authentication_refuses(
    confirmed_user, password, rates, django_capture_on_commit_callbacks, event, kind
):
    rates(login=None)
    pair = (
        CommittingAPIClient()
        .post("/auth/jwt/create/", {"email": confirmed_user.email, "password": password})
        .json()
    )
    assert verified(pair[kind]).status_code == HTTPStatus.OK

    with django_capture_on_commit_callbacks(execute=True):
        EVENTS[event](confirmed_user, pair)

    response = verified(pair[kind])
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "token_not_valid"
    assert set(response.json()) == {"detail", "code"}
    if kind == "access":  # the same token is refused by authentication itself
        assert token_client(pair["access"], "Bearer").get(DJOSER.profile).status_code == 401


def test_verify_answers_an_invalid_token_as_before(db):
    response = verified("not.a.token")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Token is invalid", "code": "token_not_valid"}
