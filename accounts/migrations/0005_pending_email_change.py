"""Placeholder (replaced at merge)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_ended_jwt_session")]

    operations: list = []
