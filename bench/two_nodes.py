"""Throughput through HAProxy with one Canvass node and with two (tests/cluster.py topology).

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/two_nodes.py \
        [--duration 10] [--workers 1] [--only b,e]

Run after a `make bench` on the same database (it replays bench/.data/requests/). Each node is
a gunicorn with `--workers` sync workers; HAProxy balances round robin. The one-node and
two-node runs alternate in slices (one, two, two, one, …) so that both see the same minutes.
On this 2-core machine two nodes share the same cores: the figure shows the balancer's and the
shared state's overhead, not scaling (that needs nodes on separate machines).
"""

import argparse
import json
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    DATA,
    RESULTS,
    SCENARIOS,
    Server,
    database_url,
    requests_per_second,
    server_environment,
    wrk,
)
from tests.cluster import haproxy, node  # noqa: E402
from tests.smtp import SmtpSink  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per configuration")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per node")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--only", default="b,e")
    arguments = parser.parse_args()
    if not (DATA / "requests" / "plan.json").exists():
        sys.exit("bench/two_nodes.py: run `make bench` first (it seeds the requests)")
    sink = SmtpSink().start()
    environment = {**server_environment(sink.port), "TRUSTED_PROXY_COUNT": "1"}
    keys = [key for key in arguments.only.split(",") if key]
    seconds = max(2, arguments.duration // arguments.rounds)
    report: dict = {
        "database": database_url().split("://")[0],
        "workers_per_node": arguments.workers,
    }
    try:
        with ExitStack() as stack:
            a = stack.enter_context(node("a", environment, workers=arguments.workers))
            b = stack.enter_context(node("b", environment, workers=arguments.workers))
            proxies = {
                "one node": Server(a.process, stack.enter_context(haproxy([a]))),
                "two nodes": Server(a.process, stack.enter_context(haproxy([a, b]))),
            }
            for key in keys:
                scenario = next(item for item in SCENARIOS if item.key == key)
                # Both nodes serve: connections per node as bench/run.py gives one server.
                load = argparse.Namespace(workers=2 * arguments.workers)
                for name, proxy in proxies.items():
                    wrk(proxy, scenario, load, arguments.warmup, f"two-{name}-w", scenario.file)
                rates: dict[str, list[float]] = {name: [] for name in proxies}
                names = list(proxies)
                for number in range(arguments.rounds):
                    for name in names if number % 2 == 0 else names[::-1]:
                        result = wrk(proxies[name], scenario, load, seconds, "two", scenario.file)
                        rates[name].append(requests_per_second(result))
                row = {name: round(statistics.median(values), 1) for name, values in rates.items()}
                report[key] = {"title": scenario.title, **row}
                print(
                    f"{key}: {scenario.title}: one node {row['one node']} req/s, "
                    f"two nodes {row['two nodes']} req/s through HAProxy "
                    f"({arguments.workers} worker(s) per node)",
                    flush=True,
                )
    finally:
        sink.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "two-nodes-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
