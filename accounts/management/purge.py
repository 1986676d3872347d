"""The shape of the daily purge commands: delete what `expired()` selects, or count it."""

from django.core.management.base import BaseCommand
from django.db.models import QuerySet


class PurgeCommand(BaseCommand):
    """`manage.py <purge> [--dry-run]`; a subclass names `what` it deletes and selects it."""

    what = "rows"

    def expired(self) -> QuerySet:
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        expired = self.expired()
        if dry_run:
            self.stdout.write(f"{expired.count()} {self.what} would be deleted")
            return
        deleted, _by_model = expired.delete()
        self.stdout.write(f"{deleted} {self.what} deleted")
