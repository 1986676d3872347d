"""`make bench BENCH_ARGS="--compare REF"`: a git ref's code against the working tree, A/B.

On a shared machine two runs minutes apart measure two different machines. Here both servers
run at once on the same database (seeded by the working tree's bench/seed.py), and each
scenario is measured in short slices, alternating REF and the working tree (REF first in even
rounds, second in odd ones), so that both see the same minutes. Each round gives one ratio
(working tree ÷ REF requests/s); the scenario's ratio is their median, printed with the
minimum and maximum, and a scenario whose ratios spread (max - min) / median over 15 % is
flagged: its figure is noise-bound, measure it again or longer.

REF is exported with `git archive` into a temporary directory (no worktree is registered) and
served by the same Python environment. Its cache and broker use the next Redis database, so
that neither side reads the other's cached entries.
"""

import json
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.run import (
    DATA,
    HOST,
    RESULTS,
    ROOT,
    Scenario,
    Server,
    next_redis_database,
    requests_per_second,
    serving,
    wrk,
)

SPREAD_LIMIT = 0.15
# Sign-ups need the SMTP sinks of a full run; the baseline is here as a check (ratio ≈ 1).
SKIPPED = {"a_end", "i", "i_slow"}


def export(ref: str) -> Path:
    """REF's files in a temporary directory."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    directory = Path(tempfile.mkdtemp(prefix=f"canvass-ab-{commit[:8]}-"))
    archive = subprocess.Popen(["git", "archive", commit], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(directory)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"bench: git archive {ref} failed")
    return directory


def slice_files(scenario: Scenario, slices: int) -> list[str]:
    """A scenario whose requests must not repeat (one response per person and survey) gets
    disjoint shares of its request file, one per slice; the others replay the whole file."""
    if not scenario.unique:
        return [scenario.file] * slices
    lines = (DATA / "requests" / f"{scenario.file}.tsv").read_text().splitlines()
    bodies = [line for line in lines if line.startswith("B\t")]
    requests = [line for line in lines if line.startswith("R\t")]
    names = []
    for number in range(slices):
        name = f"{scenario.file}_ab{number}"
        share = requests[number::slices]
        (DATA / "requests" / f"{name}.tsv").write_text("\n".join([*bodies, *share]) + "\n")
        names.append(name)
    return names


def spread(ratios: list[float]) -> float:
    return (max(ratios) - min(ratios)) / statistics.median(ratios)


def alternate(
    sides: dict[str, Server],
    files: list[str] | dict[str, list[str]],
    scenario: Scenario,
    arguments,
    rounds: int,
    seconds: int,
    tag: str,
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """`rounds` slices of `seconds` per side, the sides' order reversed every other round;
    requests/s per side and slice, and errors per side. `files`: the request files in slice
    order, shared by the sides (a list) or per side (a dict)."""
    names = list(sides)
    rates: dict[str, list[float]] = {name: [] for name in names}
    errors = dict.fromkeys(names, 0)
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for position, side in enumerate(order):
            if isinstance(files, dict):
                file = files[side][number % len(files[side])]
            else:
                file = files[(len(names) * number + position) % len(files)]
            result = wrk(sides[side], scenario, arguments, seconds, f"{tag}-{side}", file)
            rates[side].append(requests_per_second(result))
            errors[side] += result["non2xx"] + sum(result["socket_errors"].values())
    return rates, errors


def ratio_summary(numerators: list[float], denominators: list[float]) -> dict:
    """Per-round ratios: median, min, max and spread; `noisy` past SPREAD_LIMIT."""
    ratios = [top / bottom for top, bottom in zip(numerators, denominators, strict=True)]
    return {
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "spread": round(spread(ratios), 3),
        "noisy": spread(ratios) > SPREAD_LIMIT,
    }


def compare(arguments, environment: dict[str, str], scenarios: list[Scenario], tag: str) -> int:
    ref_root = export(arguments.compare)
    ref_environment = dict(environment)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if environment.get(name):
            ref_environment[name] = next_redis_database(environment[name])
    rounds = max(2, arguments.rounds)
    seconds = max(2, arguments.duration // 3)
    measured = [scenario for scenario in scenarios if scenario.key not in SKIPPED]
    print(
        f"A/B: {arguments.compare} (port {arguments.port + 5}) vs the working tree "
        f"(port {arguments.port}), {rounds} rounds of {seconds} s per side and scenario",
        flush=True,
    )
    rows = {}
    try:
        with (
            serving(
                arguments, ref_environment, False, "ref", arguments.port + 5, root=ref_root
            ) as ref_server,
            serving(arguments, environment, False, "work", arguments.port) as work_server,
        ):
            sides = {"ref": ref_server, "work": work_server}
            for scenario in measured:
                files = slice_files(scenario, 2 * rounds + 2)
                if arguments.warmup:
                    for number, (side, server) in enumerate(sides.items()):
                        warm = files[-1 - number]
                        wrk(server, scenario, arguments, arguments.warmup, f"{tag}-{side}-w", warm)
                rates, errors = alternate(sides, files, scenario, arguments, rounds, seconds, tag)
                row = {
                    "title": scenario.title,
                    "ref_rps": round(statistics.median(rates["ref"]), 1),
                    "work_rps": round(statistics.median(rates["work"]), 1),
                    **ratio_summary(rates["work"], rates["ref"]),
                    "errors": errors,
                    "rounds": rounds,
                }
                rows[scenario.key] = row
                print(
                    f"  {scenario.key:<9} x{row['ratio_median']:.2f} "
                    f"(min {row['ratio_min']:.2f}, max {row['ratio_max']:.2f})"
                    f"{'  NOISY' if row['noisy'] else ''}",
                    flush=True,
                )
    finally:
        shutil.rmtree(ref_root, ignore_errors=True)
    print_table(arguments.compare, rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{tag}-compare.json"
    path.write_text(
        json.dumps({"ref": arguments.compare, "host": HOST, "scenarios": rows}, indent=2) + "\n"
    )
    print(f"written to {path.relative_to(ROOT)}")
    return 0


def print_table(ref: str, rows: dict[str, dict]) -> None:
    print(
        f"\n{'':<10}{'scenario':<50}{'REF req/s':>10}{'work req/s':>11}"
        f"{'ratio':>7}{'min':>6}{'max':>6}{'spread':>8}"
    )
    for key, row in rows.items():
        flag = "  > 15 %: noisy" if row["noisy"] else ""
        errors = "" if not any(row["errors"].values()) else f"  errors {row['errors']}"
        print(
            f"{key:<10}{row['title'][:49]:<50}{row['ref_rps']:>10.1f}{row['work_rps']:>11.1f}"
            f"{row['ratio_median']:>7.2f}{row['ratio_min']:>6.2f}{row['ratio_max']:>6.2f}"
            f"{row['spread'] * 100:>7.0f}%{flag}{errors}"
        )
    print(f"ratio = working tree ÷ {ref}, median of the rounds' ratios (min and max beside it)")
