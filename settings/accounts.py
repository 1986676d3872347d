"""Account libraries: DRF authentication, djoser, dj-rest-auth, allauth, simplejwt, axes."""

# The account rules live in accounts/ (policy, services); these settings only wire the libraries
# to them through their documented override points.

from datetime import timedelta

from settings.env import DEBUG, REDIS_URL, env

# --- link lifetimes ---
# Activation / email verification links (both sign-up routes); reset links use Django's
# PASSWORD_RESET_TIMEOUT (settings/base.py).
ACCOUNT_ACTIVATION_DAYS = env.int("ACCOUNT_ACTIVATION_DAYS", default=3)
ACCOUNT_ACTIVATION_TIMEOUT = ACCOUNT_ACTIVATION_DAYS * 24 * 3600
ACCOUNT_EMAIL_CHANGE_TIMEOUT = env.int("ACCOUNT_EMAIL_CHANGE_TIMEOUT", default=24 * 3600)

# --- authentication backends --- https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
# Axes first (it refuses locked-out credentials before any password check); then the one
# backend every login route reaches, which asks accounts.policy.account_can_log_in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",
]
# For deployments that authenticate at the web server (REMOTE_USER): never creates accounts.
REMOTE_USER_AUTH = env.bool("REMOTE_USER_AUTH", default=False)
if REMOTE_USER_AUTH:
    AUTHENTICATION_BACKENDS.append("accounts.backends.AccountRemoteUserBackend")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/auth/users/me/"

