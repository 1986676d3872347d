"""Authentication backends: every password and REMOTE_USER login reaches the account policy here."""

from django.contrib.auth.backends import ModelBackend, RemoteUserBackend

from accounts.policy import account_can_log_in


class AccountBackend(ModelBackend):
    """Django's backend with `account_can_log_in` as its gate.

    djoser's token and JWT logins, dj-rest-auth, /api-token-auth/, allauth's and the admin's
    login pages all call `authenticate(request, ...)`, and session users are re-checked on every
    request through `get_user`, so this one method decides for all of them.
    """

    def user_can_authenticate(self, user) -> bool:
        return account_can_log_in(user)


class AccountRemoteUserBackend(RemoteUserBackend):
    """REMOTE_USER logins (REMOTE_USER_AUTH=1) for existing, confirmed accounts only."""

    create_unknown_user = False

    def user_can_authenticate(self, user) -> bool:
        return account_can_log_in(user)
