"""API authentication classes: DRF token and JWT, both gated by the account policy."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework_simplejwt import authentication as jwt_authentication

from accounts.policy import account_can_log_in
from accounts.token_cache import CACHED_WITHOUT, token_cached, token_store


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`: one query (token joined to its user), none when the token
    cache serves it (accounts.token_cache)."""

    def authenticate_credentials(self, key):
        token, generation = token_cached(key)
        if token is None:
            model = self.get_model()
            deferred = [f"user__{name}" for name in CACHED_WITHOUT]
            try:
                # Loaded on demand (a route checking the password); see accounts.token_cache.
                token = model.objects.select_related("user").defer(*deferred).get(key=key)
            except model.DoesNotExist as error:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
            if account_can_log_in(token.user):
                token_store(token, generation)
        if not account_can_log_in(token.user):
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """`Authorization: Bearer <access>`; simplejwt checks signature, expiry and password hash."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if not account_can_log_in(user):
            raise exceptions.AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user
