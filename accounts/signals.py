"""Keeps allauth's EmailAddress rows in step with the user row."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
from accounts.services import email_address_sync


@receiver(post_save, sender=User, dispatch_uid="accounts.sync_email_address")
def sync_email_address(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """Mirror `User.email` and `is_active` into allauth's primary EmailAddress (the rules:
    `accounts.services.email_address_sync`).

    The user row changes in places allauth never hears of (djoser, the admin, a shell,
    `createsuperuser`), so a signal is the only hook that sees every change.
    """
    if update_fields is not None and not {"email", "is_active"} & set(update_fields):
        return
    email_address_sync(user=instance)
