"""The endpoint cache: an emit reads no endpoint when the cache holds them, and every change to
an endpoint, committed by any process, is seen by the very next emit.

Changes commit for real here (transactional_db): that is what another process's emit sees. The
cache is Redis when REDIS_URL is set, the database cache otherwise.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from webhooks import endpoint_cache, events, services
from webhooks.delivery import endpoint_disable
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)

EVENT = events.SURVEY_RESPONSE_CREATED


@pytest.fixture(autouse=True)
def _endpoint_cache_on(settings, monkeypatch):
    settings.WEBHOOKS_ENDPOINT_CACHE_SECONDS = 300
    # Only which rows an emit writes matters here, not their delivery.
    monkeypatch.setattr(events, "dispatch_delivery", lambda pks: None)


def endpoint_add(url: str = "https://hooks.example.org/a", events: list[str] | None = None):
    return Endpoint.objects.create(url=url, events=events or ["*"], secret="whsec_x")


def emit_in_a_transaction() -> set[int]:
    """The endpoints one emit, in a transaction of its own, queued a delivery for."""
    with transaction.atomic():
        pks = events.emit(EVENT, {"id": 1})
    return set(Delivery.objects.filter(pk__in=pks).values_list("endpoint_id", flat=True))


def endpoint_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "webhooks_endpoint" in q["sql"]]


def test_an_emit_reads_no_endpoint_when_the_cache_holds_them():
    first = endpoint_add()
    assert emit_in_a_transaction() == {first.pk}  # stores the list

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        pks = events.emit(EVENT, {"id": 1})

    assert len(pks) == 1
    assert endpoint_queries(captured) == []


def test_every_committed_change_is_seen_by_the_next_emit():
    first = endpoint_add()
    assert emit_in_a_transaction() == {first.pk}

    added = endpoint_add(url="https://hooks.example.org/b")  # as another process would
    assert emit_in_a_transaction() == {first.pk, added.pk}

    added.events = [events.ACCOUNT_CREATED]
    added.save()
    assert emit_in_a_transaction() == {first.pk}

    endpoint_disable(first.pk, reason="test")  # a queryset update, no signal
    assert emit_in_a_transaction() == set()

    first.refresh_from_db()
    first.enabled = True
    first.save()  # enabled again, as in the admin
    assert emit_in_a_transaction() == {first.pk}

    assert services.endpoint_remove(pk=first.pk)
    assert emit_in_a_transaction() == set()
    assert Endpoint.objects.filter(enabled=True).count() == 1  # `added`, not subscribed


def test_a_transaction_sees_its_own_change_and_a_rolled_back_one_is_never_cached():
    first = endpoint_add()
    assert emit_in_a_transaction() == {first.pk}

    with pytest.raises(RuntimeError), transaction.atomic():
        added = endpoint_add(url="https://hooks.example.org/b")
        pks = events.emit(EVENT, {"id": 1})
        assert set(Delivery.objects.filter(pk__in=pks).values_list("endpoint_id", flat=True)) == {
            first.pk,
            added.pk,
        }
        raise RuntimeError("roll back")

    assert emit_in_a_transaction() == {first.pk}


def test_a_cache_error_reads_the_database(monkeypatch):
    first = endpoint_add()

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(endpoint_cache.cache, "get_many", unreachable)
    assert emit_in_a_transaction() == {first.pk}


def test_without_the_cache_every_emit_reads_the_endpoints(settings):
    settings.WEBHOOKS_ENDPOINT_CACHE_SECONDS = 0
    endpoint_add()
    emit_in_a_transaction()

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        events.emit(EVENT, {"id": 1})

    assert len(endpoint_queries(captured)) == 1
