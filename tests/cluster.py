"""Several Canvass nodes behind HAProxy, with Celery workers: the production topology of
docs/deploying.md on loopback, for tests/test_two_nodes.py and `bench/two_nodes.py`.

Each node is a gunicorn master with its workers in a process group of its own, so that a test
can kill a whole node at once (`Node.kill`) the way a machine going away would.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = "/usr/sbin/haproxy"


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_serving(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == HTTPStatus.OK:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal a process started with start_new_session=True and everything it started."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """The node goes away at once: master and workers, requests in flight included."""
        stop_group(self.process, signal.SIGKILL)


@contextmanager
def node(
    name: str, environment: dict[str, str], *, workers: int = 1, app_root: Path = ROOT
) -> Iterator[Node]:
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "settings.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync"),
        *("--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning"),
        "--no-control-socket",
    ]
    process = subprocess.Popen(
        command,
        cwd=app_root,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = Node(name, port, process)
    try:
        wait_serving(f"{started.url}/health/live/")
        yield started
    finally:
        stop_group(process)


HAPROXY_CONFIG = """\
global
    maxconn 2048

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A busy sync worker answers a check late, not never: only a node that refuses the
    # connection (or stays silent for 5 s) is taken out.
    timeout check 5s
    # A node that refuses the connection (gone) is retried on another one.
    retries 3
    option redispatch
    option forwardfor

frontend canvass
    bind 127.0.0.1:{port}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/live/ ver HTTP/1.1 hdr Host 127.0.0.1
{servers}
"""


@contextmanager
def haproxy(nodes: list[Node]) -> Iterator[str]:
    """HAProxy on a free loopback port in front of `nodes` (round robin, health checked every
    300 ms); yields its base URL."""
    port = free_port()
    servers = "\n".join(
        f"    server {item.name} 127.0.0.1:{item.port} check inter 300ms fall 2 rise 1"
        for item in nodes
    )
    with tempfile.TemporaryDirectory(prefix="canvass-haproxy-") as directory:
        config = Path(directory) / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
        process = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_serving(f"{base}/health/live/")
            yield base
        finally:
            stop_group(process)


@contextmanager
def celery_workers(environment: dict[str, str], count: int, log_directory: Path) -> Iterator[None]:
    """`count` Celery workers (no beat) consuming the same broker."""
    with ExitStack() as stack:
        for number in range(count):
            log = stack.enter_context((log_directory / f"worker-{number}.log").open("w"))
            command = [
                *(sys.executable, "-m", "celery", "-A", "settings.celery:app", "worker"),
                *("--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "INFO"),
                *("--hostname", f"canvass-node-{number}-{uuid.uuid4().hex[:6]}@%h"),
            ]
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            stack.callback(stop_group, process)
        yield
