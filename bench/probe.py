"""Measurements beside the load: DB queries per request, one password check, CSV export memory.

Run by bench/run.py in the server's environment, as a process of its own, after the load:

    python bench/probe.py PLAN_JSON [--parts queries,password,csv]

Queries per request: each scenario's request goes through Django's test client (the same URL
map, middleware, authentication and views as under gunicorn, against the same database and
cache) twice (or two of a kind where a request cannot repeat: answers, sign-ups); the second
is counted with CaptureQueriesContext, after its credential was used once, so per-process
warm-up (content types, a first cache fill) is not counted, as it is not under load. Queries
against the database cache's table are counted apart: without REDIS_URL the cache (throttles,
lockout counters, token cache) lives in the database.

Prints one JSON object.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HASH_SAMPLES = 25


def proc_status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def send(client, request: dict):
    headers = {"Accept": "application/json"}
    if request["authorization"]:
        headers["Authorization"] = request["authorization"]
    body = request["body"] or None
    return client.generic(
        request["method"],
        request["path"],
        data=body or "",
        content_type="application/json" if body else "",
        headers=headers,
    )


def queries_per_request(client, probes: dict[str, list[dict]]) -> dict[str, dict]:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache_table = settings.CACHES["database"]["LOCATION"]
    counted = {}
    for name, (warm_up, measured) in probes.items():
        send(client, warm_up)
        if measured["authorization"]:
            # Under load a credential is used again and again: the token cache knows it.
            send(client, {**measured, "method": "GET", "path": "/auth/users/me/", "body": ""})
        with CaptureQueriesContext(connection) as captured:
            response = send(client, measured)
        statements = [query["sql"] for query in captured.captured_queries]
        counted[name] = {
            "status": response.status_code,
            "queries": len(statements),
            "cache_table_queries": sum(cache_table in sql for sql in statements),
            "statements": [sql[:160] for sql in statements],
        }
    return counted


def password_check() -> dict:
    """One `check_password` with the configured hasher (the login's own cost), median of 25."""
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    hasher = get_hasher()
    encoded = make_password("bench-password-for-timing")
    timings = []
    for _ in range(HASH_SAMPLES):
        started = time.perf_counter()
        if not check_password("bench-password-for-timing", encoded):
            raise RuntimeError("the password check failed")
        timings.append(time.perf_counter() - started)
    parameters = {
        name: getattr(hasher, name)
        for name in ("time_cost", "memory_cost", "parallelism", "iterations")
        if hasattr(hasher, name)
    }
    return {
        "hasher": f"{type(hasher).__module__}.{type(hasher).__name__}",
        "algorithm": hasher.algorithm,
        "parameters": parameters,
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "min_ms": round(min(timings) * 1000, 2),
    }


def csv_export(client, survey: int, authorization: str) -> dict:
    """Stream the CSV export and read the process's peak RSS above where it started."""
    reset_peak_rss()
    before = proc_status_kib("VmRSS")
    started = time.perf_counter()
    response = client.get(
        f"/api/surveys/{survey}/responses/?format=csv", headers={"Authorization": authorization}
    )
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak = proc_status_kib("VmHWM")
    return {
        "status": response.status_code,
        "streaming": response.streaming,
        "rows": lines - 1,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_growth_mb": round((peak - before) / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--parts", default="queries,password,csv")
    arguments = parser.parse_args()
    plan = json.loads(arguments.plan.read_text())
    parts = set(arguments.parts.split(","))
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    report = {}
    if "queries" in parts:
        report["queries"] = queries_per_request(client, plan["probes"])
    if "password" in parts:
        report["password_check"] = password_check()
    if "csv" in parts:
        survey, authorization = plan["results_survey"], plan["owner_authorization"]
        report["csv_export"] = csv_export(client, survey, authorization)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
