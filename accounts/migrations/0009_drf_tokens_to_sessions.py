"""Every DRF token becomes a token session whose digest matches the key its client holds, so an
upgrade logs nobody out; the DRF rows (usable keys) are then deleted."""

import hashlib

from django.db import migrations
from django.utils import timezone


def drf_tokens_to_sessions(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    TokenSession = apps.get_model("accounts", "TokenSession")
    # Lifetimes count from the upgrade: a token older than TOKEN_MAX_AGE_DAYS keeps working too.
    now = timezone.now()
    sessions = [
        TokenSession(
            user_id=token.user_id,
            kind="token",
            source="migration",
            key_digest=hashlib.sha256(token.key.encode()).hexdigest(),
            key_prefix=token.key[:8],
            created_at=now,
            last_seen_at=now,
        )
        for token in Token.objects.iterator()
    ]
    TokenSession.objects.bulk_create(sessions, batch_size=1000, ignore_conflicts=True)
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_token_session"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [
        migrations.RunPython(drf_tokens_to_sessions, migrations.RunPython.noop, elidable=True),
    ]
