"""Requests released together from many threads, for the tests of races."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def at_once(count: int, send: Callable[[int], int]) -> list[int]:
    """`send(number)` from `count` threads released together; their answers."""
    start = threading.Barrier(count)

    def run(number: int) -> int:
        start.wait()
        try:
            return send(number)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))
