"""`manage.py purge_audit_events --older-than DAYS [--dry-run]`: the audit log's retention."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import AuditEvent

BATCH = 10_000


class Command(BaseCommand):
    help = "Delete audit events older than DAYS (default: AUDIT_RETENTION_DAYS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.AUDIT_RETENTION_DAYS,
            metavar="DAYS",
            help="age in days past which events are deleted (default %(default)s)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, older_than: int, dry_run: bool, **options) -> None:
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days")
        cutoff = timezone.now() - timedelta(days=older_than)
        expired = AuditEvent.objects.filter(created_at__lt=cutoff)
        if dry_run:
            count = expired.count()
            self.stdout.write(f"{count} audit events older than {older_than} days would be deleted")
            return
        deleted = 0
        # In batches: one huge DELETE would hold its locks for as long as it runs.
        while batch := list(expired.values_list("pk", flat=True)[:BATCH]):
            deleted += AuditEvent.objects.filter(pk__in=batch).delete()[0]
        self.stdout.write(f"{deleted} audit events older than {older_than} days deleted")
