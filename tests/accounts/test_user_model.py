"""The email user: identity, case-insensitive uniqueness, normalisation, superuser."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction

User = get_user_model()

pytestmark = pytest.mark.django_db


def test_user_model_has_no_username_column():
    field_names = {field.name for field in User._meta.get_fields()}
    assert "username" not in field_names
    assert User.USERNAME_FIELD == "email"


def test_database_refuses_same_address_in_other_letter_case():
    User.objects.create(email="Alice@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="alice@example.ORG")
    assert User.objects.count() == 1


def test_address_is_stored_as_given_with_domain_normalised():
    user = User.objects.create_user(email="  Mixed.Case@EXAMPLE.org ", password="x" * 12)
    assert user.email == "Mixed.Case@example.org"


def test_lookup_by_natural_key_ignores_letter_case():
    user = User.objects.create_user(email="Bob@example.org", password="x" * 12)
    assert User.objects.get_by_natural_key("bOB@EXAMPLE.ORG") == user
    assert list(User.objects.with_email("BOB@example.org")) == [user]


def test_authenticate_accepts_address_in_any_letter_case(rf):
    User.objects.create_user(email="carol@example.org", password="long enough secret")
    request = rf.post("/")
    found = authenticate(request, email="CAROL@example.org", password="long enough secret")
    assert found is not None


def test_create_user_requires_an_address():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user(email="", password="x" * 12)


def test_create_superuser_is_staff_and_superuser():
    admin = User.objects.create_superuser(email="root@example.org", password="x" * 12)
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.is_active
    with pytest.raises(ValueError):
        User.objects.create_superuser(email="r2@example.org", password="x", is_staff=False)


def test_createsuperuser_command_asks_for_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long admin password")
    call_command("createsuperuser", "--noinput", "--email", "Admin@Example.org", verbosity=0)
    admin = User.objects.get()
    assert admin.email == "Admin@example.org"
    assert admin.check_password("a long admin password")


def test_passwords_are_hashed_with_argon2_in_production_settings(settings):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert make_password("some password").startswith("argon2$")
