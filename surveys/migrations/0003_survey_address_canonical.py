"""Match invitations and reviewers with accounts by canonical address (accounts.addresses).

Each row gets the canonical form of its address; rows of one survey whose addresses name the
same mailbox keep the oldest (they gave the same access twice). An address without a canonical
form (no account can have it) keeps its lower-cased text.
"""

import importlib

from django.db import migrations, models

import accounts.models

# The frozen canonical form of the accounts migration that introduced it.
canonical_email = importlib.import_module("accounts.migrations.0006_canonical_email").canonical_email


def address_key(address):
    return canonical_email(address) or address.strip().lower()


def canonicalize(apps, schema_editor):
    for name in ("Invitation", "Reviewer"):
        model = apps.get_model("surveys", name)
        seen, duplicates = set(), []
        for pk, survey_id, email in model.objects.order_by("pk").values_list(
            "pk", "survey_id", "email"
        ):
            key = address_key(email)
            if (survey_id, key) in seen:
                duplicates.append(pk)
                continue
            seen.add((survey_id, key))
            model.objects.filter(pk=pk).update(email_canonical=key)
        model.objects.filter(pk__in=duplicates).delete()
    revocation = apps.get_model("surveys", "InvitationRevocation")
    for pk, email in revocation.objects.values_list("pk", "email"):
        revocation.objects.filter(pk=pk).update(email=address_key(email))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_canonical_email"),
        ("surveys", "0002_invitation_revocation"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="invitation", name="invitation_survey_email_ci_unique"),
        migrations.RemoveConstraint(model_name="reviewer", name="reviewer_survey_email_ci_unique"),
        migrations.RemoveIndex(model_name="invitation", name="invitation_email_ci"),
        migrations.RemoveIndex(model_name="reviewer", name="reviewer_email_ci"),
        migrations.AddField(
            model_name="invitation",
            name="email_canonical",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
        migrations.AddField(
            model_name="reviewer",
            name="email_canonical",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
        migrations.RunPython(canonicalize, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="email_canonical",
            field=accounts.models.CanonicalEmailField(editable=False, max_length=254),
        ),
        migrations.AlterField(
            model_name="reviewer",
            name="email_canonical",
            field=accounts.models.CanonicalEmailField(editable=False, max_length=254),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                fields=("survey", "email_canonical"), name="invitation_survey_email_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewer",
            constraint=models.UniqueConstraint(
                fields=("survey", "email_canonical"), name="reviewer_survey_email_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["email_canonical"], name="invitation_email_canonical"),
        ),
        migrations.AddIndex(
            model_name="reviewer",
            index=models.Index(fields=["email_canonical"], name="reviewer_email_canonical"),
        ),
    ]
