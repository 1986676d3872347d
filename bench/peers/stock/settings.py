"""Stock djoser: its documented set-up (DRF Token and simplejwt), nothing tuned.

The peer the bench measures Canvass against (bench/peers/README.md). Only the database
connection settings are Canvass's (persistent connections with health checks), so that the
comparison is about the request path, not about opening a connection per request.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get("SECRET_KEY", "peer-only-secret-key-" + "x" * 40)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "djoser",
]

# django-admin startproject's middleware, less the messages framework (no admin here).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bench.peers.stock.urls"
WSGI_APPLICATION = "bench.peers.stock.wsgi.application"

DATABASES = {"default": environ.Env.db_url_config(os.environ["PEER_DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}
# Long enough for a bench run; simplejwt's default is 5 minutes.
SIMPLE_JWT = {"ACCESS_TOKEN_LIFETIME": timedelta(hours=2), "AUTH_HEADER_TYPES": ("Bearer",)}
