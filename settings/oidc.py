"""Sign-in with OpenID Connect providers (allauth's `openid_connect`), from the environment."""

# docs/social-login.md describes the variables. A bad value stops start-up with one line, as
# every other refused setting does: a provider silently missing would look like a bug at login.

import json
from typing import Any

from settings.env import csv_list, env, refuse_to_start

PROVIDER_FIELDS = ("id", "name", "server_url", "client_id", "secret")


def oidc_providers_parse(raw: str) -> list[dict[str, str]]:
    """`OIDC_PROVIDERS`: a JSON list of objects with every field of PROVIDER_FIELDS."""
    if not raw.strip():
        return []
    try:
        providers = json.loads(raw)
    except ValueError as error:
        refuse_to_start(f"OIDC_PROVIDERS is not valid JSON ({error})")
    if not isinstance(providers, list):
        refuse_to_start("OIDC_PROVIDERS must be a JSON list of providers")
    seen: set[str] = set()
    for number, provider in enumerate(providers, start=1):
        if not isinstance(provider, dict):
            refuse_to_start(f"OIDC_PROVIDERS entry {number} is not an object")
        missing = [
            field
            for field in PROVIDER_FIELDS
            if not isinstance(provider.get(field), str) or not provider[field].strip()
        ]
        if missing:
            refuse_to_start(f"OIDC_PROVIDERS entry {number} lacks {', '.join(missing)}")
        if not provider["id"].replace("-", "").replace("_", "").isalnum():
            refuse_to_start(f"OIDC_PROVIDERS entry {number}: id may hold letters, digits, - and _")
        if provider["id"] in seen:
            refuse_to_start(f"OIDC_PROVIDERS names the id {provider['id']!r} twice")
        seen.add(provider["id"])
    return [{field: provider[field].strip() for field in PROVIDER_FIELDS} for provider in providers]


def openid_connect_apps(providers: list[dict[str, str]]) -> list[dict[str, Any]]:
    """allauth's APPS entries for the providers (its SocialApp fields and settings)."""
    return [
        {
            "provider_id": provider["id"],
            "name": provider["name"],
            "client_id": provider["client_id"],
            "secret": provider["secret"],
            "settings": {"server_url": provider["server_url"]},
        }
        for provider in providers
    ]


# --- OpenID Connect providers --- https://docs.allauth.org/en/latest/socialaccount/providers/openid_connect.html
OIDC_PROVIDERS = oidc_providers_parse(env.str("OIDC_PROVIDERS", default=""))
# The redirect URIs API clients may exchange a code for (exact match); the browser flow's is
# Canvass's own callback, /accounts/oidc/{id}/login/callback/.
OIDC_REDIRECT_URIS = csv_list("OIDC_REDIRECT_URIS")

SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": openid_connect_apps(OIDC_PROVIDERS)}
}
# Accounts are never made by allauth's social sign-up form: accounts.social decides.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# Addresses come from the provider's userinfo; its tokens are not kept.
SOCIALACCOUNT_STORE_TOKENS = False
# A GET on the login URL would start a flow from any link or image; a form POSTs to it.
SOCIALACCOUNT_LOGIN_ON_GET = False
# Provider HTTP calls (discovery, token, userinfo, keys) give up after this many seconds.
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=5)
