"""The login routes, API and session, and how a test signs in (or tries to) through each."""

from http import HTTPStatus

from django.contrib.auth import SESSION_KEY

from tests.conftest import CommittingAPIClient, CommittingClient

# Failed logins that lock an account in the tests that use the `lockout` fixture.
LOCKOUT_LIMIT = 3

# (path, payload builder, key of the credential in the answer)
API_LOGINS = {
    "djoser-token": ("/auth/token/login/", lambda e, p: {"email": e, "password": p}, "auth_token"),
    "djoser-jwt": ("/auth/jwt/create/", lambda e, p: {"email": e, "password": p}, "access"),
    "dj-rest-auth": ("/dj-rest-auth/login/", lambda e, p: {"email": e, "password": p}, "key"),
    "api-token-auth": ("/api-token-auth/", lambda e, p: {"username": e, "password": p}, "token"),
}
SESSION_LOGINS = {
    "allauth": ("/accounts/login/", lambda e, p: {"login": e, "password": p}),
    "admin": ("/admin/login/", lambda e, p: {"username": e, "password": p}),
}
LOGIN_ROUTES = [*API_LOGINS, *SESSION_LOGINS]


def api_login(api_client, route: str, email: str, password: str):
    path, payload, _key = API_LOGINS[route]
    return api_client.post(path, payload(email, password), format="json")


def session_login(client, route: str, email: str, password: str) -> bool:
    path, payload = SESSION_LOGINS[route]
    client.post(path, payload(email, password))
    return SESSION_KEY in client.session


def attempt(route: str, email: str, password: str, **extra):
    """One login attempt from a fresh client (as a new device would make it)."""
    if route in API_LOGINS:
        path, payload, _key = API_LOGINS[route]
        return CommittingAPIClient().post(path, payload(email, password), format="json", **extra)
    path, payload = SESSION_LOGINS[route]
    return CommittingClient().post(path, payload(email, password), **extra)


def signed_in(route: str, response) -> bool:
    if route in API_LOGINS:
        return response.status_code == HTTPStatus.OK
    return response.status_code == HTTPStatus.FOUND  # both pages redirect once signed in


def assert_locked(route: str, response, cooloff_seconds: int) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, (route, response.content[:200])
    assert int(response["Retry-After"]) == cooloff_seconds
    if route in API_LOGINS:
        assert response.json() == {"detail": "Too many failed login attempts. Try again later."}
    else:
        assert response["Content-Type"].startswith("text/html")
