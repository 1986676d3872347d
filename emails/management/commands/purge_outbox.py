"""`manage.py purge_outbox [--older-than DAYS] [--dry-run]`: delete old sent and failed rows."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emails.services import outbox_purge, outbox_purgeable


class Command(BaseCommand):
    help = (
        "Delete sent and failed outbox rows older than --older-than days "
        "(default OUTBOX_PURGE_AFTER_DAYS). Queued and sending rows are never purged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=None, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, older_than: int | None, dry_run: bool, **options) -> None:
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than must be zero or more days")
        if dry_run:
            count = outbox_purgeable(older_than_days=older_than).count()
            self.stdout.write(f"would purge {count} rows (dry run, nothing deleted)")
            return
        self.stdout.write(f"purged {outbox_purge(older_than_days=older_than)} rows")
