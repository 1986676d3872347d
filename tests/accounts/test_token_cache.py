"""The token cache: a cached token costs no query, and every revocation path ends it at once."""

from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import token_cache
from accounts.models import TokenSession
from accounts.sessions import key_digest
from tests.accounts.conftest import (
    DJOSER,
    NEW_PASSWORD,
    link_from_last_mail,
    login,
    token_client,
    uid_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token_cache_on(settings):
    settings.TOKEN_CACHE_SECONDS = 300


@pytest.fixture
def admin_client(client, user_factory):
    staff = user_factory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.fixture
def cached_key(api_client, confirmed_user, password) -> str:
    """A token of `confirmed_user` that the cache holds (its first use stored it)."""
    key = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.OK
    assert token_cache.token_cached(key_digest(key))[0] is not None
    return key


def account_queries(captured: CaptureQueriesContext) -> list[str]:
    """Statements that read tokens or accounts (a database cache's own table aside)."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if "accounts_tokensession" in query["sql"] or "accounts_user" in query["sql"]
    ]


def test_a_cached_token_reaches_the_profile_without_reading_token_or_account(cached_key):
    with CaptureQueriesContext(connection) as captured:
        response = token_client(cached_key).get(DJOSER.profile)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["email"] == "ann@example.org"
    assert account_queries(captured) == []


def test_the_cache_never_holds_the_password_hash(cached_key, confirmed_user):
    token, _ = token_cache.token_cached(key_digest(cached_key))

    assert "password" not in token.user.__dict__
    assert token.user.password == confirmed_user.password  # loaded on demand


def test_a_login_keeps_the_entry_and_a_later_save_never_writes_back_an_older_last_login(
    api_client, cached_key, confirmed_user, password
):
    assert login(api_client, DJOSER, confirmed_user.email, password).status_code == HTTPStatus.OK
    confirmed_user.refresh_from_db()
    logged_in_at = confirmed_user.last_login
    assert token_cache.token_cached(key_digest(cached_key))[0] is not None

    patched = token_client(cached_key).patch(DJOSER.profile, {"last_name": "L"}, format="json")

    assert patched.status_code == HTTPStatus.OK
    confirmed_user.refresh_from_db()
    assert confirmed_user.last_name == "L"
    assert confirmed_user.last_login == logged_in_at


def test_without_the_cache_a_token_costs_one_query(settings, cached_key):
    settings.TOKEN_CACHE_SECONDS = 0

    with CaptureQueriesContext(connection) as captured:
        response = token_client(cached_key).get(DJOSER.profile)

    assert response.status_code == HTTPStatus.OK
    assert len(account_queries(captured)) == 1


def test_logout_ends_the_cached_token(routes, cached_key):
    logged_out = token_client(cached_key).post(routes.logout)

    assert logged_out.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert token_client(cached_key).get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_a_password_change_keeps_the_callers_cached_token_and_ends_the_others(
    routes, api_client, cached_key, confirmed_user, password
):
    other = login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    assert token_client(other).get(routes.profile).status_code == HTTPStatus.OK  # now cached
    payload = routes.password_change_payload(password, NEW_PASSWORD)

    changed = token_client(cached_key).post(routes.password_change, payload, format="json")

    assert changed.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert token_client(cached_key).get(routes.profile).status_code == HTTPStatus.OK
    assert token_client(other).get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_a_password_reset_ends_the_cached_token(routes, api_client, cached_key, confirmed_user):
    asked = api_client.post(routes.reset, {"email": confirmed_user.email}, format="json")
    assert asked.status_code == routes.reset_status
    uid, reset_token = uid_token(link_from_last_mail(confirmed_user.email, "/password/reset/"))

    confirmed = api_client.post(
        routes.reset_confirm,
        routes.reset_confirm_payload(uid, reset_token, NEW_PASSWORD),
        format="json",
    )

    assert confirmed.status_code == routes.reset_confirmed_status
    assert token_client(cached_key).get(routes.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_deactivation_in_the_admin_ends_the_cached_token(admin_client, cached_key, confirmed_user):
    # The change form as the admin submits it, with "active" unticked.
    data = {
        "email": confirmed_user.email,
        "first_name": confirmed_user.first_name,
        "last_name": confirmed_user.last_name,
        "emailaddress_set-TOTAL_FORMS": "1",
        "emailaddress_set-INITIAL_FORMS": "1",
        "emailaddress_set-0-id": str(EmailAddress.objects.get(user=confirmed_user).pk),
        "emailaddress_set-0-user": str(confirmed_user.pk),
    }

    response = admin_client.post(f"/admin/accounts/user/{confirmed_user.pk}/change/", data)

    assert response.status_code == HTTPStatus.FOUND
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_a_deactivation_that_keeps_the_token_row_still_ends_the_cached_token(
    cached_key, confirmed_user, django_capture_on_commit_callbacks
):
    """A save outside the services (a shell, a data fix) leaves the token row in place."""
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_user.is_active = False
        confirmed_user.save()

    assert TokenSession.objects.filter(key_digest=key_digest(cached_key)).exists()
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_deleting_the_account_ends_the_cached_token(cached_key, password):
    deleted = token_client(cached_key).delete(
        DJOSER.profile, {"current_password": password}, format="json"
    )

    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_deleting_the_token_session_in_the_admin_ends_it(admin_client, cached_key):
    session = TokenSession.objects.get(key_digest=key_digest(cached_key))
    path = f"/admin/accounts/tokensession/{session.pk}/delete/"

    response = admin_client.post(path, {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert not TokenSession.objects.filter(pk=session.pk).exists()
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_a_name_change_shows_at_once(routes, cached_key):
    patched = token_client(cached_key).patch(routes.profile, {"first_name": "Ada"}, format="json")

    assert patched.status_code == HTTPStatus.OK
    assert token_client(cached_key).get(routes.profile).json()["first_name"] == "Ada"


def test_an_entry_read_before_a_revocation_and_stored_after_it_is_never_served(
    cached_key, confirmed_user, django_capture_on_commit_callbacks
):
    token, _ = token_cache.token_cached(key_digest(cached_key))
    assert token is not None
    # A request misses after the entry expired, reads the generation and the database ...
    token_cache.cache.delete(token_cache.cache_keys(key_digest(cached_key))[0])
    missed, generation = token_cache.token_cached(key_digest(cached_key))
    stale = TokenSession.objects.select_related("user").get(key_digest=key_digest(cached_key))
    # ... the account is deactivated and that commits ...
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_user.is_active = False
        confirmed_user.save()
    # ... and only then the slow request stores what it read.
    token_cache.token_store(stale, generation)

    assert missed is None
    assert token_cache.token_cached(key_digest(cached_key))[0] is None
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


# --- a revocation the cache did not take ---


class CacheWrites:
    """Stands in for the generation write: down (raises) or up (records the key)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures, self.written = failures, []

    def __call__(self, generation_key: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("cache unreachable")
        self.written.append(generation_key)


class PendingWithoutThread(token_cache.PendingRevocations):
    def _run(self) -> None:  # the test drives retry() itself
        return


def test_a_revocation_missed_while_the_cache_was_down_ends_the_entry_once_it_answers(
    monkeypatch, cached_key
):
    pending = PendingWithoutThread()
    monkeypatch.setattr(token_cache, "pending_revocations", pending)
    monkeypatch.setattr(token_cache, "_write_generation", CacheWrites(failures=1))

    assert token_client(cached_key).post(DJOSER.logout).status_code == HTTPStatus.NO_CONTENT
    # The generation stayed: the entry is still there to be served ...
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.OK
    monkeypatch.undo()  # ... until the cache takes the retried revocation.
    monkeypatch.setattr(token_cache, "pending_revocations", pending)

    assert pending.retry() == 0
    assert token_client(cached_key).get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED


def test_the_retry_thread_runs_until_the_cache_takes_the_revocation_then_stops(
    monkeypatch, settings
):
    writes = CacheWrites(failures=2)
    monkeypatch.setattr(token_cache, "_write_generation", writes)
    monkeypatch.setattr(token_cache.PendingRevocations, "RETRY_SECONDS", 0.01)
    pending = token_cache.PendingRevocations()

    pending.add("accounts:token-generation:x")
    thread = pending.thread
    assert thread is not None
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert pending.thread is None
    assert writes.written == ["accounts:token-generation:x"]


def test_a_revocation_older_than_every_entry_is_dropped_without_a_write(monkeypatch, settings):
    settings.TOKEN_CACHE_SECONDS = 0  # every entry stored before it has expired
    writes = CacheWrites()
    monkeypatch.setattr(token_cache, "_write_generation", writes)
    pending = PendingWithoutThread()

    pending.add("accounts:token-generation:x")

    assert pending.retry() == 0
    assert writes.written == []
