"""Canvass beside stock djoser (bench/peers/stock) in the same run: token and JWT `/me`.

The peer is served by the same gunicorn command (workers, backlog, timeouts) on port P+6,
against its own database on the same server (`<bench database>_peer`, or a SQLite file beside
the bench's). Canvass's (b) or (c) and the peer's alternate in short slices, so that both see
the same minutes of a shared machine; each round gives one Canvass ÷ stock ratio, and the
figure is their median with the minimum and maximum.
"""

import os
import statistics
import subprocess
from urllib.parse import urlsplit, urlunsplit

from bench.compare import alternate, ratio_summary
from bench.run import (
    DATA,
    PYTHON,
    ROOT,
    SCENARIOS,
    Server,
    create_postgres_database,
    database_url,
    is_postgres,
    serving,
)

PEER_PORT_OFFSET = 6
PAIRS = {"b": "peer_b", "c": "peer_c"}  # Canvass scenario → the peer's request file


def peer_database_url() -> str:
    url = database_url()
    if is_postgres(url):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_peer"))
    return f"sqlite:///{DATA / 'peer.sqlite3'}"


def peer_environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.peers.stock.settings",
        "PEER_DATABASE_URL": peer_database_url(),
    }


def seed(environment: dict[str, str]) -> None:
    url = environment["PEER_DATABASE_URL"]
    if is_postgres(url):
        create_postgres_database(url)
    subprocess.run(
        [PYTHON, "bench/peers/seed.py", str(DATA / "requests")],
        cwd=ROOT,
        env=environment,
        check=True,
    )


def measure_peers(arguments, canvass: Server, keys: list[str], tag: str) -> dict[str, dict]:
    """Canvass ÷ stock for each of `keys` (b, c) that was asked for."""
    environment = peer_environment()
    seed(environment)
    rounds = max(2, arguments.rounds)
    seconds = max(2, arguments.duration // 3)
    rows = {}
    port = arguments.port + PEER_PORT_OFFSET
    with serving(
        arguments, environment, False, "peer", port, app="bench.peers.stock.wsgi:application"
    ) as peer:
        sides = {"canvass": canvass, "stock": peer}
        for key in keys:
            scenario = next(item for item in SCENARIOS if item.key == key)
            files = {"canvass": [scenario.file], "stock": [PAIRS[key]]}
            if arguments.warmup:
                alternate(sides, files, scenario, arguments, 1, arguments.warmup, f"{tag}-w")
            rates, errors = alternate(sides, files, scenario, arguments, rounds, seconds, tag)
            rows[key] = {
                "canvass_rps": round(statistics.median(rates["canvass"]), 1),
                "stock_rps": round(statistics.median(rates["stock"]), 1),
                **ratio_summary(rates["canvass"], rates["stock"]),
                "errors": errors,
                "rounds": rounds,
            }
            row = rows[key]
            print(
                f"  {key} vs stock: x{row['ratio_median']:.2f} "
                f"(min {row['ratio_min']:.2f}, max {row['ratio_max']:.2f})"
                f"{'  NOISY' if row['noisy'] else ''}",
                flush=True,
            )
    return rows
