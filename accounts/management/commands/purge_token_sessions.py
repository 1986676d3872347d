"""`manage.py purge_token_sessions [--dry-run]`: delete token sessions past TOKEN_IDLE_DAYS
unused or TOKEN_MAX_AGE_DAYS since their login (refused already); run it daily."""

from django.core.management.base import BaseCommand

from accounts.sessions import expired_sessions


class Command(BaseCommand):
    help = "Delete expired token sessions."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        expired = expired_sessions()
        if dry_run:
            self.stdout.write(f"{expired.count()} expired token sessions would be deleted")
            return
        deleted, _by_model = expired.delete()
        self.stdout.write(f"{deleted} expired token sessions deleted")
