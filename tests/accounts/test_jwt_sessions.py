"""JWT sessions end at logout (ASVS 7.4.1): every pair from /auth/jwt/create/ carries a session
id through refresh rotation into its access tokens; a logout through either route ends it, so
none of that login's tokens is accepted again, while other logins of the account keep working."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, UntypedToken

from accounts.models import EndedJwtSession
from tests.accounts.conftest import DJOSER, REST_AUTH, ROUTE_SETS, RouteSet, login, token_client
from tests.accounts.jwt_pairs import REVOKED, Pair
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db

PROFILES = [DJOSER.profile, REST_AUTH.profile]


def refreshed(refresh: str):
    return CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": refresh})


def verified(token: str):
    return CommittingAPIClient().post("/auth/jwt/verify/", {"token": token})


def profile_statuses(client) -> list[int]:
    return [client.get(path).status_code for path in PROFILES]


def sid(token: str) -> str:
    return UntypedToken(token)["sid"]


def assert_ended(pair: Pair) -> None:
    for path in PROFILES:
        response = pair.bearer.get(path)
        assert response.status_code == HTTPStatus.UNAUTHORIZED, path
        assert response.json() == REVOKED
    refresh = refreshed(pair.refresh)
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED
    assert refresh.json() == REVOKED


def assert_works(pair: Pair) -> None:
    assert profile_statuses(pair.bearer) == [HTTPStatus.OK, HTTPStatus.OK]
    pair.rotate()
    assert profile_statuses(pair.bearer) == [HTTPStatus.OK, HTTPStatus.OK]


@pytest.fixture
def account(confirmed_user, rates):
    rates(login=None)
    return confirmed_user


def test_every_token_of_a_login_carries_one_session_id_through_rotation(account, password):
    pair = Pair(account.email, password)
    first = sid(pair.refresh)

    pair.rotate()

    assert len(first) >= 22  # 128 random bits
    assert sid(pair.access) == sid(pair.refresh) == first
    assert sid(Pair(account.email, password).access) != first


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_logout_with_the_bearer_access_token_ends_that_login_only(
    account, password, routes: RouteSet
):
    ended, other = Pair(account.email, password), Pair(account.email, password)

    response = ended.bearer.post(routes.logout)

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert_ended(ended)
    assert_works(other)


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_logout_ends_a_rotated_login_and_its_earlier_access_tokens(
    account, password, routes: RouteSet
):
    pair = Pair(account.email, password)
    earlier_access = pair.access
    pair.rotate()

    pair.bearer.post(routes.logout)

    assert_ended(pair)
    assert token_client(earlier_access, "Bearer").get(DJOSER.profile).status_code == 401


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_refresh_token_given_at_logout_ends_its_login(account, password, routes: RouteSet):
    ended, other = Pair(account.email, password), Pair(account.email, password)
    # djoser's logout needs an authenticated caller: a DRF token, not the JWT being ended.
    key = login(CommittingAPIClient(), routes, account.email, password).json()[routes.credential]

    response = token_client(key).post(routes.logout, {"refresh": ended.refresh}, format="json")

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert_ended(ended)
    assert_works(other)


def test_an_anonymous_logout_with_a_used_refresh_token_ends_its_login(account, password):
    pair = Pair(account.email, password)
    used = pair.refresh
    pair.rotate()

    response = CommittingAPIClient().post(REST_AUTH.logout, {"refresh": used}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert_ended(pair)


def test_verify_refuses_an_ended_sessions_tokens_as_a_blacklisted_one(account, password):
    pair = Pair(account.email, password)
    blacklisted = pair.refresh
    pair.rotate()
    assert verified(pair.access).status_code == HTTPStatus.OK
    assert verified(pair.refresh).status_code == HTTPStatus.OK

    pair.bearer.post(DJOSER.logout)

    refused = [verified(token) for token in (pair.access, pair.refresh, blacklisted)]
    assert {response.status_code for response in refused} == {HTTPStatus.UNAUTHORIZED}
    assert [response.json() for response in refused] == [REVOKED] * 3


def test_ending_a_session_twice_keeps_one_record_and_answers_the_same(account, password):
    pair = Pair(account.email, password)
    client = pair.bearer

    first = client.post(REST_AUTH.logout, {"refresh": pair.refresh}, format="json")
    again = CommittingAPIClient().post(REST_AUTH.logout, {"refresh": pair.refresh}, format="json")

    assert first.status_code == again.status_code == HTTPStatus.OK
    assert EndedJwtSession.objects.filter(sid=sid(pair.access)).count() == 1


def test_an_ended_session_is_kept_until_its_last_token_has_expired(account, password):
    pair = Pair(account.email, password)
    before = timezone.now()

    pair.bearer.post(DJOSER.logout)

    record = EndedJwtSession.objects.get(sid=sid(pair.access))
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    assert record.expires_at >= before + lifetime
    assert record.expires_at.timestamp() >= UntypedToken(pair.refresh)["exp"]


def test_an_access_token_as_the_refresh_of_a_logout_ends_nothing(account, password):
    pair = Pair(account.email, password)

    response = CommittingAPIClient().post(REST_AUTH.logout, {"refresh": pair.access}, format="json")

    assert response.status_code == HTTPStatus.OK
    assert not EndedJwtSession.objects.exists()
    assert_works(pair)


def test_tokens_issued_before_session_ids_still_work_until_they_expire(account):
    access, refresh = AccessToken.for_user(account), RefreshToken.for_user(account)
    assert "sid" not in access.payload and "sid" not in refresh.payload
    legacy = token_client(str(access), "Bearer")

    legacy.post(DJOSER.logout)  # nothing to end: the token names no session

    assert profile_statuses(legacy) == [HTTPStatus.OK, HTTPStatus.OK]
    assert verified(str(access)).status_code == HTTPStatus.OK
    assert refreshed(str(refresh)).status_code == HTTPStatus.OK


def test_a_refresh_token_without_a_session_id_starts_one_that_a_logout_ends(account):
    response = refreshed(str(RefreshToken.for_user(account)))
    pair = Pair.__new__(Pair)
    pair.access, pair.refresh = response.json()["access"], response.json()["refresh"]
    assert sid(pair.access) == sid(pair.refresh)

    pair.bearer.post(DJOSER.logout)

    assert_ended(pair)


@pytest.mark.parametrize("kind", ["session", "legacy"])
def test_jwt_authentication_stays_one_query_with_the_session_check_in_it(
    account, password, kind, django_assert_num_queries, settings
):
    """With the token cache off; a hit of the cache costs none (test_jwt_cache)."""
    settings.TOKEN_CACHE_SECONDS = 0
    access = Pair(account.email, password).access if kind == "session" else None
    client = token_client(access or str(AccessToken.for_user(account)), "Bearer")
    client.get(DJOSER.profile)  # per-process warm-up (content types) is not what is counted

    with django_assert_num_queries(1) as captured:
        assert client.get(DJOSER.profile).status_code == HTTPStatus.OK

    folded = EndedJwtSession._meta.db_table in captured.captured_queries[0]["sql"]
    assert folded == (kind == "session")


def test_the_purge_deletes_only_sessions_whose_tokens_have_all_expired(capsys):
    now = timezone.now()
    EndedJwtSession.objects.create(sid="gone", expires_at=now - timedelta(seconds=1))
    EndedJwtSession.objects.create(sid="kept", expires_at=now + timedelta(hours=1))

    call_command("purge_ended_jwt_sessions", "--dry-run")
    assert capsys.readouterr().out == "1 ended JWT sessions would be deleted\n"
    assert EndedJwtSession.objects.count() == 2

    call_command("purge_ended_jwt_sessions")
    assert capsys.readouterr().out == "1 ended JWT sessions deleted\n"
    assert list(EndedJwtSession.objects.values_list("sid", flat=True)) == ["kept"]
