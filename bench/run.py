"""`make bench`: Canvass under gunicorn, driven by wrk, beside a bare-Django baseline.

    .venv/bin/python bench/run.py [--duration 10] [--warmup 3] [--workers N] [--only a,b]

DATABASE_URL / REDIS_URL as for the service: PostgreSQL + Redis when set (the database is
created when missing), else SQLite in bench/.data/ and the database cache. Prints a table and
writes bench/results/<timestamp>.json. Exits 0 whether targets pass or not (it reports them).
"""

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
RESULTS = BENCH / "results"
PYTHON = sys.executable
HOST = "127.0.0.1"
DEFAULT_PORT = 8400  # the server; the SMTP sinks, the drain's sink and a second server follow
SLOW_SMTP_SECONDS = 0.5


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    file: str
    # "load": 2 connections per worker, so a worker never waits for wrk (throughput).
    # "latency": one connection, so p50 is the request's own time, not time spent queueing
    # or sharing the CPU with a concurrent request (what the latency targets are about).
    mode: str = "load"
    # Requests that must not repeat (one response per person and survey).
    unique: bool = False


SCENARIOS = [
    Scenario("a", "baseline: GET /health/live/ (bare view, full middleware)", "a"),
    Scenario("b", "GET /auth/users/me/, Token", "b"),
    Scenario("c", "GET /auth/users/me/, JWT", "c"),
    Scenario("d", "GET /api/surveys/ (page of 20)", "d"),
    Scenario("d_expand", "GET /api/surveys/?expand=questions (page of 20)", "d_expand"),
    Scenario("e", "GET /api/surveys/{id}/ (50 questions x 6 choices)", "e"),
    Scenario("f", "POST /api/surveys/{id}/responses/ (50 answers)", "f", unique=True),
    Scenario("g", "GET /api/surveys/{id}/results/ (100,000 responses)", "g", mode="latency"),
    Scenario("h", "POST /auth/token/login/", "h", mode="latency"),
    # The machine is shared: the baseline again at the end shows how much the load drifted.
    Scenario("a_end", "baseline again, after the others", "a"),
    Scenario("i", "POST /auth/users/ (sign-up), instant SMTP sink", "i", mode="latency"),
    Scenario("i_slow", "POST /auth/users/ (sign-up), SMTP sink +500 ms", "i", mode="latency"),
]
BASELINE = SCENARIOS[0]
SIGN_UPS = {scenario.key: scenario for scenario in SCENARIOS if scenario.file == "i"}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load first")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--only", default="", help="comma list of scenario keys (default: all)")
    parser.add_argument("--results-responses", type=int, default=100_000)
    parser.add_argument(
        "--markdown", type=Path, help="print a results JSON as the README's table, run nothing"
    )
    parser.add_argument(
        "--compare",
        metavar="REF",
        help="A/B: run a git ref's code and the working tree alternately (bench/compare.py)",
    )
    parser.add_argument(
        "--rounds", type=int, default=6, help="alternating rounds per A/B or peer scenario"
    )
    parser.add_argument(
        "--no-peers", action="store_true", help="skip stock djoser beside (b) and (c)"
    )
    parser.add_argument(
        "--drain-messages",
        type=int,
        default=2000,
        help="messages for bench/email_drain.py (PostgreSQL + Redis only; 0 skips it)",
    )
    return parser.parse_args()


# --- environment ---


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    DATA.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA / 'bench.sqlite3'}"


def create_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def server_environment(smtp_port: int) -> dict[str, str]:
    """The service's own settings (settings.base, DEBUG=0) with what a loopback benchmark needs."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.base",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        # Plain HTTP on loopback: no redirect to https.
        "SECURE_SSL_REDIRECT": "0",
        # Every login and sign-up comes from 127.0.0.1: the per-address limits would answer 429
        # after ten requests and the run would measure the throttle, not the route.
        "THROTTLE_LOGIN": "1000000/min",
        "THROTTLE_REGISTRATION": "1000000/min",
        "EMAIL_URL": f"smtp://{HOST}:{smtp_port}?timeout=10",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }


def next_redis_database(url: str) -> str:
    """redis://host:6379/4 → redis://host:6379/5 (the bench's second Redis database)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1}"))


def run_python(arguments: list[str], environment: dict[str, str], **options):
    return subprocess.run([PYTHON, *arguments], cwd=ROOT, env=environment, check=True, **options)


