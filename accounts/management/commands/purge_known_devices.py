"""`manage.py purge_known_devices [--dry-run]`: delete the devices accounts have not logged in
from for 90 days (each account's latest one is kept); run it daily."""

from django.core.management.base import BaseCommand

from accounts.services import known_devices_expired


class Command(BaseCommand):
    help = "Delete known devices unused for 90 days."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        expired = known_devices_expired()
        if dry_run:
            self.stdout.write(f"{expired.count()} known devices would be deleted")
            return
        deleted, _by_model = expired.delete()
        self.stdout.write(f"{deleted} known devices deleted")
