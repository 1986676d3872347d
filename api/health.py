"""Health probes: `/health/` (database and cache answer), `/health/live/` (the process answers)."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down" to a probe
        logger.warning("health: database check failed", exc_info=True)
        return False


def cache_answers() -> bool:
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        answered = cache.get(key) == "1"
        cache.delete(key)
        return answered
    except Exception:  # any backend error means "down" to a probe
        logger.warning("health: cache check failed", exc_info=True)
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_answers(), "cache": cache_answers()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process serves requests; touches neither database nor cache.

    A restart is the cure for what this detects, so a database outage must not fail it (that
    is `/health/`'s job). It is also the benchmark's baseline: a bare view through the full
    middleware stack (bench/README.md).
    """
    return JsonResponse({"status": "ok"})