def run_probe(environment: dict[str, str], parts: str) -> dict:
    plan = str(DATA / "requests" / "plan.json")
    command = ["bench/probe.py", plan, "--parts", parts]
    return json.loads(run_python(command, environment, capture_output=True, text=True).stdout)


# --- processes ---


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return sorted(found)


def memory_mb(pid: int) -> dict[str, float]:
    """RSS (what the issue's target is about) and PSS (RSS with shared pages split fairly)."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
    return {"rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1)}


def wait_until_serving(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"bench: the server did not answer {url} within {timeout:.0f} s")
        time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn_command(
    workers: int, port: int, log: Path, app: str = "settings.wsgi:application"
) -> list[str]:
    return [
        *(PYTHON, "-m", "gunicorn", app),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync"),
        *("--backlog", "2048", "--timeout", "120", "--graceful-timeout", "10"),
        *("--no-control-socket", "--log-level", "warning", "--error-logfile", str(log)),
    ]


@dataclass
class Server:
    master: subprocess.Popen
    url: str

    def workers(self) -> list[int]:
        return children_of(self.master.pid)

    def memory(self) -> list[dict[str, float]]:
        return [memory_mb(pid) for pid in self.workers()]


@contextmanager
def serving(
    arguments,
    environment: dict[str, str],
    broker: bool,
    name: str,
    port: int,
    root: Path = ROOT,
    app: str = "settings.wsgi:application",
) -> Iterator[Server]:
    """gunicorn (and, with a broker, one Celery worker delivering the outbox) for one phase."""
    DATA.mkdir(parents=True, exist_ok=True)
    processes = []
    if broker:
        run_python(
            ["-m", "celery", "-A", "settings.celery:app", "purge", "-f"],
            environment,
            stdout=subprocess.DEVNULL,
        )
        log = (DATA / f"celery-{name}.log").open("w")
        command = [
            *(PYTHON, "-m", "celery", "-A", "settings.celery:app", "worker"),
            *("--pool", "solo", "--hostname", f"bench-{name}@%h", "--loglevel", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        )
    command = gunicorn_command(arguments.workers, port, DATA / f"gunicorn-{name}.log", app)
    master = subprocess.Popen(command, cwd=root, env=environment)
    processes.append(master)
    server = Server(master, f"http://{HOST}:{port}")
    try:
        wait_until_serving(f"{server.url}/health/live/")
        yield server
    finally:
        for process in reversed(processes):
            stop(process)


# --- load ---


def wrk(server: Server, scenario: Scenario, arguments, seconds: int, tag: str, file: str) -> dict:
    connections = arguments.workers * 2 if scenario.mode == "load" else 1
    command = [
        *("wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"),
        *("-s", str(BENCH / "wrk" / "replay.lua"), server.url),
        *("--", str(DATA / "requests" / f"{file}.tsv"), tag, "1"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            result = json.loads(line.removeprefix("WRK_JSON "))
            result["connections"] = connections
            return result
    sys.exit(f"bench: wrk printed no summary for {scenario.key}:\n{output}")


def requests_per_second(result: dict) -> float:
    return result["requests"] / (result["duration_us"] / 1e6)


def measure(server: Server, scenario: Scenario, arguments, run_tag: str) -> dict:
    warm_file = f"{scenario.file}_warmup" if scenario.unique else scenario.file
    tag = f"{run_tag}-{scenario.key}"
    if arguments.warmup:
        wrk(server, scenario, arguments, arguments.warmup, f"{tag}-w", warm_file)
    # Other work on the machine comes and goes: a load scenario is judged against baseline
    # slices run just before and just after it, not only against the run's first minute.
    adjacent = scenario.mode == "load" and scenario.file != "a"
    slice_seconds = max(2, arguments.duration // 4)
    around = []
    if adjacent:
        around.append(wrk(server, BASELINE, arguments, slice_seconds, f"{tag}-b0", "a"))
    result = wrk(server, scenario, arguments, arguments.duration, tag, scenario.file)
    if adjacent:
        around.append(wrk(server, BASELINE, arguments, slice_seconds, f"{tag}-b1", "a"))
    settle(result)
    row = row_for(scenario, result, server.memory())
    if around:
        row["adjacent_baseline_rps"] = round(
            sum(requests_per_second(item) for item in around) / len(around), 1
        )
    return row


def measure_sign_ups(servers: dict[str, Server], arguments, run_tag: str) -> dict[str, dict]:
    """(i) against both sinks at once: two servers, their runs interleaved in short slices.

    A sequential pair would compare two different minutes of a shared machine; interleaving
    (instant, slow, then slow, instant, ...) gives both the same minutes.
    """
    rounds = 4
    slice_seconds = max(3, -(-arguments.duration // rounds))
    if arguments.warmup:
        for key, server in servers.items():
            wrk(server, SIGN_UPS[key], arguments, arguments.warmup, f"{run_tag}-{key}-w", "i")
    slices: dict[str, list[dict]] = {key: [] for key in servers}
    order = list(servers)
    for number in range(rounds):
        for key in order if number % 2 == 0 else reversed(order):
            tag = f"{run_tag}-{key}-{number}"
            slices[key].append(wrk(servers[key], SIGN_UPS[key], arguments, slice_seconds, tag, "i"))
    rows = {}
    for key, results in slices.items():
        combined = combined_result(results)
        settle(combined)
        rows[key] = row_for(SIGN_UPS[key], combined, servers[key].memory())
        rows[key]["slices"] = len(results)
    return rows


def combined_result(results: list[dict]) -> dict:
    """Several slices of one scenario: counts add up; p50 is the median of the slices' p50s."""
    statuses: dict[str, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "connections": results[0]["connections"],
        "requests": sum(result["requests"] for result in results),
        "duration_us": sum(result["duration_us"] for result in results),
        "non2xx": sum(result["non2xx"] for result in results),
        "statuses": statuses,
        "socket_errors": {
            name: sum(result["socket_errors"][name] for result in results)
            for name in results[0]["socket_errors"]
        },
        "p50_us": statistics.median(result["p50_us"] for result in results),
        "p90_us": statistics.median(result["p90_us"] for result in results),
        "p99_us": max(result["p99_us"] for result in results),
        "max_us": max(result["max_us"] for result in results),
        "wrapped": sum(result["wrapped"] for result in results),
    }


