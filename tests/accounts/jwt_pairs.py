"""JWT logins as a device holds them, and what simplejwt answers for a revoked token."""

from http import HTTPStatus

from tests.accounts.conftest import token_client
from tests.conftest import CommittingAPIClient

# What simplejwt answers for a blacklisted refresh token; an ended session's tokens get it too.
REVOKED = {"detail": "Token is blacklisted", "code": "token_not_valid"}


class Pair:
    """One JWT login (a device of its own)."""

    def __init__(self, email: str, password: str) -> None:
        response = CommittingAPIClient().post(
            "/auth/jwt/create/", {"email": email, "password": password}
        )
        assert response.status_code == HTTPStatus.OK
        self.access, self.refresh = response.json()["access"], response.json()["refresh"]

    @property
    def bearer(self) -> CommittingAPIClient:
        return token_client(self.access, "Bearer")

    def rotate(self) -> "Pair":
        response = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": self.refresh})
        assert response.status_code == HTTPStatus.OK
        self.access, self.refresh = response.json()["access"], response.json()["refresh"]
        return self
