"""Credentials: authentication order, JWT rotation and blacklist, logout, session CSRF."""

import base64
import os
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from rest_framework.authentication import BasicAuthentication
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from accounts.backends import AccountRemoteUserBackend
from accounts.models import AuditEvent, User
from accounts.views import AccountViewSet
from tests.accounts.conftest import DJOSER, REST_AUTH, login, token_client
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db


def jwt_pair(api_client, email: str, password: str) -> dict:
    response = api_client.post("/auth/jwt/create/", {"email": email, "password": password})
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_authentication_classes_are_token_then_jwt_then_session():
    names = [cls.__name__ for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]

    assert names[:3] == ["TokenAuthentication", "JWTAuthentication", "SessionAuthentication"]
    # DEBUG=0 here: Basic authentication is only added for DEBUG=1.
    assert "BasicAuthentication" not in names


@pytest.mark.parametrize("path", ["/auth/users/me/", "/dj-rest-auth/user/"])
def test_an_anonymous_request_to_a_protected_route_is_401_with_a_challenge(api_client, path):
    response = api_client.get(path)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_basic_credentials_are_refused_without_debug(api_client, confirmed_user, password):
    api_client.credentials(HTTP_AUTHORIZATION="Basic YW5uQGV4YW1wbGUub3JnOnNlY3JldA==")

    assert api_client.get("/auth/users/me/").status_code == HTTPStatus.UNAUTHORIZED


def test_refused_basic_credentials_are_a_401_where_basic_authentication_is_on(
    api_client, confirmed_user, monkeypatch
):
    # DEBUG=1 adds BasicAuthentication, which asks Django's authenticate(); the failed-login
    # audit record must not ask the request it is still authenticating for its user (that
    # authenticated again, without end: a RecursionError and a 500).
    classes = [*api_settings.DEFAULT_AUTHENTICATION_CLASSES, BasicAuthentication]
    monkeypatch.setattr(AccountViewSet, "authentication_classes", classes)
    pair = base64.b64encode(f"{confirmed_user.email}:wrong password".encode()).decode()
    api_client.credentials(HTTP_AUTHORIZATION=f"Basic {pair}")

    response = api_client.get("/auth/users/me/")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Invalid username/password."}
    failures = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.FAILURE)
    assert failures.filter(event=AuditEvent.Event.LOGIN, target=confirmed_user.email).exists()


