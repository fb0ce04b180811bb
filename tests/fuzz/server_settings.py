"""Settings of the app server the schemathesis run starts (tests/fuzz/conftest.py): the real ones, except:

- MD5 password hashing, as the whole suite uses (tests/conftest.py): every fuzzed login checks a password,
  and PBKDF2's production cost (~0.3 s each) would spend the run's time budget on hashing;
- a per-process cache, so the login guard's counters of thousands of fuzzed logins from 127.0.0.1 never
  land in the test database's cache table, where they would throttle the tests that run after.
"""

from invoicesite.settings import *  # noqa: F403 - this module is the real settings plus two overrides

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