# --- Django REST framework: the account entries (REST_FRAMEWORK, settings/base.py) ---
# The three documented ways in: the OpenAPI document names these (SPECTACULAR_SETTINGS).
# Order matters: the first class names the WWW-Authenticate challenge of a 401.
DOCUMENTED_AUTHENTICATION_CLASSES = [
    "accounts.authentication.TokenAuthentication",
    "accounts.authentication.JWTAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# Basic (DEBUG) and REMOTE_USER are deployment conveniences, not part of the API.
API_AUTHENTICATION_CLASSES = list(DOCUMENTED_AUTHENTICATION_CLASSES)
if DEBUG:
    API_AUTHENTICATION_CLASSES.append("rest_framework.authentication.BasicAuthentication")
if REMOTE_USER_AUTH:
    API_AUTHENTICATION_CLASSES.append("rest_framework.authentication.RemoteUserAuthentication")

# Scoped rates (README "Throttle rates"), each a fixed window counted atomically in Redis, or in
# the database without it (accounts/counters.py), shared by workers.
# Per client address. Under DEBUG=1 (`make run`: one developer, or a test suite driving the
# service from 127.0.0.1) every request comes from one address, and production rates would
# answer 429 after ten sign-ups; the per-account lockout below keeps its production limit there.
_PRODUCTION_RATES = {"login": "10/min", "per_hour": "10/hour"}
_DEVELOPMENT_RATES = {"login": "600/min", "per_hour": "1000/hour"}
_RATES = _DEVELOPMENT_RATES if DEBUG else _PRODUCTION_RATES
THROTTLE_RATES = {
    "login": env.str("THROTTLE_LOGIN", default=_RATES["login"]),
    "registration": env.str("THROTTLE_REGISTRATION", default=_RATES["per_hour"]),
    "activation": env.str("THROTTLE_ACTIVATION", default=_RATES["per_hour"]),
    "password_reset": env.str("THROTTLE_PASSWORD_RESET", default=_RATES["per_hour"]),
    "email_change": env.str("THROTTLE_EMAIL_CHANGE", default=_RATES["per_hour"]),
}
# --- mail caps --- accounts/mail_caps.py
# Account mails of one kind (password reset, confirmation resend, "already registered" notice,
# email-change link and notices) one address receives per hour, whoever asks; 0: no cap.
MAIL_CAP_PER_HOUR = env.int("MAIL_CAP_PER_HOUR", default=3)

# --- client address --- accounts/clients.py
# Proxies in front of Canvass that append the address they saw to X-Forwarded-For. 0: the
# client is REMOTE_ADDR and X-Forwarded-For is ignored (any client can write it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- audit log --- accounts/audit.py
# Days an audit event is kept by `manage.py purge_audit_events` (run it daily, e.g. from cron).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# --- counter cache --- accounts/counters.py
# Seconds before an unreachable REDIS_URL is tried again; meanwhile throttles and the lockout
# count in the database (the accounts_counter table).
COUNTER_CACHE_RETRY_SECONDS = env.int("COUNTER_CACHE_RETRY_SECONDS", default=30)

# --- token cache --- accounts/token_cache.py
# Seconds a token session or a JWT session (its `sid`), with its account, is served from the cache
# (0: off). Every revocation ends an entry at once; this bounds only changes made behind
# Django's back (raw SQL, a queryset .update()). On with Redis; the database cache would answer
# with a query anyway.
TOKEN_CACHE_SECONDS = env.int("TOKEN_CACHE_SECONDS", default=300 if REDIS_URL else 0)

# --- token sessions --- accounts/sessions.py
# A token session (one login's `Authorization: Token` key) ends after this many days unused,
# and this many days after its login, whichever comes first.
TOKEN_IDLE_DAYS = env.int("TOKEN_IDLE_DAYS", default=14)
TOKEN_MAX_AGE_DAYS = env.int("TOKEN_MAX_AGE_DAYS", default=60)
# Live token sessions one account may hold; a login past it ends the oldest.
SESSIONS_MAX_PER_ACCOUNT = env.int("SESSIONS_MAX_PER_ACCOUNT", default=100)

# --- new sign-in notice --- accounts.services.known_device_record
# A login from a (user agent, client address) pair the account has not used in 90 days mails it
# a notice; 0 turns the mail off (the pairs are still recorded).
NEW_SIGNIN_EMAIL = env.bool("NEW_SIGNIN_EMAIL", default=True)

# --- djoser --- https://djoser.readthedocs.io/en/latest/settings.html
DJOSER = {
    "LOGIN_FIELD": "email",
    "HIDE_USERS": True,
    "SERIALIZERS": {
        "user_create": "accounts.serializers.DjoserRegistrationSerializer",
        "user": "accounts.serializers.ProfileSerializer",
        "current_user": "accounts.serializers.ProfileSerializer",
        "activation": "accounts.serializers.UidTokenSerializer",
        "password_reset": "accounts.serializers.EmailSerializer",
        "password_reset_confirm": "accounts.serializers.DjoserPasswordResetConfirmSerializer",
        "set_username": "accounts.serializers.EmailChangeSerializer",
        "set_password": "accounts.serializers.PasswordChangeSerializer",
        "user_delete": "accounts.serializers.AccountDeleteSerializer",
        "token_create": "accounts.serializers.LoginSerializer",
    },
}

# --- dj-rest-auth --- https://dj-rest-auth.readthedocs.io/en/latest/configuration.html
_SERIALIZERS = "accounts.serializers"
REST_AUTH = {
    "LOGIN_SERIALIZER": f"{_SERIALIZERS}.RestAuthLoginSerializer",
    "USER_DETAILS_SERIALIZER": f"{_SERIALIZERS}.ProfileSerializer",
    "REGISTER_SERIALIZER": f"{_SERIALIZERS}.RestAuthRegisterSerializer",
    "PASSWORD_RESET_SERIALIZER": f"{_SERIALIZERS}.RestAuthPasswordResetSerializer",
    "PASSWORD_RESET_CONFIRM_SERIALIZER": f"{_SERIALIZERS}.RestAuthPasswordResetConfirmSerializer",
    "PASSWORD_CHANGE_SERIALIZER": f"{_SERIALIZERS}.RestAuthPasswordChangeSerializer",
    "OLD_PASSWORD_FIELD_ENABLED": True,
    # API logins hand out API credentials ({"key"}); sessions come from the browser login pages.
    "SESSION_LOGIN": False,
    "USE_JWT": False,
}

# --- django-allauth --- https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = ACCOUNT_ACTIVATION_DAYS
ACCOUNT_LOGOUT_REDIRECT_URL = LOGIN_URL
# One throttle per action (DRF scopes above) and one failed-login counter (axes), not a second
# set of allauth limits that would answer differently on its pages.
ACCOUNT_RATE_LIMITS = False

# --- simplejwt --- https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_AUTHENTICATION_RULE": "accounts.policy.jwt_user_authentication_rule",
    # Access tokens carry a hash of the password: a password change ends them at once.
    "CHECK_REVOKE_TOKEN": True,
    # Bearer authentication checks a signature once per process (accounts/jwt_verified.py).
    "AUTH_TOKEN_CLASSES": ("accounts.jwt_verified.AccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": f"{_SERIALIZERS}.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": f"{_SERIALIZERS}.TokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": f"{_SERIALIZERS}.TokenVerifySerializer",
}

# --- django-axes --- https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Failed logins on every login route (all of them call authenticate()), counted per account and
# per client IP in the shared cache by accounts.lockout.LockoutHandler. With the defaults an
# account sees at most 10 * (3600 / 900 + 1) = 50 guesses an hour (ASVS 6.3.1 allows 100);
# `check --deploy` warns when the variables allow more.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
# Per client IP: high enough for many people behind one address, low enough to stop one
# address from trying a password on many accounts. Under DEBUG=1 every client is 127.0.0.1.
LOCKOUT_IP_FAILURE_LIMIT = env.int("LOCKOUT_IP_FAILURE_LIMIT", default=1000 if DEBUG else 100)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# What the handler counts (axes' own checks read this too).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Refused attempts during a lock try no password: they neither count nor extend the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# --- two-factor authentication (allauth.mfa) --- https://docs.allauth.org/en/latest/mfa/configuration.html
# One store of authenticators (allauth.mfa's Authenticator rows) for the API routes
# (/dj-rest-auth/mfa/…, accounts/two_factor.py), the browser login and the admin.
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# RFC 6238: SHA-1, 6 digits, 30 s steps, one step of clock drift either way.
MFA_TOTP_PERIOD = 30
MFA_TOTP_DIGITS = 6
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Canvass")
MFA_RECOVERY_CODE_COUNT = 10
# The browser's code page checks codes exactly as the API does (replay, lockout, notices).
MFA_FORMS = {"authenticate": "accounts.mfa_forms.AuthenticateForm"}
# TOTP secrets and recovery-code seeds are stored Fernet-encrypted under a key derived from
# MFA_ENCRYPTION_KEY, or from SECRET_KEY when it is unset. Changing the key that applies makes
# every enrolled authenticator unreadable: set MFA_ENCRYPTION_KEY once and keep it, so that
# SECRET_KEY can be rotated without disabling everyone's two-factor authentication.
MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY", default="")
# Staff must enrol in two-factor authentication before the admin opens.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=not DEBUG)
