"""`manage.py outbox_status`: how many outbox rows are in each status."""

from django.core.management.base import BaseCommand

from emails.services import outbox_status_counts


class Command(BaseCommand):
    help = "Print the number of outbox rows per status."

    def handle(self, *args, **options) -> None:
        for status, count in outbox_status_counts().items():
            self.stdout.write(f"{status:<8} {count}")