def settle(result: dict) -> None:
    """wrk stops sending, but the requests in flight still run (a password hash allocates its
    memory block): memory is read once they are done."""
    time.sleep(min(5.0, 0.5 + 2 * result["max_us"] / 1e6))


def row_for(scenario: Scenario, result: dict, memory: list[dict[str, float]]) -> dict:
    row = {
        "scenario": scenario.key,
        "title": scenario.title,
        "connections": result["connections"],
        "requests": result["requests"],
        "requests_per_second": round(requests_per_second(result), 1),
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p90_ms": round(result["p90_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "errors": result["non2xx"] + sum(result["socket_errors"].values()),
        "non2xx": result["non2xx"],
        "statuses": result["statuses"],
        "socket_errors": result["socket_errors"],
        "worker_rss_mb": max(item["rss_mb"] for item in memory),
        "worker_memory": memory,
    }
    if scenario.unique and result["wrapped"]:
        row["repeated_requests"] = True  # more requests than prepared: 409s among the errors
    print(
        f"  {scenario.key:<7} {row['requests_per_second']:>8.1f} req/s"
        f"  p50 {row['p50_ms']:>8.2f} ms  p99 {row['p99_ms']:>8.2f} ms  errors {row['errors']}",
        flush=True,
    )
    return row


def email_drain(messages: int, port: int) -> dict:
    """bench/email_drain.py (issue 4's drain figure), its summary read from what it prints."""
    drain = subprocess.run(
        [
            *(PYTHON, "bench/email_drain.py", "--messages", str(messages)),
            *("--workers", "2", "--port", str(port), "--timeout", "240"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = dict(re.findall(r"^([a-z_]+) +(\S+)$", drain.stdout, flags=re.MULTILINE))
    problems = [line for line in (drain.stdout + drain.stderr).splitlines() if "FAIL" in line]
    problems += [line for line in drain.stderr.splitlines() if line.startswith("timed out")]
    summary["verdict"] = "; ".join(problems) or (
        "passed" if drain.returncode == 0 else f"exit status {drain.returncode}"
    )
    return summary


# --- report ---


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def versions() -> dict:
    from importlib.metadata import version

    packages = ["django", "djangorestframework", "djoser", "gunicorn", "psycopg", "django-redis"]
    report = {name: version(name) for name in packages}
    report["wrk"] = (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        .stdout.split("[")[0]
        .strip()
    )
    return report


def targets(
    rows: dict[str, dict], probe: dict, postgres: bool, peers: dict | None = None
) -> list[dict]:
    """Each target of the issue with the figure it is judged on; None = not measured here."""
    queries = probe.get("queries", {})

    def ratio(key: str) -> float | None:
        return rows[key].get("ratio_to_baseline") if key in rows else None

    def count(key: str) -> int | None:
        return queries[key]["queries"] if key in queries else None

    def versus_stock(key: str) -> float | None:
        return (peers or {}).get(key, {}).get("ratio_median")

    def p50(key: str) -> float | None:
        return rows[key]["p50_ms"] if key in rows else None

    hash_ms = probe.get("password_check", {}).get("median_ms")
    login_overhead = round(p50("h") - hash_ms, 2) if p50("h") is not None and hash_ms else None
    signup_change = (
        round(p50("i_slow") / p50("i") - 1, 3) if p50("i") and p50("i_slow") is not None else None
    )
    rss = max((row["worker_rss_mb"] for row in rows.values()), default=None)
    answer_counts = {count("f"), count("f_small")}
    checks = [
        ("(b) Token /me throughput", ratio("b"), ">=", 0.6, "x baseline"),
        ("(b) queries per request", count("b"), "<=", 1, ""),
        ("(c) JWT /me throughput", ratio("c"), ">=", 0.55, "x baseline"),
        ("(b) Token /me vs stock djoser (same run)", versus_stock("b"), ">=", 2, "x stock"),
        ("(c) JWT /me vs stock simplejwt (same run)", versus_stock("c"), ">=", 2, "x stock"),
        ("(d) list queries", count("d"), "<=", 4, ""),
        ("(e) detail queries", count("e"), "<=", 4, ""),
        (
            "(f) response queries, 50 vs 4 answers",
            None if None in answer_counts else f"{count('f')} vs {count('f_small')}",
            "constant",
            len(answer_counts) == 1,
            "",
        ),
        (
            "(g) results p50" + ("" if postgres else " (target is for PostgreSQL)"),
            p50("g"),
            "<",
            300,
            "ms",
        ),
        ("(h) login p50 - password check", login_overhead, "<=", 15, "ms"),
        ("(i) sign-up p50, slow vs instant SMTP", signup_change, "<=", 0.10, "relative"),
        ("worker RSS after the run", rss, "<=", 150, "MB"),
    ]
    verdicts = []
    for name, value, operator, limit, unit in checks:
        if value is None:
            passed = None
        elif operator == ">=":
            passed = value >= limit
        elif operator == "<=":
            passed = value <= limit
        elif operator == "<":
            passed = value < limit
        else:  # "constant": judged above, `limit` holds the verdict
            passed, limit = limit, ""
        verdicts.append(
            {
                "target": name,
                "value": value,
                "limit": f"{operator} {limit}",
                "unit": unit,
                "met": passed,
            }
        )
    return verdicts


def print_report(report: dict) -> None:
    rows, queries = report["scenarios"], report["probe"].get("queries", {})
    print()
    print(
        f"{'':<8}{'scenario':<54}{'req/s':>8}{'x base':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'queries':>9}{'RSS MB':>8}"
    )
    for key, row in rows.items():
        ratio = row["ratio_to_baseline"]
        counted = queries.get(key, {})
        query_text = "-"
        if counted:
            query_text = str(counted["queries"])
            if counted["cache_table_queries"]:
                query_text += f" ({counted['cache_table_queries']}c)"
        print(
            f"{key:<8}{row['title'][:53]:<54}{row['requests_per_second']:>8.1f}"
            f"{'-' if ratio is None else f'{ratio:.2f}':>8}"
            f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['errors']:>8}{query_text:>9}{row['worker_rss_mb']:>8.1f}"
        )
    probe = report["probe"]
    if "password_check" in probe:
        check = probe["password_check"]
        print(
            f"\npassword check: {check['algorithm']} {check['parameters']}: "
            f"{check['median_ms']} ms (median)"
        )
    if "csv_export" in probe:
        export = probe["csv_export"]
        print(
            f"CSV export: {export['rows']} rows, {export['megabytes']} MB "
            f"in {export['seconds']} s, "
            f"peak RSS +{export['peak_growth_mb']} MB (streaming: {export['streaming']})"
        )
    if report.get("email_drain"):
        drain = report["email_drain"]
        print(
            f"outbox drain (bench/email_drain.py): {drain.get('messages')} messages, "
            f"{drain.get('workers')} workers, {drain.get('messages_per_second')} messages/s, "
            f"{drain.get('received_by_smtp')} received: {drain['verdict']}"
        )
    for key, peer in report.get("peers", {}).items():
        print(
            f"({key}) Canvass / stock djoser: x{peer['ratio_median']:.2f} "
            f"(min {peer['ratio_min']:.2f}, max {peer['ratio_max']:.2f}, {peer['rounds']} rounds"
            f"{', spread over 15 %' if peer['noisy'] else ''}); "
            f"{peer['canvass_rps']} vs {peer['stock_rps']} req/s, errors {peer['errors']}"
        )
    if "sink_received" in report:
        received = report["sink_received"]
        print(
            f"SMTP sinks received: instant {received['instant']}, "
            f"+{SLOW_SMTP_SECONDS * 1000:.0f} ms {received['slow']}"
        )
    print("\ntargets:")
    for verdict in report["targets"]:
        mark = {True: "met", False: "MISSED", None: "n/a"}[verdict["met"]]
        print(
            f"  {mark:<7}{verdict['target']:<52}{verdict['value']!s:>10} "
            f"{verdict['unit']:<12}({verdict['limit']})"
        )
    print(
        f"\n{report['configuration']['database']} + {report['configuration']['cache']}; "
        f"{report['seconds']} s in all; written to {report['path']}"
    )


def markdown(report: dict) -> str:
    """A results JSON as the tables of bench/README.md."""
    queries = report["probe"].get("queries", {})
    machine, configuration = report["machine"], report["configuration"]
    lines = [
        f"`{report['started']}`: {configuration['database']} + {configuration['cache']}, "
        f"{configuration['workers']} gunicorn workers, {configuration['duration_s']} s per "
        f"scenario; {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"load average {machine['load_average_at_start'][0]} at the start.",
        "",
        "| | scenario | req/s | x baseline | p50 ms | p99 ms | errors | queries | RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, row in report["scenarios"].items():
        counted = queries.get(key)
        query_text = "-"
        if counted:
            cache_note = f" ({counted['cache_table_queries']}c)"
            query_text = (
                f"{counted['queries']}{cache_note if counted['cache_table_queries'] else ''}"
            )
        ratio = row["ratio_to_baseline"]
        lines.append(
            f"| {key} | {row['title']} | {row['requests_per_second']:.1f} | "
            f"{'-' if ratio is None else f'{ratio:.2f}'} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row['errors']} | {query_text} | {row['worker_rss_mb']:.0f} |"
        )
    lines += ["", "| target | measured | limit | |", "|---|---:|---|---|"]
    for verdict in report["targets"]:
        mark = {True: "met", False: "**missed**", None: "n/a"}[verdict["met"]]
        lines.append(
            f"| {verdict['target']} | {verdict['value']} {verdict['unit']} | "
            f"{verdict['limit']} | {mark} |"
        )
    return "\n".join(lines)


# --- main ---


def main() -> int:
    arguments = parse_arguments()
    if arguments.markdown:
        print(markdown(json.loads(arguments.markdown.read_text())))
        return 0
    started = time.monotonic()
    wanted = {key for key in arguments.only.split(",") if key}
    scenarios = [
        s for s in SCENARIOS if not wanted or s.key in wanted or s.key.split("_")[0] in wanted
    ]
    instant_port, slow_port, drain_port = arguments.port + 1, arguments.port + 2, arguments.port + 3
    second_server_port = arguments.port + 4
    url = database_url()
    postgres = is_postgres(url)
    redis = bool(os.environ.get("REDIS_URL"))
    broker = bool(os.environ.get("CELERY_BROKER_URL") or redis)
    if postgres:
        create_postgres_database(url)
    environment = server_environment(instant_port)
    run_tag = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    report: dict = {
        "started": run_tag,
        "machine": machine(),
        "versions": versions(),
        "configuration": {
            "database": "PostgreSQL" if postgres else "SQLite",
            "cache": "Redis" if redis else "database cache",
            "email_delivery": "Celery worker (solo pool)" if broker else "in-process after commit",
            "workers": arguments.workers,
            "gunicorn": " ".join(
                gunicorn_command(arguments.workers, arguments.port, Path("LOG"))[3:]
            ),
            "wrk": "-t1 --timeout 30s; load scenarios 2 connections per worker, latency ones 1",
            "duration_s": arguments.duration,
            "warmup_s": arguments.warmup,
            "throttle_overrides": {
                "THROTTLE_LOGIN": "1000000/min",
                "THROTTLE_REGISTRATION": "1000000/min",
            },
        },
    }
    print(
        f"bench: {report['configuration']['database']} + {report['configuration']['cache']}, "
        f"{arguments.workers} workers, {arguments.duration} s per scenario",
        flush=True,
    )

    run_python(["manage.py", "migrate", "--noinput", "-v", "0"], environment)
    run_python(
        [
            "bench/seed.py",
            *("--out", str(DATA / "requests"), "--tag", run_tag),
            *("--results-responses", str(arguments.results_responses)),
        ],
        environment,
    )
    plan = json.loads((DATA / "requests" / "plan.json").read_text())
    if arguments.compare:
        from bench.compare import compare

        return compare(arguments, environment, scenarios, run_tag)

    from tests.smtp import SmtpSink

    instant = SmtpSink(port=instant_port).start()
    slow = SmtpSink(port=slow_port, delay=SLOW_SMTP_SECONDS).start()
    rows: dict[str, dict] = {}
    probe: dict = {}
    try:
        with serving(arguments, environment, broker, "main", arguments.port) as server:
            for scenario in scenarios:
                if scenario.key in SIGN_UPS:
                    continue
                if scenario.key == "h":
                    # The check alone, timed just before and after the login run.
                    before = run_probe(environment, "password")["password_check"]
                rows[scenario.key] = measure(server, scenario, arguments, run_tag)
                if scenario.key == "h":
                    after = run_probe(environment, "password")["password_check"]
                    probe["password_check"] = {
                        **after,
                        "median_ms": round((before["median_ms"] + after["median_ms"]) / 2, 2),
                        "before_and_after_ms": [before["median_ms"], after["median_ms"]],
                    }
            peer_keys = [key for key in ("b", "c") if key in {s.key for s in scenarios}]
            if peer_keys and not arguments.no_peers:
                from bench.peers.side_by_side import measure_peers

                print("stock djoser beside Canvass (bench/peers):", flush=True)
                report["peers"] = measure_peers(arguments, server, peer_keys, run_tag)
        # The export reads the results survey: with (g) only, so a partial run stays short.
        wanted_parts = "queries,csv" if any(s.key == "g" for s in scenarios) else "queries"
        probe.update(run_probe(environment, wanted_parts))
        if {"i", "i_slow"} <= {s.key for s in scenarios}:
            slow_environment = server_environment(slow_port)
            if broker:
                # Its own queue, so that the slow sink's worker delivers the slow server's mail.
                slow_environment["CELERY_BROKER_URL"] = next_redis_database(
                    environment.get("CELERY_BROKER_URL") or environment["REDIS_URL"]
                )
            with (
                serving(arguments, environment, broker, "instant", arguments.port) as fast_server,
                serving(
                    arguments, slow_environment, broker, "slow", second_server_port
                ) as slow_server,
            ):
                servers = {"i": fast_server, "i_slow": slow_server}
                rows.update(measure_sign_ups(servers, arguments, run_tag))
            report["sink_received"] = {"instant": len(instant.raw), "slow": len(slow.raw)}
    finally:
        instant.stop()
        slow.stop()

    if postgres and broker and arguments.drain_messages:
        report["email_drain"] = email_drain(arguments.drain_messages, drain_port)

    baselines = [rows[key]["requests_per_second"] for key in ("a", "a_end") if key in rows]
    baseline = sum(baselines) / len(baselines) if baselines else None
    report["baseline_requests_per_second"] = baseline
    for row in rows.values():
        against = row.get("adjacent_baseline_rps") or baseline
        row["ratio_to_baseline"] = (
            round(row["requests_per_second"] / against, 3) if against else None
        )
    report["scenarios"] = rows
    report["probe"] = probe
    report["plan"] = {key: value for key, value in plan.items() if key != "probes"}
    report["targets"] = targets(rows, probe, postgres, report.get("peers"))
    report["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{run_tag}.json"
    report["path"] = str(path.relative_to(ROOT))
    path.write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
