"""manage.py ensure_demo_user: the local demo account that `make run` prints (never for production)."""

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create the demo user if missing (DEBUG only) and print its credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo user is for local development only (DEBUG=1).")
        password_file = Path(settings.VAR_DIR) / "demo-password.txt"
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None or not password_file.exists():
            # The password lives only in var/ (git-ignored) so each checkout has its own.
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(DEMO_EMAIL, password, full_name="Demo User")
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
        password = password_file.read_text(encoding="utf-8").strip()
        self.stdout.write(
            "\n".join(
                [
                    "Demo user (staff, may use the admin):",
                    f"  email:    {DEMO_EMAIL}",
                    f"  password: {password}",
                    f"  try:      curl -X POST -u {DEMO_EMAIL}:{password} {settings.SITE_URL}/login",
                    "",
                ]
            )
        )
