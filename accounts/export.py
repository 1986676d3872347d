"""The personal-data export: everything Canvass holds about one account, as one JSON document.

accounts gathers what it owns (the account, its addresses, sessions, audit events, social
accounts). Apps above accounts add their own sections through `export_section_register`
(surveys does so in its AppConfig.ready): accounts may not import them, and a new app that
stores personal data adds its section without accounts changing.
"""

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent, PendingEmailChange, TokenSession, User

ExportSection = Callable[[User], Any]

# The sections of other apps, by name; each one's value is [] until its app registers.
CONTRIBUTED_SECTIONS = ("surveys", "responses")
_contributors: dict[str, ExportSection] = {}

# Claims a provider may hand over that are credentials, not facts about the person.
SECRET_CLAIMS = {"access_token", "refresh_token", "id_token", "token", "code"}


def export_section_register(name: str, section: ExportSection) -> None:
    """Let an app above accounts fill the export's section `name` for an account."""
    if name not in CONTRIBUTED_SECTIONS:
        raise ValueError(f"unknown export section {name!r}")
    _contributors[name] = section


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def account_section(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
    }


def email_addresses_section(user: User) -> list[dict[str, Any]]:
    addresses = [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("pk")
    ]
    pending = [
        {"email": change.new_email, "verified": False, "primary": False, "pending_change": True}
        for change in PendingEmailChange.objects.filter(user=user)
    ]
    return addresses + pending


def sessions_section(user: User) -> list[dict[str, Any]]:
    """Every session row (never a key or digest)."""
    return [
        {
            "id": session.pk,
            "kind": session.kind,
            "method": session.method,
            "created": _when(session.created_at),
            "last_seen": _when(session.last_seen_at),
            "ip": session.ip_address,
            "user_agent": session.user_agent,
        }
        for session in TokenSession.objects.filter(user=user).order_by("-created_at", "-pk")
    ]


def audit_events_section(user: User) -> list[dict[str, Any]]:
    """Events the account made, or that name one of its addresses."""
    addresses = {
        user.email,
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
    }
    about = Q(actor=user) | Q(target__in=addresses) | Q(actor_email__in=addresses)
    return [
        {
            "time": _when(event.created_at),
            "event": event.event,
            "outcome": event.outcome,
            "target": event.target,
            "detail": event.detail,
            "route": event.route,
            "ip": event.ip_address,
            "user_agent": event.user_agent,
        }
        for event in AuditEvent.objects.filter(about).order_by("created_at", "pk")
    ]


def social_accounts_section(user: User) -> list[dict[str, Any]]:
    return [
        {
            "provider": account.provider,
            "uid": account.uid,
            "date_joined": _when(account.date_joined),
            "last_login": _when(account.last_login),
            "extra_data": {
                key: value
                for key, value in (account.extra_data or {}).items()
                if key not in SECRET_CLAIMS
            },
        }
        for account in SocialAccount.objects.filter(user=user).order_by("pk")
    ]


def personal_data_export(user: User) -> dict[str, Any]:
    """The whole document: the account's own sections, then the contributed ones."""
    document: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": account_section(user),
        "email_addresses": email_addresses_section(user),
        "sessions": sessions_section(user),
        "audit_events": audit_events_section(user),
        "social_accounts": social_accounts_section(user),
    }
    for name in CONTRIBUTED_SECTIONS:
        section = _contributors.get(name)
        document[name] = section(user) if section is not None else []
    return document
