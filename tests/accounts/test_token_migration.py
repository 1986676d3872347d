"""The upgrade to token sessions: every DRF token keeps working, and no key is left stored."""

import hashlib
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.authtoken.models import Token

from accounts.models import TokenSession, User
from tests.accounts.conftest import DJOSER, token_client

BEFORE = [("accounts", "0008_token_session")]
AFTER = [("accounts", "0009_drf_tokens_to_sessions")]


@pytest.mark.django_db(transaction=True)
def test_an_old_drf_key_keeps_working_after_the_migration_and_no_key_is_stored(
    user_factory, settings
):
    settings.TOKEN_CACHE_SECONDS = 0
    account = user_factory(email="ann@example.org")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    key = "0123456789abcdef0123456789abcdef01234567"  # a DRF key a client already holds
    Token.objects.create(key=key, user_id=account.pk)
    try:
        MigrationExecutor(connection).migrate(AFTER)
        # The model is the latest one: the later migrations too, before reading through it.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        session = TokenSession.objects.get(user=account)
        assert session.key_digest == hashlib.sha256(key.encode()).hexdigest()
        assert not Token.objects.exists()
        assert token_client(key).get(DJOSER.profile).status_code == HTTPStatus.OK
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        User.objects.all().delete()
