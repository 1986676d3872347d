"""Two-factor test support: enrol an account through the API, compute its codes (pyotp, RFC
6238, independently of allauth), and move the clock by whole TOTP steps."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp

from accounts.models import User
from tests.conftest import CommittingAPIClient

ACTIVATE = "/dj-rest-auth/mfa/totp/activate/"
VERIFY = "/dj-rest-auth/mfa/verify/"
STEP = timedelta(seconds=30)
# A moment at the start of a TOTP step: shifting by STEP lands on the next code.
START = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)


@dataclass
class Enrolment:
    secret: str
    recovery_codes: list[str]

    def code(self, at: datetime | None = None) -> str:
        totp = pyotp.TOTP(self.secret)  # SHA-1, 6 digits, 30 s: RFC 6238's defaults
        return totp.at(at) if at is not None else totp.now()


def signed_in(user: User) -> CommittingAPIClient:
    client = CommittingAPIClient()
    client.force_authenticate(user)
    return client


def enrol(user: User) -> Enrolment:
    """TOTP on through the API; the code used to turn it on is spent."""
    client = signed_in(user)
    setup = client.get(ACTIVATE).json()
    code = pyotp.TOTP(setup["secret"]).now()
    answer = client.post(
        ACTIVATE, {"activation_token": setup["activation_token"], "code": code}, format="json"
    )
    assert answer.status_code == 200, answer.content
    return Enrolment(secret=setup["secret"], recovery_codes=answer.json()["recovery_codes"])


def verify(token: str, code: str, **extra):
    return CommittingAPIClient().post(
        VERIFY, {"ephemeral_token": token, "code": code}, format="json", **extra
    )
