"""`manage.py purge_login_codes [--dry-run]`: forget emailed sign-in codes past their ten
minutes (accounts.code_login); a used or replaced code is deleted at once. Run it daily."""

from django.utils import timezone

from accounts.management.purge import PurgeCommand
from accounts.models import LoginCode


class Command(PurgeCommand):
    help = "Delete emailed sign-in codes that have expired."
    what = "expired sign-in codes"

    def expired(self):
        return LoginCode.objects.filter(expires_at__lte=timezone.now())
