"""Bearer tokens verified once per process (accounts.jwt_verified): the same token's next
request skips the signature check, while a token altered in any byte, an expired one and one
of the wrong type are refused as before."""

import base64
import json
from http import HTTPStatus

import pytest

from accounts import jwt_verified
from tests.accounts.conftest import DJOSER
from tests.accounts.jwt_pairs import Pair
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db


def bearer(token: str) -> CommittingAPIClient:
    return CommittingAPIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


def payload(token: str) -> dict:
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def refused(message: str, token_class: str = "AccessToken") -> dict:
    """simplejwt's answer for a Bearer token it cannot use."""
    return {
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": token_class, "token_type": "access", "message": message}],
    }


@pytest.fixture
def pair(confirmed_user, password, rates) -> Pair:
    rates(login=None)
    return Pair(confirmed_user.email, password)


def test_a_tokens_second_request_skips_the_signature_check(pair):
    memo = jwt_verified.verified_token_backend.verified
    client = bearer(pair.access)
    assert client.get(DJOSER.profile).status_code == HTTPStatus.OK
    hits = memo.cache_info().hits

    assert client.get(DJOSER.profile).status_code == HTTPStatus.OK

    assert memo.cache_info().hits == hits + 1
    assert memo.cache_info().maxsize == jwt_verified.VERIFIED_TOKENS


def test_a_token_altered_after_its_original_was_verified_is_refused(pair, user_factory):
    assert bearer(pair.access).get(DJOSER.profile).status_code == HTTPStatus.OK
    other = user_factory(email="other@example.org")
    header, _, signature = pair.access.split(".")
    claims = {**payload(pair.access), "user_id": str(other.pk)}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    response = bearer(f"{header}.{body}.{signature}").get(DJOSER.profile)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == refused("Token is invalid")


def test_a_remembered_token_is_refused_once_it_has_expired(pair, time_machine):
    client = bearer(pair.access)
    assert client.get(DJOSER.profile).status_code == HTTPStatus.OK
    expires = payload(pair.access)["exp"]

    time_machine.move_to(expires + 1, tick=False)
    response = client.get(DJOSER.profile)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == refused("Token is expired")


def test_a_refresh_token_is_refused_as_a_bearer_token_every_time(pair):
    client = bearer(pair.refresh)

    responses = [client.get(DJOSER.profile) for _ in range(2)]

    assert [response.status_code for response in responses] == [HTTPStatus.UNAUTHORIZED] * 2
    assert [response.json() for response in responses] == [refused("Token has wrong type")] * 2
