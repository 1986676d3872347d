"""Placeholder (replaced at merge)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_pending_email_change")]

    operations: list = []
