"""Canvass settings: read once from the environment (README "Environment").

Environments differ in values, not in code paths. Third-party families live under banner
sections here, or in `settings/<integration>.py` once they grow.
"""

import warnings

from csp.constants import NONCE, NONE, SELF

from settings.env import BASE_DIR, DEBUG, REDIS_URL, csv_list, env, refuse_to_start

# --- core ---
# DEBUG and REDIS_URL come from settings/env.py, which reads them once for every module here.

# Only a debugging process may fall back to this key; production must bring its own.
DEV_SECRET_KEY = "django-insecure-canvass-dev-key-only-for-DEBUG-1"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        refuse_to_start("SECRET_KEY is not set (set SECRET_KEY, or DEBUG=1 for development)")
    SECRET_KEY = DEV_SECRET_KEY
elif SECRET_KEY == DEV_SECRET_KEY and not DEBUG:
    refuse_to_start("SECRET_KEY is the development key; set a real secret for DEBUG=0")

ALLOWED_HOSTS = csv_list("ALLOWED_HOSTS", default="localhost,127.0.0.1")
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Canvass")
SITE_ID = 1

INSTALLED_APPS = [
    "accounts.admin_apps.AccountAdminConfig",  # django.contrib.admin, its site two-factor aware
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "djoser",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "dj_rest_auth",
    "dj_rest_auth.registration",
    # Before drf_spectacular: its templates override the library's (the CDN-free ReDoc page).
    "api",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "accounts",
    # After accounts, whose drf_create_token replaces it; kept for dj-rest-auth's import of its
    # model and the migration of its rows to token sessions.
    "rest_framework.authtoken",
    "emails",
    "webhooks",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.BrowserSessionSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    # Tells the audit log (accounts.audit) which request an account event came from.
    "accounts.audit.AuditRequestMiddleware",
]

ROOT_URLCONF = "settings.urls"
WSGI_APPLICATION = "settings.wsgi.application"
ASGI_APPLICATION = "settings.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides of third-party templates (allauth's login page).
        "DIRS": [BASE_DIR / "settings" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database --- https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections with a health check: a connection per request costs more than the
# request itself, and a database restart is survived without restarting the workers.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer overlap under gunicorn -w N; IMMEDIATE makes
    # concurrent writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache --- https://docs.djangoproject.com/en/5.2/topics/cache/
# Token caches must be shared by every worker process, so the embedded default is the database
# cache (its table is created by `migrate`), not locmem. Throttle and lockout counters are in
# Redis when it is configured, otherwise in a table of their own (accounts/counters.py).
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "canvass_cache",
    "KEY_PREFIX": "canvass",
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "canvass",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        },
        "database": DATABASE_CACHE,
    }
else:
    CACHES = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}

# --- auth --- https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    # Argon2id with OWASP's parameters (bench/README.md); it also verifies (and upgrades) hashes
    # made with Django's Argon2 defaults, so Django's own Argon2 hasher is not listed.
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
# NIST SP 800-63B / ASVS 5.0 V6.2: a length range, common and look-alike passwords refused, no
# composition rules (Django's NumericPasswordValidator is one: it refuses all-digit passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)

# --- i18n / static ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders: no collectstatic step is needed before serving.
WHITENOISE_USE_FINDERS = True
# WhiteNoise warns while STATIC_ROOT is absent; until collectstatic runs the finders serve.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG

# --- security --- https://docs.djangoproject.com/en/5.2/ref/settings/#security
CSRF_TRUSTED_ORIGINS = csv_list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = csv_list("CORS_ALLOWED_ORIGINS")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    # Preloading is a one-way commitment for a whole domain and its subdomains; the operator
    # opts in with SECURE_HSTS_PRELOAD=1 once every subdomain serves HTTPS.
    "security.W021",
]
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health probes come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/live/$"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# django-csp, on every response: only this origin's scripts, styles and images; no plugins, no
# <base>, forms post here only, and no page may be framed. A template's own inline <style> or
# <script> runs only with the response's nonce (`nonce="{{ request.csp_nonce }}"`), which the
# header names only when the page used it. The API docs widen it for their bundles
# (api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- surveys --- surveys/services.py
# Invitation mails one account may send, per clock hour and per UTC day; past either, inviting
# answers 429 with Retry-After and creates nothing.
SURVEY_INVITATIONS_PER_HOUR = env.int("SURVEY_INVITATIONS_PER_HOUR", default=100)
SURVEY_INVITATIONS_PER_DAY = env.int("SURVEY_INVITATIONS_PER_DAY", default=500)

# --- integrations --- (the REST framework and OpenAPI sections below name their entries)
from settings.accounts import *  # noqa: E402, F403
from settings.email import *  # noqa: E402, F403
from settings.oidc import *  # noqa: E402, F403
from settings.tasks import *  # noqa: E402, F403
from settings.webhooks import *  # noqa: E402, F403

# --- Django REST framework --- https://www.django-rest-framework.org/api-guide/settings/
# The browsable API (HTML for a browser's Accept) is a development aid: off in production unless
# the operator turns it on. The API docs (/api/docs/) are the browser's way in.
BROWSABLE_API = env.bool("BROWSABLE_API", default=DEBUG)
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if BROWSABLE_API else []),
    ],
    # The HTTP plumbing (api/): content negotiation, strict UTF-8 and no JSON nesting that
    # could crash the parser, Django's request errors as JSON 4xx.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # Authentication order and throttle rates of the account routes (settings/accounts.py).
    "DEFAULT_AUTHENTICATION_CLASSES": API_AUTHENTICATION_CLASSES,  # noqa: F405
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,  # noqa: F405
    # DRF trusts X-Forwarded-For unless told how many proxies there are.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # noqa: F405
}

# --- drf-spectacular --- https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Canvass API",
    "DESCRIPTION": "Accounts (djoser and dj-rest-auth routes over one email user) and surveys.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call to the public validator service: the docs work offline.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": True},
    # The three documented ways in (settings/accounts.py).
    "AUTHENTICATION_WHITELIST": DOCUMENTED_AUTHENTICATION_CLASSES,  # noqa: F405
    # Two `kind` fields: a question's keeps its name, a session's gets its own.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "surveys.models.Question.Kind",
        "SessionKindEnum": "accounts.models.TokenSession.Kind",
    },
    # The identity-provider routes only when OIDC_PROVIDERS names a provider.
    "PREPROCESSING_HOOKS": ["accounts.schema.provider_routes_only_when_configured"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_tags_and_shared_responses",
        "accounts.schema.credential_free_routes",
        "surveys.schema.survey_examples",
    ],
}
