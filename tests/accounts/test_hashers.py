"""Passwords are hashed with Argon2id at OWASP's recommended parameters (bench/README.md)."""

from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password

from settings import base
from tests.accounts.conftest import DJOSER, login

pytestmark = pytest.mark.django_db

# OWASP Password Storage Cheat Sheet, Argon2id: m=19 MiB, t=2, p=1 (the first of its options).
OWASP_MEMORY_KIB, OWASP_PASSES = 19 * 1024, 2


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def argon2_parameters(encoded: str) -> dict[str, int]:
    """`argon2$argon2id$v=19$m=19456,t=2,p=1$salt$hash` → {"m": 19456, "t": 2, "p": 1}."""
    fields = encoded.split("$")[3]
    return {name: int(value) for name, value in (pair.split("=") for pair in fields.split(","))}


def test_new_passwords_get_argon2id_with_owasp_parameters(production_hashers):
    encoded = make_password("a long enough passphrase")

    assert encoded.startswith("argon2$argon2id$")
    assert argon2_parameters(encoded) == {"m": OWASP_MEMORY_KIB, "t": OWASP_PASSES, "p": 1}
    assert type(identify_hasher(encoded)).__module__ == "accounts.hashers"


def test_a_hash_with_djangos_parameters_still_logs_in_and_is_rehashed(
    production_hashers, api_client, confirmed_user, password
):
    confirmed_user.password = Argon2PasswordHasher().encode(password, "saltsaltsaltsalt")
    confirmed_user.save(update_fields=["password"])
    assert argon2_parameters(confirmed_user.password) == {"m": 102400, "t": 2, "p": 8}

    response = login(api_client, DJOSER, confirmed_user.email, password)

    assert response.status_code == HTTPStatus.OK
    confirmed_user.refresh_from_db()
    assert argon2_parameters(confirmed_user.password) == {"m": OWASP_MEMORY_KIB, "t": 2, "p": 1}
