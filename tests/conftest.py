"""Fixtures shared by the whole suite."""

import os

import pytest
from django.test import Client, TestCase
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://…"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL"))


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Throttle and lockout counters live in the cache; no test may see another's."""
    uses_database = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_database:
        from django.core.cache import caches

        for alias in ("default", "database"):
            caches[alias].clear()
    yield


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def user_factory():
    return UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


class CommitEachRequestMixin:
    """Run the request's `transaction.on_commit` callbacks when it returns, as a real commit would.

    pytest-django wraps each test in a transaction that never commits, so without this the mail
    a request queues after commit would never leave inside a test.
    """

    def request(self, *args, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(*args, **kwargs)


class CommittingClient(CommitEachRequestMixin, Client):
    pass


class CommittingAPIClient(CommitEachRequestMixin, APIClient):
    pass


@pytest.fixture
def client() -> Client:
    return CommittingClient()


@pytest.fixture
def api_client() -> APIClient:
    return CommittingAPIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = CommittingAPIClient()
    client.force_authenticate(user)
    return client
