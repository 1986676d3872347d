"""Password resets as a client asks for them: the uid and token of the link mailed back."""

from tests.accounts.conftest import link_from_last_mail, uid_token


def request_reset(api_client, routes, email: str) -> tuple[str, str]:
    api_client.post(routes.reset, {"email": email})
    return uid_token(link_from_last_mail(email, "/password/reset/confirm/"))
