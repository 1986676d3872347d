"""`manage.py send_webhooks`: attempt due webhook deliveries, for deployments without beat."""

from emails.sweep_command import SweepCommand
from webhooks.services import deliveries_send_due


class Command(SweepCommand):
    help = (
        "Attempt every webhook delivery that is due (cron-able). --now also those still waiting "
        "out their backoff (first pass); --loop repeats every --interval seconds."
    )

    def sweep(self, *, ignore_backoff: bool) -> tuple[str, bool]:
        report = deliveries_send_due(ignore_backoff=ignore_backoff)
        line = f"delivered {report.delivered}, not delivered {report.not_delivered}"
        return line, bool(report.delivered or report.not_delivered)
