"""`manage.py purge_known_devices [--dry-run]`: delete the devices accounts have not logged in
from for 90 days (each account's latest one is kept); run it daily."""

from accounts.management.purge import PurgeCommand
from accounts.services import known_devices_expired


class Command(PurgeCommand):
    help = "Delete known devices unused for 90 days."
    what = "known devices"

    def expired(self):
        return known_devices_expired()
