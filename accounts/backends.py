"""Authentication backends: every password and REMOTE_USER login reaches the account policy here."""

from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.conf import settings
from django.contrib.auth.backends import ModelBackend, RemoteUserBackend

from accounts.lockout import attempt_release, attempt_reserve
from accounts.policy import account_can_log_in
from accounts.selectors import awaits_confirmation

# Set on the request when the password was right but the account was never confirmed: the
# login routes then say so (accounts.views.LoginRouteMixin). Never set for a wrong password.
AWAITS_CONFIRMATION = "login_awaits_confirmation"


class AccountBackend(ModelBackend):
    """Django's backend with `account_can_log_in` as its gate.

    djoser's token and JWT logins, dj-rest-auth, /api-token-auth/, allauth's and the admin's
    login pages all call `authenticate(request, ...)`, and session users are re-checked on every
    request through `get_user`, so this one method decides for all of them.

    Every password it checks is first counted as a failed login (accounts.lockout
    `attempt_reserve`): an attempt the lockout refuses is never checked, and a right password
    takes its count back. axes' backend before this one refuses an account already locked
    without counting anything.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        self.unconfirmed = False
        user = self._authenticate(request, username, password, **kwargs)
        if user is None and self.unconfirmed and request is not None:
            setattr(request, AWAITS_CONFIRMATION, True)
        return user

    def _authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or password is None or not settings.AXES_ENABLED:
            return super().authenticate(request, username, password, **kwargs)
        AxesProxyHandler.update_request(request)
        if not attempt_reserve(request, get_credentials(username, **kwargs)):
            request.axes_locked_out = True
            # authenticate() stops here and signals the failure; the answer is the lockout's.
            raise AxesBackendPermissionDenied("locked out before the password was checked")
        try:
            user = super().authenticate(request, username, password, **kwargs)
        except BaseException:
            attempt_release(request)  # no answer about the password was given
            raise
        if user is not None:
            attempt_release(request)
        return user

    def user_can_authenticate(self, user) -> bool:
        """Asked by ModelBackend only once the password matched."""
        allowed = account_can_log_in(user)
        if not allowed and awaits_confirmation(user):
            self.unconfirmed = True
        return allowed


class AccountRemoteUserBackend(RemoteUserBackend):
    """REMOTE_USER logins (REMOTE_USER_AUTH=1) for existing, confirmed accounts only."""

    create_unknown_user = False

    def user_can_authenticate(self, user) -> bool:
        return account_can_log_in(user)
