"""Placeholder for the session registry migration (replaced at merge)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_drf_tokens_to_sessions")]

    operations = []
