"""Profile one scenario's request with pyinstrument, in-process, against the bench database.

After a `make bench` (which writes bench/.data/requests/plan.json), with the same environment:

    .venv/bin/python bench/profile.py b [--requests 300] [--html bench/.data/b.html]

Sends the scenario's probe request through Django's test client (full middleware stack) once
to warm up, then `--requests` times under the profiler, and prints the call tree.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.probe import send  # noqa: E402
from bench.run import DATA, server_environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a probe key of plan.json: a, b, c, d, e, g, h")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML page here")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    arguments = parser.parse_args()
    os.environ.update(server_environment(smtp_port=1))
    plan = json.loads((DATA / "requests" / "plan.json").read_text())
    request = plan["probes"][arguments.scenario][0]

    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    status = send(client, request).status_code
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(arguments.requests):
            send(client, request)
    print(f"{arguments.scenario}: {request['method']} {request['path']} -> {status}")
    print(profiler.output_text(unicode=True, color=False, show_all=arguments.all))
    if arguments.html:
        arguments.html.write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
