"""Give every account its canonical address (accounts.addresses), unique in its own column.

Accounts whose addresses share one canonical form, or whose address has none (a quoted local
part, an undecodable domain), stop the migration: it never merges or rewrites them itself.
Change one address of each listed account in the admin, then migrate again.
"""

import unicodedata

import idna
from django.db import migrations, models

import accounts.addresses
import accounts.models


# A frozen copy of accounts.addresses.canonical_email as of this migration; None: no form.
def _fold(text):
    text = unicodedata.normalize("NFKC", text).lower().replace("i\u0307", "i")
    return unicodedata.normalize("NFKC", text)


def canonical_email(address):
    local, at, domain = unicodedata.normalize("NFKC", address.strip()).rpartition("@")
    if not at or not local or not domain or '"' in local or "\\" in local:
        return None
    domain = _fold(domain)
    if not domain.isascii() or "xn--" in domain:
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return None
    canonical = f"{_fold(local)}@{domain.lower()}"
    return canonical if len(canonical) <= 254 else None


class CanonicalEmailConflict(Exception):
    """Existing accounts the migration cannot store canonically without merging them."""


def canonicalize(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    rows = list(User.objects.order_by("pk").values_list("pk", "email"))
    owners, invalid = {}, []
    for pk, email in rows:
        canonical = canonical_email(email)
        if canonical is None:
            invalid.append(pk)
        else:
            owners.setdefault(canonical, []).append(pk)
    shared = [pks for pks in owners.values() if len(pks) > 1]
    if shared or invalid:
        problems = [f"accounts {', '.join(map(str, pks))} share one address" for pks in shared]
        if invalid:
            problems.append(f"accounts {', '.join(map(str, invalid))} have no canonical address")
        raise CanonicalEmailConflict(
            f"Canonical addresses: {'; '.join(problems)}. Nothing was merged: change the address "
            "of all but one account of each group, and each address without one, then migrate."
        )
    for pk, email in rows:
        User.objects.filter(pk=pk).update(email_canonical=canonical_email(email))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_pending_email_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_canonical",
            field=accounts.models.CanonicalEmailField(
                editable=False, max_length=254, null=True, verbose_name="canonical address"
            ),
        ),
        migrations.RunPython(canonicalize, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="email_canonical",
            field=accounts.models.CanonicalEmailField(
                editable=False, max_length=254, verbose_name="canonical address"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="user",
            name="accounts_user_email_ci_unique",
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("email_canonical",),
                name="accounts_user_email_canonical_unique",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                max_length=254,
                unique=True,
                validators=[accounts.addresses.validate_canonical_email],
                verbose_name="email address",
            ),
        ),
    ]
