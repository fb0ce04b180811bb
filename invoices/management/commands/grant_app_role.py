"""manage.py grant_app_role [role]: what the application's own database role may do, granted by the schema
owner after every ``migrate``.

The web and the workers connect as a role that owns nothing: it may read and write every table of the
schema, except the ledger (invoices_ledgerentry), which it may only read and append to: UPDATE, DELETE and
TRUNCATE are revoked, so no bug and no stolen application credential can rewrite history
(docs/security.md case 41). PostgreSQL only; idempotent (GRANT and REVOKE of what is already so change
nothing), so the Helm chart's migrate job runs it on every release. The role defaults to the variable
DATABASE_APP_ROLE (the chart's ``migrate.appRole``).
"""

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg2 import sql  # type: ignore[import-untyped]  # no stubs in requirements-dev

from invoices.models import LedgerEntry


class Command(BaseCommand):
    help = "Grant the application's database role its rights (the ledger: SELECT and INSERT only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "role",
            nargs="?",
            default=os.environ.get("DATABASE_APP_ROLE", ""),
            help="the login role the web and the workers connect as (default: $DATABASE_APP_ROLE)",
        )

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if not role:
            raise CommandError("Name the application role: grant_app_role <role>, or set DATABASE_APP_ROLE.")
        if connection.vendor != "postgresql":
            raise CommandError(
                f"grant_app_role needs PostgreSQL (this database is {connection.vendor}): other databases "
                "have no roles to keep the application from changing the ledger."
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"There is no database role {role!r}: create it first (docs/deployment.md)."
                )
            if role == owner:
                raise CommandError(
                    f"{role!r} is the role running this command, the schema's owner: an owner may do "
                    "anything to its tables. The application needs a role of its own."
                )
            for statement in _statements(role, database, schema):
                cursor.execute(statement)
        self.stdout.write(
            f"Granted {role}: every table of schema {schema} (SELECT, INSERT, UPDATE, DELETE) but "
            f"{LedgerEntry._meta.db_table} (SELECT, INSERT only), and its sequences."
        )


def _statements(role: str, database: str, schema: str) -> list[sql.Composed]:
    names = {
        "role": sql.Identifier(role),
        "database": sql.Identifier(database),
        "schema": sql.Identifier(schema),
        "ledger": sql.Identifier(schema, LedgerEntry._meta.db_table),
    }
    return [
        sql.SQL(text).format(**names)
        for text in (
            "GRANT CONNECT ON DATABASE {database} TO {role}",
            "GRANT USAGE ON SCHEMA {schema} TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            # After the grant on every table, so a rerun never leaves the ledger writable.
            "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {ledger} FROM {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        )
    ]