@pytest.mark.parametrize("routes", [DJOSER, REST_AUTH], ids=["djoser", "dj-rest-auth"])
def test_a_token_from_either_login_works_with_token_header(
    api_client, confirmed_user, password, routes
):
    key = login(api_client, routes, confirmed_user.email, password).json()[routes.credential]

    response = token_client(key).get("/auth/users/me/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["email"] == confirmed_user.email


def test_api_token_auth_answers_token(api_client, confirmed_user, password):
    payload = {"username": confirmed_user.email, "password": password}
    response = api_client.post("/api-token-auth/", payload)

    assert response.status_code == HTTPStatus.OK
    assert set(response.json()) == {"token"}


def test_a_bearer_access_token_authenticates(api_client, confirmed_user, password):
    access = jwt_pair(api_client, confirmed_user.email, password)["access"]

    response = token_client(access, scheme="Bearer").get("/dj-rest-auth/user/")

    assert response.status_code == HTTPStatus.OK


def test_a_refresh_rotates_and_the_old_refresh_token_is_blacklisted(
    api_client, confirmed_user, password
):
    pair = jwt_pair(api_client, confirmed_user.email, password)

    rotated = api_client.post("/auth/jwt/refresh/", {"refresh": pair["refresh"]})
    reused = api_client.post("/auth/jwt/refresh/", {"refresh": pair["refresh"]})

    assert rotated.status_code == HTTPStatus.OK
    assert rotated.json()["refresh"] != pair["refresh"]
    assert reused.status_code == HTTPStatus.UNAUTHORIZED
    verify = api_client.post("/auth/jwt/verify/", {"token": pair["refresh"]})
    assert verify.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("routes", [DJOSER, REST_AUTH], ids=["djoser", "dj-rest-auth"])
def test_logout_ends_the_token_for_both_route_sets_and_blacklists_a_given_refresh(
    api_client, confirmed_user, password, routes
):
    key = login(api_client, routes, confirmed_user.email, password).json()[routes.credential]
    refresh = jwt_pair(api_client, confirmed_user.email, password)["refresh"]
    client = token_client(key)

    response = client.post(routes.logout, {"refresh": refresh}, format="json")

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert client.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert client.get(REST_AUTH.profile).status_code == HTTPStatus.UNAUTHORIZED
    refreshed = api_client.post("/auth/jwt/refresh/", {"refresh": refresh})
    assert refreshed.status_code == HTTPStatus.UNAUTHORIZED


def test_rest_auth_logout_with_a_refresh_token_only(api_client, confirmed_user, password):
    refresh = jwt_pair(api_client, confirmed_user.email, password)["refresh"]

    response = api_client.post("/dj-rest-auth/logout/", {"refresh": refresh}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert api_client.post("/auth/jwt/refresh/", {"refresh": refresh}).status_code == 401


def test_a_deleted_accounts_refresh_token_is_401_not_500(api_client, confirmed_user, password):
    refresh = jwt_pair(api_client, confirmed_user.email, password)["refresh"]
    User.objects.filter(pk=confirmed_user.pk).delete()

    response = api_client.post("/auth/jwt/refresh/", {"refresh": refresh})

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_a_session_needs_the_csrf_token_on_unsafe_methods(confirmed_user, password):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    csrf = page.cookies["csrftoken"].value
    payload = {"login": confirmed_user.email, "password": password, "csrfmiddlewaretoken": csrf}
    assert browser.post("/accounts/login/", payload).status_code == HTTPStatus.FOUND
    csrf = browser.cookies["csrftoken"].value  # Django rotates the token at login
    api = APIClient(enforce_csrf_checks=True)
    api.cookies = browser.cookies

    assert api.get("/auth/users/me/").status_code == HTTPStatus.OK
    refused = api.patch("/auth/users/me/", {"first_name": "Eve"}, format="json")
    allowed = api.patch(
        "/auth/users/me/", {"first_name": "Ann"}, format="json", HTTP_X_CSRFTOKEN=csrf
    )

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert allowed.status_code == HTTPStatus.OK


def test_remote_user_backend_admits_existing_confirmed_accounts_only(
    rf, confirmed_user, unconfirmed_user
):
    backend = AccountRemoteUserBackend()
    request = rf.get("/")

    assert backend.authenticate(request, remote_user=confirmed_user.email.upper()) == confirmed_user
    assert backend.authenticate(request, remote_user=unconfirmed_user.email) is None
    assert backend.authenticate(request, remote_user="stranger@example.org") is None
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_every_password_login_passes_the_request_to_authenticate(rf, confirmed_user, password):
    """axes needs the request: without one, authenticate() refuses outright."""
    assert authenticate(rf.post("/"), email=confirmed_user.email, password=password)


def test_an_inactive_accounts_token_stops_working(api_client, confirmed_user, password):
    client = CommittingAPIClient()
    key = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    User.objects.filter(pk=confirmed_user.pk).update(is_active=False)

    assert client.get("/auth/users/me/").status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize(
    ("env", "expected_classes", "expected_backend"),
    [
        ({"DEBUG": "1"}, ["BasicAuthentication"], None),
        ({"REMOTE_USER_AUTH": "1"}, ["RemoteUserAuthentication"], "AccountRemoteUserBackend"),
    ],
    ids=["debug", "remote-user"],
)
def test_basic_and_remote_user_authentication_are_switched_on_by_the_environment(
    env, expected_classes, expected_backend
):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(*[c.rsplit('.', 1)[1] for c in s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']]);"
        "print(*[b.rsplit('.', 1)[1] for b in s.AUTHENTICATION_BACKENDS])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "REDIS_URL")}
    environment = {**clean, "DJANGO_SETTINGS_MODULE": "settings.test", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120
    )

    classes, backends = (line.split() for line in result.stdout.strip().splitlines()[-2:])
    assert classes[:3] == ["TokenAuthentication", "JWTAuthentication", "SessionAuthentication"]
    assert classes[3:] == expected_classes
    assert ("AccountRemoteUserBackend" in backends) == (expected_backend is not None)
