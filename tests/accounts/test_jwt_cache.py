"""The JWT session cache (accounts.token_cache): an access token of a cached session costs no
query, and every revocation — a logout of that session, a password change or reset, a
deactivation, a deletion, any saved account change — ends the cached copy at once."""

import os
from http import HTTPStatus

import pytest
from django.test import TestCase
from rest_framework_simplejwt.tokens import AccessToken, UntypedToken

from accounts import token_cache
from accounts.models import User
from tests.accounts.caches import UNREACHABLE_REDIS
from tests.accounts.conftest import DJOSER, NEW_PASSWORD, REST_AUTH, ROUTE_SETS, RouteSet
from tests.accounts.credential_events import EVENTS
from tests.accounts.jwt_pairs import REVOKED, Pair
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings, rates):
    """The cache on, in Redis where REDIS_URL is set, else in memory: the database cache would
    answer a hit with a query of its own."""
    rates(login=None, password_reset=None)
    settings.TOKEN_CACHE_SECONDS = 300
    if not os.environ.get("REDIS_URL"):
        locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        settings.CACHES = {**settings.CACHES, "default": locmem}
        token_cache.cache.clear()


def sid(pair: Pair) -> str:
    return UntypedToken(pair.access)["sid"]


def entry(pair: Pair, account: User) -> tuple[User, str] | None:
    return token_cache.jwt_cached(sid(pair), account.pk)[0]


@pytest.fixture
def cached(confirmed_user, password, django_assert_num_queries) -> Pair:
    """A JWT login of `confirmed_user` whose session the cache holds (its first use stored it)."""
    pair = Pair(confirmed_user.email, password)
    with django_assert_num_queries(1):  # the miss: the user, the session check folded in
        assert pair.bearer.get(DJOSER.profile).status_code == HTTPStatus.OK
    assert entry(pair, confirmed_user) is not None
    return pair


def assert_hit(pair: Pair, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = pair.bearer.get(DJOSER.profile)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["email"] == "ann@example.org"


def test_a_cached_session_reaches_the_profile_without_a_query(cached, django_assert_num_queries):
    assert_hit(cached, django_assert_num_queries)
    assert_hit(cached.rotate(), django_assert_num_queries)  # same session, same entry


def test_the_cache_never_holds_the_password_hash(cached, confirmed_user):
    user, password_digest = entry(cached, confirmed_user)

    assert "password" not in user.__dict__ and "last_login" not in user.__dict__
    assert confirmed_user.password not in repr(user.__dict__)
    assert password_digest == UntypedToken(cached.access)["hash_password"]
    assert user.password == confirmed_user.password  # loaded on demand


def test_a_token_without_a_session_id_skips_the_cache(confirmed_user, django_assert_num_queries):
    legacy = CommittingAPIClient(
        HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(confirmed_user)}"
    )
    legacy.get(DJOSER.profile)

    with django_assert_num_queries(1):
        assert legacy.get(DJOSER.profile).status_code == HTTPStatus.OK


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_logout_with_the_access_token_ends_the_cached_session_only(
    routes: RouteSet, cached, confirmed_user, password, django_assert_num_queries
):
    other = Pair(confirmed_user.email, password)
    other.bearer.get(DJOSER.profile)

    response = cached.bearer.post(routes.logout)

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    refused = cached.bearer.get(DJOSER.profile)
    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    assert refused.json() == REVOKED
    assert_hit(other, django_assert_num_queries)


def test_a_logout_with_the_refresh_token_ends_the_cached_session(cached):
    response = CommittingAPIClient().post(REST_AUTH.logout, {"refresh": cached.refresh})

    assert response.status_code == HTTPStatus.OK
    assert cached.bearer.get(DJOSER.profile).json() == REVOKED


