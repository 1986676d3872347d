"""OpenAPI descriptions of Canvass's own authentication classes (drf-spectacular extensions)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class AccountJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.JWTAuthentication"
