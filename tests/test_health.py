"""The /health/ probe reports the database and the cache; /health/live/ only the process."""

from http import HTTPStatus

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_database_and_cache_answer(client):
    response = client.get("/health/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_health_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        },
    }
    response = client.get("/health/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"]["cache"] == "down"


@pytest.fixture
def database_down(monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)


def test_health_is_503_when_the_database_is_unreachable(client, database_down):
    response = client.get("/health/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"]["database"] == "down"


def test_liveness_answers_without_touching_database_or_cache(
    client, monkeypatch, django_assert_num_queries
):
    from django.core.cache.backends.db import DatabaseCache
    from django_redis.cache import RedisCache

    def refuse(*args, **kwargs):
        raise AssertionError("the liveness probe must not use the cache")

    for backend in (DatabaseCache, RedisCache):
        monkeypatch.setattr(backend, "get", refuse)
        monkeypatch.setattr(backend, "set", refuse)
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_liveness_stays_ok_while_the_database_is_down(client, database_down):
    response = client.get("/health/live/")
    assert response.status_code == HTTPStatus.OK


def test_liveness_refuses_writes(client):
    response = client.post("/health/live/")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
