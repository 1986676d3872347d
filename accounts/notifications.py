"""Account messages: every account email (djoser's and allauth's too) goes through email_send."""

import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from accounts import links
from accounts.login_codes import CODE_VALIDITY
from accounts.mail_caps import mail_cap_allows
from emails.services import email_send

logger = logging.getLogger(__name__)


def send_confirmation(*, email: str, url: str) -> None:
    """The sign-up confirmation: djoser's activation link or allauth's verification link."""
    days = settings.ACCOUNT_ACTIVATION_DAYS
    email_send(to=email, template="account_confirmation", context={"url": url, "days": days})


def send_activation(user) -> None:
    send_confirmation(email=user.email, url=links.activation_link(user))


def send_already_registered(email: str) -> None:
    """Told to the owner when someone signs up with their address (no enumeration by sign-up)."""
    email_send(to=email, template="account_already_registered")


def send_data_export_notice(user) -> None:
    """Told to the account whenever its personal data is exported: a stolen login must not
    take a copy of it unnoticed."""
    message = (
        "A copy of the personal data your account holds was just exported "
        "(POST /auth/users/me/export/, which asks for your password).\n\n"
        "If it was not you, change your password at once and end the sessions you do not "
        "recognise (GET /auth/sessions/)."
    )
    email_send(
        to=user.email,
        template="account_notice",
        context={"subject": "Your account data was exported", "message": message},
    )


def send_password_reset(user) -> None:
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    context = {"url": links.password_reset_link(user), "hours": hours}
    email_send(to=user.email, template="account_password_reset", context=context)


def send_password_changed(user) -> None:
    email_send(to=user.email, template="account_password_changed")


# The email-change mails count against the recipient's hourly cap (accounts.mail_caps) here,
# so every caller of these functions is capped alike.
def send_email_change_link(*, new_email: str, key: str) -> None:
    if not mail_cap_allows(kind="email_change", email=new_email):
        return
    hours = max(1, settings.ACCOUNT_EMAIL_CHANGE_TIMEOUT // 3600)
    context = {"url": links.email_change_link(key), "new_email": new_email, "hours": hours}
    email_send(to=new_email, template="account_email_change", context=context)


def send_email_change_requested(*, user, new_email: str) -> None:
    if not mail_cap_allows(kind="email_change", email=user.email):
        return
    context = {"new_email": new_email}
    email_send(to=user.email, template="account_email_change_requested", context=context)


def send_email_change_taken(*, email: str) -> None:
    if not mail_cap_allows(kind="email_change", email=email):
        return
    email_send(to=email, template="account_email_change_taken")


def send_email_changed(*, old_email: str, new_email: str) -> None:
    email_send(to=old_email, template="account_email_changed", context={"new_email": new_email})


def send_new_signin(*, user, device: str, ip_address: str | None, when: datetime) -> None:
    """A login from a device the account has not used lately (accounts.services)."""
    if not mail_cap_allows(kind="new_signin", email=user.email):
        return
    context = {
        "device": device,
        "ip_address": ip_address or "unknown",
        "signed_in_at": f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
    }
    email_send(to=user.email, template="account_new_signin", context=context)


def send_login_code(*, user, code: str, url: str) -> None:
    """A sign-in code and its link (accounts.code_login, which counts it against the cap)."""
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    context = {"code": code, "url": url, "minutes": minutes}
    email_send(to=user.email, template="account_login_code", context=context)


def send_provider_linked(*, user, provider: str) -> None:
    """An identity provider can now sign into the account (accounts.social)."""
    email_send(to=user.email, template="account_provider_linked", context={"provider": provider})


def send_two_factor_notice(*, user, change: str, codes_left: int | None = None) -> None:
    """Two-factor authentication turned on or off (`enabled`, `disabled`, `reset` by staff),
    recovery codes regenerated (`regenerated`) or one used (`recovery_code_used`)."""
    context = {"change": change, "codes_left": codes_left}
    email_send(to=user.email, template="account_two_factor", context=context)


# --- allauth: DefaultAccountAdapter.send_mail(template_prefix, email, context) ---
ALLAUTH_MESSAGES = {
    "account/email/email_confirmation_signup": "account_confirmation",
    "account/email/email_confirmation": "account_confirmation",
    "account/email/account_already_exists": "account_already_registered",
    "account/email/password_reset_key": "account_password_reset",
    "account/email/password_changed": "account_password_changed",
    "account/email/password_reset": "account_password_changed",
    "account/email/password_set": "account_password_changed",
}


def send_allauth_message(template_prefix: str, email: str, context: dict[str, Any]) -> None:
    """allauth's messages under Canvass's templates; any other one inside the generic layout."""
    template = ALLAUTH_MESSAGES.get(template_prefix)
    if template is None:
        logger.info("allauth message %s sent with the generic account template", template_prefix)
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        message = render_to_string(f"{template_prefix}_message.txt", context)
        email_send(
            to=email,
            template="account_notice",
            context={"subject": " ".join(subject.split()), "message": message.strip()},
        )
        return
    url = context.get("activate_url") or context.get("password_reset_url")
    extra = {
        "url": url,
        "days": settings.ACCOUNT_ACTIVATION_DAYS,
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    email_send(to=email, template=template, context=extra)
