"""The browser's way to an OpenID Connect provider: allauth's login and callback pages, the first
allowed to send its form on to the provider."""

from urllib.parse import urlsplit

from allauth.socialaccount.providers.openid_connect import views as openid_connect
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def provider_origin(provider_id: str) -> str | None:
    """The origin of the provider's server_url (OIDC_PROVIDERS), where its sign-in form is."""
    for provider in settings.OIDC_PROVIDERS:
        if provider["id"] == provider_id:
            parts = urlsplit(provider["server_url"])
            return f"{parts.scheme}://{parts.netloc}"
    return None


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's "Continue to the provider" page and its POST. The page's form redirects to the
    provider, which the Content-Security-Policy's `form-action 'self'` would block: this page
    alone also allows the provider's origin."""
    response = openid_connect.login(request, provider_id)
    origin = provider_origin(provider_id)
    if origin is not None:
        response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return response


callback = openid_connect.callback
