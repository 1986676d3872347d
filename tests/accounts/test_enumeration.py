"""No route tells whether an address has an account: same answers, and the same hashing work.

Timing is judged where it comes from: the password hasher. A route that hashed for a known
address but not for an unknown one would answer measurably faster for the unknown one.
Registration, resend, reset and email change answers are compared in test_registration,
test_password and test_email_change; the lockout treats unknown addresses alike (test_lockout).
"""

import re
from http import HTTPStatus

import pytest

from accounts.services import account_deactivate
from tests.accounts.conftest import ROUTE_SETS
from tests.accounts.logins import API_LOGINS, SESSION_LOGINS
from tests.conftest import CommittingAPIClient, CommittingClient

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(rb'value="[A-Za-z0-9]{32,}"')
STYLE_NONCE = re.compile(rb'nonce="[^"]*"')


@pytest.fixture
def accounts(user_factory, rates):
    rates(login=None, registration=None, activation=None, password_reset=None)
    user_factory(email="known@example.org")
    user_factory(email="pending@example.org", is_active=False)
    account_deactivate(
        user=user_factory(email="retired@example.org", last_login="2024-01-01T00:00Z")
    )


# (address, password): the account does not exist, exists with another password, has not
# confirmed its address (right and wrong password), was deactivated.
ATTEMPTS = {
    "unknown": ("nobody@example.org", "correct horse battery staple"),
    "wrong password": ("known@example.org", "not the password at all"),
    "unconfirmed": ("pending@example.org", "correct horse battery staple"),
    "unconfirmed, wrong password": ("pending@example.org", "not the password at all"),
    "deactivated": ("retired@example.org", "correct horse battery staple"),
}


def answer(route: str, email: str, password: str) -> tuple[int, bytes]:
    if route in API_LOGINS:
        path, payload, _key = API_LOGINS[route]
        response = CommittingAPIClient().post(path, payload(email, password), format="json")
        return response.status_code, response.content
    path, payload = SESSION_LOGINS[route]
    response = CommittingClient().post(path, payload(email, password))
    # A page carries a fresh CSRF token and style nonce and echoes the address typed; none
    # tells anything.
    page = STYLE_NONCE.sub(b"", CSRF_VALUE.sub(b"", response.content))
    return response.status_code, page.replace(email.encode(), b"")


@pytest.mark.parametrize("route", [*API_LOGINS, *SESSION_LOGINS])
def test_a_failed_login_answers_and_hashes_alike_whether_or_not_the_account_exists(
    accounts, hashes, route
):
    hashes.calls = 0
    answers, hash_counts = {}, {}
    for case, (email, password) in ATTEMPTS.items():
        before = hashes.calls
        answers[case] = answer(route, email, password)
        hash_counts[case] = hashes.calls - before

    # Only someone with the right password learns that the account awaits confirmation (the
    # API routes say so, with the status of any refused login: test_unconfirmed_login).
    told = answers.pop("unconfirmed")
    assert len(set(answers.values())) == 1, answers
    assert answers["unknown"][0] in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, 200)
    assert told[0] == answers["unknown"][0]
    assert set(hash_counts.values()) == {1}, hash_counts


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_registering_an_existing_address_hashes_like_a_new_one(accounts, hashes, routes):
    hashes.calls = 0
    client = CommittingAPIClient()
    new = client.post(routes.register, routes.register_payload("fresh@example.org", "pw-abc-123!"))
    after_new = hashes.calls
    known = client.post(
        routes.register, routes.register_payload("KNOWN@example.org", "pw-abc-123!")
    )

    assert new.status_code == known.status_code == HTTPStatus.CREATED
    assert after_new == hashes.calls - after_new == 1


@pytest.mark.parametrize(
    "endpoint",
    [path for routes in ROUTE_SETS for path in (routes.reset, routes.resend)],
)
def test_mail_requests_answer_alike_and_hash_nothing(accounts, hashes, endpoint):
    hashes.calls = 0
    client = CommittingAPIClient()
    addresses = [
        "nobody@example.org",
        "known@example.org",
        "KNOWN@EXAMPLE.ORG",
        "pending@example.org",
        "retired@example.org",
    ]

    answers = {
        (r.status_code, r.content) for r in (client.post(endpoint, {"email": a}) for a in addresses)
    }

    assert len(answers) == 1
    assert hashes.calls == 0


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_accounts_id_answers_like_an_id_nobody_has(auth_client, user_factory, method):
    other = user_factory(email="other@example.org")
    body = {"first_name": "Eve", "current_password": "correct horse battery staple"}

    def answer(pk: int) -> tuple[int, dict]:
        response = getattr(auth_client, method)(f"/auth/users/{pk}/", body, format="json")
        return response.status_code, response.json()

    taken, free = answer(other.pk), answer(other.pk + 1000)

    assert taken == free
    assert taken[0] == HTTPStatus.NOT_FOUND
    other.refresh_from_db()
    assert other.first_name != "Eve"
