"""Fixtures shared by the whole suite."""

import os

import pytest
from django.test import Client, TestCase
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.oidc_provider import provider_entry, provider_process, provider_settings

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

# Real SMTP fixtures (`smtp_server`, `smtp_transport`) for any test that needs them.
pytest_plugins = ["tests.smtp"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://…"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL"))


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Throttle and lockout counters live in the cache; no test may see another's."""
    wanted = [n for n in ("transactional_db", "live_server", "db") if n in request.fixturenames]
    database_fixture = wanted[0] if wanted else None
    if database_fixture:
        # Autouse fixtures run before the test's own arguments: set the database up first.
        request.getfixturevalue(database_fixture)
    if database_fixture or request.node.get_closest_marker("django_db"):
        from django.core.cache import caches

        for alias in ("default", "database"):
            caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _no_revocation_retry_left_running():
    """A revocation the cache missed starts the process's retry thread (accounts.token_cache);
    left running, it would write through the next test's stand-in for the cache."""
    yield
    from accounts.token_cache import pending_revocations

    with pending_revocations.lock:
        pending_revocations.deadlines.clear()
        thread = pending_revocations.thread
    if thread is not None:
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _mail_through_the_outbox(settings):
    """Every test's mail takes the production path: outbox row → on_commit → delivery task.

    Django's test set-up swaps EMAIL_BACKEND for locmem; this puts the outbox back, with locmem
    as its transport (EMAIL_URL=locmem:), so `mail.outbox`/`mailoutbox` fills once the
    transaction commits: after each request of `client`/`api_client`, or inside
    `django_capture_on_commit_callbacks(execute=True)` when a test calls a service directly.
    Delivery runs in-process (Celery eager) even when REDIS_URL configures a broker.
    """
    from settings.celery import app

    settings.EMAIL_BACKEND = "emails.backends.OutboxBackend"
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was_eager


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


# --- OpenID Connect: a real provider process on loopback (tests/oidc_provider.py) ---
@pytest.fixture(scope="session")
def oidc_provider_process():
    with provider_process() as provider:
        yield provider


@pytest.fixture
def oidc(settings, oidc_provider_process):
    """The provider configured as `acme` (OIDC_PROVIDERS, OIDC_REDIRECT_URIS)."""
    for name, value in provider_settings(
        [provider_entry("acme", oidc_provider_process.url)]
    ).items():
        setattr(settings, name, value)
    return oidc_provider_process
