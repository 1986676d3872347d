"""`manage.py purge_webhook_deliveries [--dry-run]`: delivered and failed rows past retention."""

from django.core.management.base import BaseCommand, CommandParser

from webhooks.services import deliveries_purgeable


class Command(BaseCommand):
    help = "Delete webhook deliveries delivered or failed more than WEBHOOKS_PURGE_AFTER_DAYS ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        expired = deliveries_purgeable()
        if dry_run:
            self.stdout.write(f"{expired.count()} webhook deliveries would be deleted")
            return
        deleted, _by_model = expired.delete()
        self.stdout.write(f"{deleted} webhook deliveries deleted")
