"""Test settings: the base settings with only what tests need changed."""

import os

# Tests run without DEBUG (production code paths) and need a key of their own.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("EMAIL_URL", "locmem:")
# The browsable API's forms are tested (password inputs masked); that it is off by default under
# DEBUG=0 is tested in a process of its own (tests/test_settings.py).
os.environ.setdefault("BROWSABLE_API", "1")
# Staff enrol in two-factor authentication before the admin opens (on by default under DEBUG=0);
# the admin tests sign staff in with a password only, the rule has tests of its own.
os.environ.setdefault("MFA_REQUIRED_FOR_STAFF", "0")

from settings.base import *  # noqa: F403

# A fast hasher: the suite creates hundreds of accounts; Argon2 is exercised by its own test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
