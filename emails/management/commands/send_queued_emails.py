"""`manage.py send_queued_emails`: deliver due outbox rows, for deployments without Celery beat."""

from emails.services import outbox_send_due
from emails.sweep_command import SweepCommand


class Command(SweepCommand):
    help = (
        "Send every outbox message that is due (cron-able). --now also sends those still "
        "waiting out their backoff (first pass); --loop repeats every --interval seconds."
    )

    def sweep(self, *, ignore_backoff: bool) -> tuple[str, bool]:
        report = outbox_send_due(ignore_backoff=ignore_backoff)
        return f"sent {report.sent}, not sent {report.not_sent}", bool(
            report.sent or report.not_sent
        )
