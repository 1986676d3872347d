"""The emailed sign-in code and its link key: how they are made, typed back and stored."""

# The code is 8 characters of Crockford's base32 (digits and capitals without I, L, O, U):
# 5 bits each, 40 bits in all. A code lives CODE_VALIDITY and allows MAX_WRONG_TRIES wrong
# guesses, so one code is guessed with probability 3 / 2**40 (about 1 in 366 billion); even
# 30 bits would leave 1 in 358 million. docs/login-by-code.md gives the whole bound.
# Stored as an HMAC keyed with SECRET_KEY: a copy of the table alone does not let anyone try
# the 2**40 codes offline within the ten minutes.

import hashlib
import secrets
from datetime import timedelta

from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CODE_BITS = CODE_LENGTH * 5
CODE_VALIDITY = timedelta(minutes=10)
MAX_WRONG_TRIES = 3
# What people type for a character the alphabet leaves out (Crockford's decoding rules).
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# A typed code longer than this is no code (spaces and hyphens between groups allowed).
TYPED_MAX_LENGTH = 32
KEY_SALT = "canvass.accounts.login_code"


def code_create() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_normalize(typed: str) -> str:
    """The code as typed, in its stored form: any letter case, spaces and hyphens ignored,
    O for 0 and I or L for 1 accepted."""
    kept = "".join(char for char in typed.upper() if char not in " -\t")
    return kept.translate(LOOKALIKES)


def code_digest(*, user_pk: object, code: str) -> str:
    """The stored form of a code: tied to its account, so one account's digest never matches
    another's code."""
    value = f"{user_pk}:{code_normalize(code)}"
    return salted_hmac(KEY_SALT, value, algorithm="sha256").hexdigest()


def code_matches(*, typed_digest: str, stored_digest: str) -> bool:
    return constant_time_compare(typed_digest, stored_digest)


def link_key_create() -> tuple[str, str]:
    """A new link key (256 random bits, URL-safe) and the digest stored in its place."""
    key = secrets.token_urlsafe(32)
    return key, link_key_digest(key)


def link_key_digest(key: str) -> str:
    """SHA-256 suffices: the key is random, so a slow hash would protect nothing."""
    return hashlib.sha256(key.encode()).hexdigest()
