"""`manage.py purge_ended_jwt_sessions [--dry-run]`: forget logged-out JWT sessions whose
tokens have all expired (accounts.jwt_sessions); run it daily, e.g. from cron."""

from django.utils import timezone

from accounts.management.purge import PurgeCommand
from accounts.models import EndedJwtSession


class Command(PurgeCommand):
    help = "Delete ended JWT sessions none of whose tokens can still be used."
    what = "ended JWT sessions"

    def expired(self):
        return EndedJwtSession.objects.filter(expires_at__lte=timezone.now())
