"""manage.py create_user EMAIL [--password-file FILE] [--staff] [--superuser]: for operators."""

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import User, normalize_email


class Command(BaseCommand):
    help = "Create a user who logs in with EMAIL. The password comes from a prompt or --password-file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password-file", help="read the password from this file (first line)")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--staff", action="store_true", help="may sign in to the admin")
        parser.add_argument("--superuser", action="store_true", help="staff with every permission")

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalize_email(options["email"])
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{options['email']!r} is not a valid email address.") from None
        if User.objects.filter(email=email).exists():
            raise CommandError(f"A user with the email {email} already exists.")
        password = self._password(options["password_file"])
        candidate = User(email=email, full_name=options["full_name"])
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        create = User.objects.create_superuser if options["superuser"] else User.objects.create_user
        create(
            email, password, full_name=options["full_name"], is_staff=options["staff"] or options["superuser"]
        )
        self.stdout.write(self.style.SUCCESS(f"Created user {email}."))

    def _password(self, path: str | None) -> str:
        if path:
            try:
                lines = Path(path).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(f"Cannot read the password file: {exc}") from None
            if not lines or not lines[0]:
                raise CommandError("The password file is empty.")
            return lines[0]
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
