"""`manage.py purge_token_sessions [--dry-run]`: delete token sessions past TOKEN_IDLE_DAYS
unused or TOKEN_MAX_AGE_DAYS since their login (refused already); run it daily."""

from accounts.management.purge import PurgeCommand
from accounts.sessions import expired_sessions


class Command(PurgeCommand):
    help = "Delete expired token sessions."
    what = "expired token sessions"

    def expired(self):
        return expired_sessions()
