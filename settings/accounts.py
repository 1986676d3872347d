"""Account libraries: djoser, dj-rest-auth, django-allauth, simplejwt, django-axes."""

from settings.env import env

# --- django-allauth --- https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- django-axes --- https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
