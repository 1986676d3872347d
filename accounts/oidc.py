"""An API client's authorization code, exchanged with its OpenID Connect provider for a verified
identity (allauth's OAuth2 client and provider classes; the rules in accounts.social).

The browser flow is allauth's own; this is the same exchange for a client that went through the
provider itself and hands Canvass the code. Unlike allauth's browser flow, the ID token's
signature is always checked against the provider's published keys.
"""

from typing import Any

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404, HttpRequest

from accounts.exceptions import ProviderLoginRefused, ProviderUnavailable

# Signatures with the provider's public keys only: an "HS256" or "none" header is refused.
ASYMMETRIC_ALGORITHMS = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}  # fmt: skip
# What a provider that is down, or answers with something that is not OpenID Connect, raises.
PROVIDER_FAILURES = (requests.RequestException, ValueError, KeyError, TypeError)


def provider_adapter(request: HttpRequest, provider_id: str) -> OpenIDConnectOAuth2Adapter:
    """allauth's adapter for a configured provider; an unknown id is a 404."""
    if provider_id not in {provider["id"] for provider in settings.OIDC_PROVIDERS}:
        raise Http404
    adapter = OpenIDConnectOAuth2Adapter(request, provider_id)
    try:
        adapter.get_provider()
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return adapter


def redirect_uri_allowed(redirect_uri: str) -> bool:
    """Only the redirect URIs the operator listed (OIDC_REDIRECT_URIS), compared exactly."""
    return redirect_uri in settings.OIDC_REDIRECT_URIS


def code_exchange(
    *,
    request: HttpRequest,
    provider_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str = "",
    nonce: str = "",
) -> SocialLogin:
    """The provider login behind `code`: the token request, the ID token checked (signature,
    issuer, audience, expiry, `nonce` when the client sent one), the userinfo claims.

    ProviderUnavailable (502) when the provider cannot be used; ProviderLoginRefused (400) when
    it refuses the code or its answer does not check out.
    """
    adapter = provider_adapter(request, provider_id)
    provider = adapter.get_provider()
    app = provider.app
    try:
        config = adapter.openid_config
        client = OAuth2Client(
            request,
            app.client_id,
            app.secret,
            adapter.access_token_method,
            config["token_endpoint"],
            redirect_uri,
            scope_delimiter=adapter.scope_delimiter,
            basic_auth=adapter.basic_auth,
        )
    except PROVIDER_FAILURES as error:
        raise ProviderUnavailable() from error
    try:
        token_data = client.get_access_token(code, pkce_code_verifier=code_verifier or None)
    except OAuth2Error as error:
        raise ProviderLoginRefused(field="code") from error
    except PROVIDER_FAILURES as error:
        raise ProviderUnavailable() from error
    if not isinstance(token_data, dict) or not isinstance(token_data.get("id_token"), str):
        raise ProviderLoginRefused(field="code")
    claims = id_token_verify(
        id_token=token_data["id_token"], config=config, client_id=app.client_id, nonce=nonce
    )
    try:
        token = adapter.parse_token(token_data)
        userinfo = adapter._fetch_user_info(token.token)
    except PROVIDER_FAILURES as error:
        raise ProviderUnavailable() from error
    if not isinstance(userinfo, dict) or userinfo.get("sub") != claims.get("sub"):
        # OpenID Connect Core 5.3.2: a userinfo answer about someone else is not to be used.
        raise ProviderLoginRefused(field="code")
    try:
        login = provider.sociallogin_from_response(
            request, {"userinfo": userinfo, "id_token": claims}
        )
    except PROVIDER_FAILURES as error:
        raise ProviderLoginRefused(field="code") from error
    token.app = app if app.pk else None
    login.token = token
    return login


def id_token_verify(
    *, id_token: str, config: dict[str, Any], client_id: str, nonce: str = ""
) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's published keys), issuer,
    audience and expiry check out, and its `nonce` is the one the client sent (when it sent one).

    A token without `kid` is accepted when the provider publishes one signing key (allauth's own
    check insists on `kid`, which OpenID Connect does not)."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise ProviderLoginRefused(field="code") from error
    algorithm = header.get("alg")
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise ProviderLoginRefused(field="code")
    key = provider_signing_key(config["jwks_uri"], kid=header.get("kid"))
    if key.algorithm_name not in (algorithm, None) and "alg" in key._jwk_data:
        raise ProviderLoginRefused(field="code")
    try:
        claims = jwt.decode(
            id_token,
            key=key.key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=config["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise ProviderLoginRefused(field="code") from error
    if nonce and claims.get("nonce") != nonce:
        raise ProviderLoginRefused(field="nonce")
    return claims


def provider_signing_key(keys_url: str, *, kid: str | None) -> jwt.PyJWK:
    """The provider's published signing key named `kid` (or its only one)."""
    try:
        with get_social_adapter().get_requests_session() as session:
            response = session.get(keys_url)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
    except jwt.PyJWTError as error:
        raise ProviderUnavailable() from error
    except PROVIDER_FAILURES as error:
        raise ProviderUnavailable() from error
    signing = [key for key in keys if key.public_key_use in (None, "sig")]
    matching = [key for key in signing if key.key_id == kid] if kid else signing
    if len(matching) != 1:
        raise ProviderLoginRefused(field="code")
    return matching[0]