@pytest.mark.parametrize("event", EVENTS.values(), ids=EVENTS.keys())
def test_the_event_ends_the_cached_session(
    event, cached, confirmed_user, password, admin_browser, django_assert_num_queries
):
    assert_hit(cached, django_assert_num_queries)

    event(confirmed_user, password, admin_browser)

    assert cached.bearer.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_a_save_from_a_shell_ends_the_cached_session(cached, confirmed_user):
    with TestCase.captureOnCommitCallbacks(execute=True):
        confirmed_user.is_active = False
        confirmed_user.save()

    refused = cached.bearer.get(DJOSER.profile)
    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    assert refused.json()["code"] == "user_inactive"


def test_a_name_change_shows_at_once(cached):
    patched = cached.bearer.patch(DJOSER.profile, {"first_name": "Ada"}, format="json")

    assert patched.status_code == HTTPStatus.OK
    assert cached.bearer.get(DJOSER.profile).json()["first_name"] == "Ada"


def test_a_login_leaves_the_entry_in_place(cached, confirmed_user, password):
    """Recording a login saves `last_login` alone, which no entry holds."""
    login = CommittingAPIClient().post(
        DJOSER.login, {"email": confirmed_user.email, "password": password}
    )

    assert login.status_code == HTTPStatus.OK
    assert entry(cached, confirmed_user) is not None


def test_a_token_minted_before_a_password_change_is_refused_on_a_hit(
    cached, confirmed_user, django_assert_num_queries
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        confirmed_user.set_password(NEW_PASSWORD)
        confirmed_user.save(update_fields=["password"])
    # A token of the same session minted after the change stores the entry again ...
    minted_after = AccessToken.for_user(confirmed_user)
    minted_after["sid"] = sid(cached)
    after = CommittingAPIClient(HTTP_AUTHORIZATION=f"Bearer {minted_after}")
    assert after.get(DJOSER.profile).status_code == HTTPStatus.OK
    with django_assert_num_queries(0):
        assert after.get(DJOSER.profile).status_code == HTTPStatus.OK

    # ... and the one minted before, served by that entry, carries the old password's digest.
    with django_assert_num_queries(0):
        refused = cached.bearer.get(DJOSER.profile)

    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    assert refused.json()["code"] == "password_changed"


@pytest.mark.parametrize("generation", ["account", "session"])
def test_an_evicted_generation_is_a_miss_never_a_stale_hit(
    generation, cached, confirmed_user, django_assert_num_queries
):
    _, account_key, session_key = token_cache.jwt_cache_keys(sid(cached), confirmed_user.pk)
    token_cache.cache.delete(account_key if generation == "account" else session_key)
    # An account change made while the generation was gone (no receiver saw it) ...
    User.objects.filter(pk=confirmed_user.pk).update(first_name="Behind")

    with django_assert_num_queries(1):
        response = cached.bearer.get(DJOSER.profile)

    # ... is read from the database: the entry stored before the eviction is never served.
    assert response.json()["first_name"] == "Behind"
    assert_hit(cached, django_assert_num_queries)


def test_an_entry_read_before_a_logout_and_stored_after_it_is_never_served(cached, confirmed_user):
    # A request misses, reads the generations, then the database ...
    token_cache.cache.delete(token_cache.jwt_cache_keys(sid(cached), confirmed_user.pk)[0])
    missed, generations = token_cache.jwt_cached(sid(cached), confirmed_user.pk)
    stale = User.objects.get(pk=confirmed_user.pk)
    # ... the session is ended by a logout that commits ...
    assert cached.bearer.post(DJOSER.logout).status_code == HTTPStatus.NO_CONTENT
    # ... and only then the slow request stores what it read.
    token_cache.jwt_store(sid(cached), stale, generations)

    assert missed is None
    assert entry(cached, confirmed_user) is None
    assert cached.bearer.get(DJOSER.profile).json() == REVOKED


def test_with_the_cache_unreachable_the_database_answers(settings, cached):
    settings.CACHES = {**settings.CACHES, "default": UNREACHABLE_REDIS}

    assert cached.bearer.get(DJOSER.profile).status_code == HTTPStatus.OK
    assert cached.bearer.post(DJOSER.logout).status_code == HTTPStatus.NO_CONTENT
    assert cached.bearer.get(DJOSER.profile).json() == REVOKED
