"""Account test helpers: the two route sets as data, and links read back from the mail."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

from accounts.models import User
from accounts.services import account_confirm
from tests.accounts.logins import LOCKOUT_LIMIT
from tests.conftest import CommittingAPIClient, CommittingClient
from tests.factories import UserFactory

NEW_PASSWORD = "a brand new long passphrase"
LINK = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class RouteSet:
    """One library's documented routes and payloads, so a test can run against both."""

    name: str
    register: str
    register_payload: Callable[[str, str], dict[str, Any]]
    registered_status: HTTPStatus
    resend: str
    resend_status: HTTPStatus
    link_prefix: str  # the path of the confirmation link this route set mails
    confirm: str
    confirm_payload: Callable[[str], dict[str, Any]]
    confirmed_status: HTTPStatus
    login: str
    credential: str  # the key of the login answer
    header: str  # the Authorization scheme of that credential
    logout: str
    profile: str
    password_change: str
    password_change_payload: Callable[[str, str], dict[str, Any]]
    reset: str
    reset_status: HTTPStatus
    reset_confirm: str
    reset_confirm_payload: Callable[[str, str, str], dict[str, Any]]
    reset_confirmed_status: HTTPStatus


DJOSER = RouteSet(
    name="djoser",
    register="/auth/users/",
    register_payload=lambda email, password: {"email": email, "password": password},
    registered_status=HTTPStatus.CREATED,
    resend="/auth/users/resend_activation/",
    resend_status=HTTPStatus.NO_CONTENT,
    link_prefix="/activate/",
    confirm="/auth/users/activation/",
    confirm_payload=lambda path: dict(zip(("uid", "token"), path.split("/")[2:4], strict=True)),
    confirmed_status=HTTPStatus.NO_CONTENT,
    login="/auth/token/login/",
    credential="auth_token",
    header="Token",
    logout="/auth/token/logout/",
    profile="/auth/users/me/",
    password_change="/auth/users/set_password/",
    password_change_payload=lambda old, new: {"current_password": old, "new_password": new},
    reset="/auth/users/reset_password/",
    reset_status=HTTPStatus.NO_CONTENT,
    reset_confirm="/auth/users/reset_password_confirm/",
    reset_confirm_payload=lambda uid, token, new: {"uid": uid, "token": token, "new_password": new},
    reset_confirmed_status=HTTPStatus.NO_CONTENT,
)

REST_AUTH = RouteSet(
    name="dj-rest-auth",
    register="/dj-rest-auth/registration/",
    register_payload=lambda email, password: {
        "email": email,
        "password1": password,
        "password2": password,
    },
    registered_status=HTTPStatus.CREATED,
    resend="/dj-rest-auth/registration/resend-email/",
    resend_status=HTTPStatus.OK,
    link_prefix="/verify-email/",
    confirm="/dj-rest-auth/registration/verify-email/",
    confirm_payload=lambda path: {"key": path.split("/")[2]},
    confirmed_status=HTTPStatus.OK,
    login="/dj-rest-auth/login/",
    credential="key",
    header="Token",
    logout="/dj-rest-auth/logout/",
    profile="/dj-rest-auth/user/",
    password_change="/dj-rest-auth/password/change/",
    password_change_payload=lambda old, new: {
        "old_password": old,
        "new_password1": new,
        "new_password2": new,
    },
    reset="/dj-rest-auth/password/reset/",
    reset_status=HTTPStatus.OK,
    reset_confirm="/dj-rest-auth/password/reset/confirm/",
    reset_confirm_payload=lambda uid, token, new: {
        "uid": uid,
        "token": token,
        "new_password1": new,
        "new_password2": new,
    },
    reset_confirmed_status=HTTPStatus.OK,
)

ROUTE_SETS = [DJOSER, REST_AUTH]


@pytest.fixture(params=ROUTE_SETS, ids=lambda routes: routes.name)
def routes(request) -> RouteSet:
    return request.param


@pytest.fixture(params=ROUTE_SETS, ids=lambda routes: f"other:{routes.name}")
def other_routes(request) -> RouteSet:
    return request.param


def links_in(message) -> list[str]:
    """The links of a message's plain-text part, as paths (FRONTEND_URL stripped)."""
    return [urlsplit(url).path for url in LINK.findall(message.body)]


def mail_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def link_from_last_mail(address: str, prefix: str) -> str:
    messages = mail_to(address)
    assert messages, f"no mail to {address}"
    paths = [path for path in links_in(messages[-1]) if path.startswith(prefix)]
    assert len(paths) == 1, f"expected one {prefix} link in {messages[-1].body!r}"
    return paths[0]


def uid_token(path: str) -> tuple[str, str]:
    """`/password/reset/confirm/{uid}/{token}` → (uid, token)."""
    uid, token = path.rstrip("/").split("/")[-2:]
    return uid, token


@pytest.fixture
def rates(settings):
    """Set some scopes' rates for one test (the throttle reads them per request); None: off."""

    def apply(**scopes: str | None) -> None:
        framework = dict(settings.REST_FRAMEWORK)
        framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **scopes}
        settings.REST_FRAMEWORK = framework

    return apply


@pytest.fixture
def unconfirmed_user(db, password) -> User:
    """An account as both sign-up routes leave it: inactive, its address not verified."""
    return UserFactory(email="pending@example.org", is_active=False)


@pytest.fixture
def confirmed_user(db) -> User:
    user = UserFactory(email="ann@example.org", is_active=False)
    account_confirm(user=user)
    return user


def login(api_client, routes: RouteSet, email: str, password: str):
    return api_client.post(routes.login, {"email": email, "password": password}, format="json")


def token_client(key: str, scheme: str = "Token") -> CommittingAPIClient:
    """A client of its own carrying one credential (as a separate device would)."""
    client = CommittingAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client


class CountingHasher(MD5PasswordHasher):
    """The suite's fast MD5 hasher, counting every hash it computes (to make a password, or to
    check one), so tests can tell whether a request reached the hasher without timing it."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings) -> type[CountingHasher]:
    """`hashes.calls`: password hashes computed since the fixture started; a test sets it to 0
    where its counting begins (fixtures that create accounts hash their passwords)."""
    counting = "tests.accounts.conftest.CountingHasher"
    settings.PASSWORD_HASHERS = [
        counting if hasher.endswith(".MD5PasswordHasher") else hasher
        for hasher in settings.PASSWORD_HASHERS
    ]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def admin_browser(user_factory) -> CommittingClient:
    """A browser signed in to the admin as a superuser (root@example.org)."""
    browser = CommittingClient(HTTP_USER_AGENT="Canvass-test-browser/1.0", REMOTE_ADDR="192.0.2.10")
    browser.force_login(user_factory(email="root@example.org", is_staff=True, is_superuser=True))
    return browser


def admin_deactivation_form(user: User) -> dict[str, str]:
    """The admin's change form of `user` as submitted with "active" unticked."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "emailaddress_set-TOTAL_FORMS": "1",
        "emailaddress_set-INITIAL_FORMS": "1",
        "emailaddress_set-0-id": str(EmailAddress.objects.get(user=user).pk),
        "emailaddress_set-0-user": str(user.pk),
    }


@pytest.fixture
def lockout(settings, rates):
    """A small limit for the account (LOCKOUT_LIMIT), a larger one for the address; no login
    throttle."""
    rates(login=None)
    settings.AXES_FAILURE_LIMIT = LOCKOUT_LIMIT
    settings.LOCKOUT_IP_FAILURE_LIMIT = 1000
    return settings
