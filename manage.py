#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # The embedded default for every command, not only `make run`'s: var/dev.env (written by `make run`)
    # gives DEBUG=1 and development secrets to whatever the environment leaves unset. Only here, never in
    # invoicesite.wsgi: the web server of a deployment must not start from a file on disk.
    from invoicesite.devenv import load_dev_env

    load_dev_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicesite.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # The settings' own messages say what is missing and what to do (a secret, or DEBUG=1): a traceback
        # through Django's settings loader would only bury that line.
        sys.exit(f"ImproperlyConfigured: {exc}")


if __name__ == "__main__":
    main()
