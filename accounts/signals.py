"""Keeps allauth's EmailAddress rows in step with the user row."""

from allauth.account.models import EmailAddress
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.sync_email_address")
def sync_email_address(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    """Mirror `User.email` and `is_active` into allauth's primary EmailAddress.

    allauth (and dj-rest-auth's login) read their own copy of the address and whether it is
    verified. The user row is the source of truth, and it changes in places allauth never
    hears of (djoser, the admin, a shell, `createsuperuser`), so a signal is the only hook that
    sees every change. Rules: the account keeps exactly one address row, the primary one, equal
    to `User.email`; a changed address carries the verified state of the one it replaces; an
    active account's address is verified (an active account is a confirmed one, see
    accounts.policy), while deactivating an account leaves it verified, so a deactivated account
    cannot confirm itself again.
    """
    if update_fields is not None and not {"email", "is_active"} & set(update_fields):
        return
    email = instance.email.lower()
    addresses = list(EmailAddress.objects.filter(user=instance))
    current = next((address for address in addresses if address.email == email), None)
    previous = current or next((address for address in addresses if address.primary), None)
    verified = instance.is_active or bool(previous and previous.verified)
    stale = [address.pk for address in addresses if address is not current]
    if stale:
        EmailAddress.objects.filter(pk__in=stale).delete()
    if current is None:
        EmailAddress.objects.create(user=instance, email=email, primary=True, verified=verified)
    elif not (current.primary and current.verified == verified):
        current.primary, current.verified = True, verified
        current.save(update_fields=["primary", "verified"])
