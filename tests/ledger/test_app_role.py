"""The application's database role cannot rewrite the ledger (docs/security.md case 41).

On the test database, the schema owner runs ``manage.py grant_app_role invoiceapp_app``; then a real login
AS invoiceapp_app (psycopg2, its own password) proves what the web and the workers can do: read and append
ledger rows, and still update invoices; UPDATE, DELETE and TRUNCATE on the ledger are refused by PostgreSQL.
The role comes from ``scripts/services.sh up`` (``make test``'s set-up).
"""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import psycopg2  # type: ignore[import-untyped]  # no stubs in requirements-dev
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg2 import errors

from invoices.models import LedgerEntry

APP_ROLE = "invoiceapp_app"
APP_PASSWORD = "invoiceapp_app"

pytestmark = [pytest.mark.security, pytest.mark.django_db(transaction=True)]


def grant() -> str:
    out = StringIO()
    call_command("grant_app_role", APP_ROLE, stdout=out)
    return out.getvalue()


@pytest.fixture
def as_app() -> Iterator[Any]:
    """A connection to the test database logged in as the application's role (autocommit: each statement
    stands alone, as a refused one would abort a transaction)."""
    settings = connection.settings_dict
    try:
        conn = psycopg2.connect(
            dbname=settings["NAME"],
            user=APP_ROLE,
            password=APP_PASSWORD,
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
        )
    except psycopg2.OperationalError as exc:
        pytest.fail(f"Cannot log in as {APP_ROLE} ({exc}); run `scripts/services.sh up`.", pytrace=False)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def entry(user, issued) -> LedgerEntry:
    issued(user, ["csv"])
    return LedgerEntry.objects.get(owner=user, position=2)


def run(conn: Any, statement: str, *params: Any) -> Any:
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_the_app_role_reads_and_appends_but_cannot_update_delete_or_truncate_the_ledger(entry, as_app):
    assert "invoices_ledgerentry (SELECT, INSERT only)" in grant()
    # Reads, and an append: what the web and the workers do.
    assert run(as_app, "SELECT entry_hash FROM invoices_ledgerentry WHERE id = %s", entry.id) == [
        (entry.entry_hash,)
    ]
    appended = run(
        as_app,
        "INSERT INTO invoices_ledgerentry (owner_id, position, kind, at, invoice_id, number,"
        " input_sha256, layout, renderer_version, files, previous_hash, entry_hash)"
        " SELECT owner_id, position + 1, kind, at, invoice_id, number, input_sha256, layout,"
        " renderer_version, files, entry_hash, entry_hash"
        " FROM invoices_ledgerentry WHERE id = %s",
        entry.id,
    )
    assert appended == 1
    # The app still runs: it updates invoices.
    assert run(as_app, "UPDATE invoices_invoice SET updated_at = now() WHERE id = %s", entry.invoice_id) == 1
    for statement in (
        "UPDATE invoices_ledgerentry SET number = 'FORGED' WHERE id = %s",
        "UPDATE invoices_ledgerentry SET files = '{}' WHERE id = %s",
        "DELETE FROM invoices_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(errors.InsufficientPrivilege):
            run(as_app, statement, entry.id)
    with pytest.raises(errors.InsufficientPrivilege):
        run(as_app, "TRUNCATE invoices_ledgerentry CASCADE")
    with pytest.raises(errors.InsufficientPrivilege):  # a row lock needs UPDATE too
        run(as_app, "SELECT id FROM invoices_ledgerentry WHERE id = %s FOR UPDATE", entry.id)
    untouched = LedgerEntry.objects.get(id=entry.id)
    assert (untouched.number, untouched.entry_hash) == (entry.number, entry.entry_hash)
    assert LedgerEntry.objects.filter(owner_id=entry.owner_id).count() == 3


def test_granting_again_changes_nothing(entry, as_app, monkeypatch):
    """Idempotent: the migrate job runs it on every release, naming the role in DATABASE_APP_ROLE."""
    grant()
    monkeypatch.setenv("DATABASE_APP_ROLE", APP_ROLE)
    call_command("grant_app_role", stdout=StringIO())
    with pytest.raises(errors.InsufficientPrivilege):
        run(as_app, "DELETE FROM invoices_ledgerentry WHERE id = %s", entry.id)
    assert run(as_app, "SELECT count(*) FROM invoices_ledgerentry") == [(2,)]


@pytest.mark.django_db  # nothing to commit: the cheaper, rolled-back transaction
def test_an_unknown_role_or_the_owner_itself_is_refused():
    with pytest.raises(CommandError, match="There is no database role 'nobody_here'"):
        call_command("grant_app_role", "nobody_here")
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="the schema's owner"):
        call_command("grant_app_role", owner)


@pytest.mark.django_db
def test_another_database_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="grant_app_role needs PostgreSQL"):
        call_command("grant_app_role", APP_ROLE)
