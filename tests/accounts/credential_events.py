"""The events that must end every credential of an account, each as a test makes it happen."""

from collections.abc import Callable
from http import HTTPStatus

from django.test import TestCase

from accounts.models import User
from accounts.services import account_deactivate, account_delete
from accounts.tokens import encode_uid, password_reset_tokens
from tests.accounts.conftest import (
    DJOSER,
    NEW_PASSWORD,
    REST_AUTH,
    admin_deactivation_form,
    token_client,
)
from tests.conftest import CommittingAPIClient, CommittingClient

PROFILE = "/auth/users/me/"


def jwt_pair(email: str, password: str) -> dict[str, str]:
    response = CommittingAPIClient().post(
        "/auth/jwt/create/", {"email": email, "password": password}
    )
    assert response.status_code == HTTPStatus.OK
    return response.json()


def caller(account: User, password: str) -> CommittingAPIClient:
    """The device making the change: a JWT of its own, distinct from every credential tested."""
    return token_client(jwt_pair(account.email, password)["access"], "Bearer")


def change_password(routes):
    def event(account: User, password: str, admin_browser) -> None:
        payload = routes.password_change_payload(password, NEW_PASSWORD)
        response = caller(account, password).post(routes.password_change, payload, format="json")
        assert response.status_code < 300, response.content

    return event


def change_password_in_the_admin(account: User, password: str, admin_browser) -> None:
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = admin_browser.post(f"/admin/accounts/user/{account.pk}/password/", form)
    assert response.status_code == HTTPStatus.FOUND


def reset_password(route: str):
    def event(account: User, password: str, admin_browser) -> None:
        account.refresh_from_db()  # the link a mail sent now would carry (after the logins)
        uid, token = encode_uid(account.pk), password_reset_tokens.make_token(account)
        if route == "page":
            form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
            response = CommittingClient().post(f"/password/reset/confirm/{uid}/{token}/", form)
        else:
            routes = DJOSER if route == "djoser" else REST_AUTH
            payload = routes.reset_confirm_payload(uid, token, NEW_PASSWORD)
            response = CommittingAPIClient().post(routes.reset_confirm, payload, format="json")
        assert response.status_code < 300, response.content

    return event


def deactivate_in_the_admin(account: User, password: str, admin_browser) -> None:
    form = admin_deactivation_form(account)
    response = admin_browser.post(f"/admin/accounts/user/{account.pk}/change/", form)
    assert response.status_code == HTTPStatus.FOUND


def committed(service: Callable[..., None]):
    """Call a service as a shell or a task would: its on-commit work runs (a real commit)."""

    def event(account: User, password: str, admin_browser) -> None:
        with TestCase.captureOnCommitCallbacks(execute=True):
            service(user=account)

    return event


def delete_through_djoser(account: User, password: str, admin_browser) -> None:
    response = caller(account, password).delete(
        PROFILE, {"current_password": password}, format="json"
    )
    assert response.status_code == HTTPStatus.NO_CONTENT


def delete_in_the_admin(account: User, password: str, admin_browser) -> None:
    response = admin_browser.post(f"/admin/accounts/user/{account.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND


EVENTS = {
    "password change (djoser)": change_password(DJOSER),
    "password change (dj-rest-auth)": change_password(REST_AUTH),
    "password change (admin)": change_password_in_the_admin,
    "password reset (djoser)": reset_password("djoser"),
    "password reset (dj-rest-auth)": reset_password("dj-rest-auth"),
    "password reset (page)": reset_password("page"),
    "deactivation (admin)": deactivate_in_the_admin,
    "deactivation (service)": committed(account_deactivate),
    "deletion (djoser)": delete_through_djoser,
    "deletion (admin)": delete_in_the_admin,
    "deletion (service)": committed(account_delete),
}
