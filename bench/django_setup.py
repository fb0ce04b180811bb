"""Django for the benchmark process and its children: the environment, then ``django.setup()``.

The benchmark runs the production settings (DEBUG off) with the test suite's throw-away secrets, so that
templates, logging and middleware behave as they do when deployed.
"""

import os

# The same test-only secrets as pytest's (pyproject.toml), used only when none is set.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "invoicesite.settings",
    "DEBUG": "0",
    "SECRET_KEY": "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "JWT_SIGNING_KEY": "test-only-jwt-signing-key-0123456789abcdefghijklmnopqrstuv",
    "DOWNLOAD_LINK_KEY": "test-only-download-link-key-0123456789abcdefghijklmnopq",
    "SECURE_SSL_REDIRECT": "0",
}


def apply_defaults() -> None:
    for name, value in BENCH_ENV.items():
        os.environ.setdefault(name, value)


def setup() -> None:
    apply_defaults()
    import django

    django.setup()
