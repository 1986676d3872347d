"""The shape of a sweep command (`send_queued_emails`, `send_webhooks`): one pass over what is
due, or passes every --interval seconds with --loop, for deployments without Celery beat."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_INTERVAL_SECONDS = 10.0


class SweepCommand(BaseCommand):
    def sweep(self, *, ignore_backoff: bool) -> tuple[str, bool]:
        """One pass: the line that reports it, and whether it did anything."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="repeat until interrupted")
        parser.add_argument(
            "--interval", type=float, default=None, help="seconds between passes (default 10)"
        )
        parser.add_argument(
            "--now", action="store_true", help="ignore backoff on the first pass (after an outage)"
        )

    def handle(self, *args, loop: bool, interval: float | None, now: bool, **options) -> None:
        if interval is not None and not loop:
            raise CommandError("--interval needs --loop")
        if interval is not None and interval <= 0:
            raise CommandError("--interval must be a positive number of seconds")
        ignore_backoff = now
        try:
            while True:
                line, worked = self.sweep(ignore_backoff=ignore_backoff)
                if worked or not loop:  # a quiet loop prints nothing
                    self.stdout.write(line)
                if not loop:
                    return
                ignore_backoff = False
                time.sleep(DEFAULT_INTERVAL_SECONDS if interval is None else interval)
        except KeyboardInterrupt:
            self.stdout.write("stopped")
