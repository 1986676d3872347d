"""allauth.mfa's adapter: TOTP secrets and recovery-code seeds encrypted at rest (Fernet)."""

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings


def mfa_fernet() -> Fernet:
    """The cipher of the stored secrets: a key derived from MFA_ENCRYPTION_KEY, else from
    SECRET_KEY (settings/accounts.py says why a dedicated key is better)."""
    material = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(b"canvass.mfa.encryption:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class MFAAdapter(DefaultMFAAdapter):
    """allauth's default `encrypt` returns the secret unchanged; a database dump would hand
    out every account's second factor."""

    def encrypt(self, text: str) -> str:
        return mfa_fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_fernet().decrypt(encrypted_text.encode()).decode()

    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER

    def send_notification_mail(self, *args, **kwargs) -> None:
        """Canvass mails its own notices (accounts.two_factor), for the API and the pages."""
