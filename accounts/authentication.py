"""API authentication classes: token sessions and JWT, both gated by the account policy."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts.jwt_sessions import REVOKED, ended_annotation, token_sid
from accounts.models import TokenSession
from accounts.policy import account_can_log_in
from accounts.sessions import key_digest, last_seen_due, session_expired
from accounts.token_cache import (
    CACHED_WITHOUT,
    jwt_cached,
    jwt_store,
    token_cached,
    token_store,
)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`: the token session with that key's digest
    (accounts.sessions), unexpired, of an account that may log in. One query (the session
    joined to its user), none when the token cache serves it (accounts.token_cache); a write of
    `last_seen_at` at most once a minute."""

    model = TokenSession

    def authenticate_credentials(self, key):
        digest = key_digest(key)
        session, generations = token_cached(digest)
        if session is None:
            deferred = [f"user__{name}" for name in CACHED_WITHOUT]
            sessions = TokenSession.objects.select_related("user").defer(*deferred)
            try:
                # Loaded on demand (a route checking the password); see accounts.token_cache.
                session = sessions.get(key_digest=digest, kind=TokenSession.Kind.TOKEN)
            except TokenSession.DoesNotExist as error:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
            if account_can_log_in(session.user):
                token_store(session, generations)
        now = timezone.now()
        if session_expired(session, now):
            raise exceptions.AuthenticationFailed(_("Token expired."))
        if not account_can_log_in(session.user):
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if last_seen_due(session, now):
            TokenSession.objects.filter(pk=session.pk).update(last_seen_at=now)
            session.last_seen_at = now
            token_store(session, generations)  # the cached copy too: no write per request
        return (session.user, session)


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """`Authorization: Bearer <access>`: signature and expiry, then the account, whether the
    token's session was ended by a logout (accounts.jwt_sessions) and the digest of its password
    hash (CHECK_REVOKE_TOKEN) — no query when the token cache holds the session
    (accounts.token_cache), else one (the user, the session check folded into it).

    simplejwt's `get_user` with the session check and the cache, same answers otherwise.
    """

    def get_user(self, validated_token):
        try:
            user_id = validated_token[jwt_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        sid = token_sid(validated_token)
        entry, generations = jwt_cached(sid, user_id)
        if entry is not None:
            user, password_digest = entry  # a live session: its generation is unchanged
        else:
            user, password_digest = self.user_from_database(user_id, sid), None
        if not account_can_log_in(user):
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if password_digest is None:
            password_digest = jwt_store(sid, user, generations)
        revoke_claim = validated_token.get(jwt_settings.REVOKE_TOKEN_CLAIM)
        if jwt_settings.CHECK_REVOKE_TOKEN and revoke_claim != password_digest:
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user

    def user_from_database(self, user_id, sid):
        users = self.user_model.objects.all()
        if sid is not None:
            users = users.annotate(jwt_session_ended=ended_annotation(sid))
        try:
            user = users.get(**{jwt_settings.USER_ID_FIELD: user_id})
        except self.user_model.DoesNotExist as error:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from error
        if getattr(user, "jwt_session_ended", False):
            raise InvalidToken(REVOKED)
        return user
