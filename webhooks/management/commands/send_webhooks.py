"""`manage.py send_webhooks`: attempt due webhook deliveries, for deployments without beat."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks.services import deliveries_send_due


class Command(BaseCommand):
    help = (
        "Attempt every webhook delivery that is due (cron-able). --now also those still waiting "
        "out their backoff (first pass); --loop repeats every --interval seconds."
    )

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
                report = deliveries_send_due(ignore_backoff=ignore_backoff)
                if report.delivered or report.not_delivered or not loop:
                    self.stdout.write(
                        f"delivered {report.delivered}, not delivered {report.not_delivered}"
                    )
                if not loop:
                    return
                ignore_backoff = False
                time.sleep(10 if interval is None else interval)
        except KeyboardInterrupt:
            self.stdout.write("stopped")
