"""The absolute links of account emails, all on FRONTEND_URL (README "Accounts")."""

from accounts.tokens import activation_tokens, encode_uid, password_reset_tokens
from emails.rendering import frontend_link


def activation_link(user) -> str:
    return frontend_link(f"activate/{encode_uid(user.pk)}/{activation_tokens.make_token(user)}")


def verification_link(key: str) -> str:
    return frontend_link(f"verify-email/{key}")


def password_reset_link(user) -> str:
    uid, token = encode_uid(user.pk), password_reset_tokens.make_token(user)
    return frontend_link(f"password/reset/confirm/{uid}/{token}")


def email_change_link(key: str) -> str:
    return frontend_link(f"email/change/confirm/{key}")


def login_code_link(key: str) -> str:
    return frontend_link(f"login/code/{key}")
