"""`manage.py purge_ended_jwt_sessions [--dry-run]`: forget logged-out JWT sessions whose
tokens have all expired (accounts.jwt_sessions); run it daily, e.g. from cron."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import EndedJwtSession


class Command(BaseCommand):
    help = "Delete ended JWT sessions none of whose tokens can still be used."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        expired = EndedJwtSession.objects.filter(expires_at__lte=timezone.now())
        if dry_run:
            self.stdout.write(f"{expired.count()} ended JWT sessions would be deleted")
            return
        deleted, _by_model = expired.delete()
        self.stdout.write(f"{deleted} ended JWT sessions deleted")
