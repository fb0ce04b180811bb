"""The render job's fixed statements, built once per process from the models' metadata (names quoted by
``invoicesite.sqlnames``, every value a parameter).

A render job on PostgreSQL sends its statements in three messages before the ledger's: the claim with the
reads it needs (``claim_sql("format")`` then ``claimed_invoice_sql()``), the ready rendition with the lock
and the statuses read after it (``lock_sql``, ``rendition_ready_sql``, ``statuses_sql``), and the invoice's
aggregate. Each statement of a message still runs with its own snapshot, in order, so the lock is held
before the statuses are read, as when each was a round trip of its own; what goes is the waiting between
them (docs/performance.md, "Round six"). SQLite (embedded mode) runs the same statements one at a time.
"""

from functools import cache
from typing import Any, Literal

from django.db import connection

from accounts.models import User
from invoices.models import FINAL_STATUSES, Invoice, Rendition
from invoicesite import sqlnames

READY_COLUMNS = ("file_name", "download_name", "content_type", "size", "sha256")


@cache
def invoice_with_owner_fields() -> tuple[list[Any], list[Any]]:
    return list(Invoice._meta.concrete_fields), list(User._meta.concrete_fields)


@cache
def rendition_fields() -> list[Any]:
    return list(Rendition._meta.concrete_fields)


def _invoice_with_owner_from() -> str:
    invoice, owner = sqlnames.table(Invoice), sqlnames.table(User)
    i_owner, u_id = sqlnames.column(Invoice, "owner"), sqlnames.column(User, "id")
    return f"{invoice} INNER JOIN {owner} ON {owner}.{u_id} = {invoice}.{i_owner}"


@cache
def invoice_with_owner_sql() -> str:
    invoice_fields, owner_fields = invoice_with_owner_fields()
    selected = f"{sqlnames.columns(Invoice, invoice_fields)}, {sqlnames.columns(User, owner_fields)}"
    invoice, i_id = sqlnames.table(Invoice), sqlnames.column(Invoice, "id")
    return f"SELECT {selected} FROM {_invoice_with_owner_from()} WHERE {invoice}.{i_id} = %s"  # noqa: S608  # nosec B608


@cache
def claimed_invoice_sql() -> str:
    """The invoice, its owner and every rendition (one row each, in their order; one row of NULLs for the
    renditions when it has none), read after the claim in the same message: the claimed state. The input
    comes with the first row only."""
    invoice_fields, owner_fields = invoice_with_owner_fields()
    invoice, rendition = sqlnames.table(Invoice), sqlnames.table(Rendition)
    i_id, i_input = sqlnames.column(Invoice, "id"), sqlnames.column(Invoice, "input")
    r_invoice, r_position, r_id = (sqlnames.column(Rendition, name) for name in ("invoice", "position", "id"))
    order = f"{rendition}.{r_position}, {rendition}.{r_id}"
    # The stored input (up to the upload's size limit) on the first row only: the others are renditions.
    first_row_input = f"CASE WHEN ROW_NUMBER() OVER (ORDER BY {order}) = 1 THEN {invoice}.{i_input} END"
    invoice_columns = [
        first_row_input if one.name == "input" else sqlnames.columns(Invoice, [one]) for one in invoice_fields
    ]
    selected = ", ".join(
        [
            *invoice_columns,
            sqlnames.columns(User, owner_fields),
            sqlnames.columns(Rendition, rendition_fields()),
        ]
    )
    return (
        f"SELECT {selected} FROM {_invoice_with_owner_from()} "  # noqa: S608  # nosec B608
        f"LEFT OUTER JOIN {rendition} ON {rendition}.{r_invoice} = {invoice}.{i_id} "
        f"WHERE {invoice}.{i_id} = %s ORDER BY {order}"
    )


@cache
def claim_sql(by: Literal["id", "format"]) -> str:
    """The rendition (by its id, or by its invoice and format) rendering unless final, and its invoice
    queued -> rendering: one statement, atomic on its own."""
    rendition, invoice = sqlnames.table(Rendition), sqlnames.table(Invoice)
    r_id, r_invoice, r_format, r_status, r_attempts, r_updated = (
        sqlnames.column(Rendition, name)
        for name in ("id", "invoice", "format", "status", "attempts", "updated_at")
    )
    i_id, i_status, i_updated, i_format = (
        sqlnames.column(Invoice, name) for name in ("id", "status", "updated_at", "format")
    )
    # By format: the one named, or the invoice's first (a job queued before renditions names none).
    first = f"(SELECT {i_format} FROM {invoice} WHERE {i_id} = {r_invoice})"  # noqa: S608  # nosec B608
    which = f"{r_id} = %s" if by == "id" else f"{r_invoice} = %s AND {r_format} = COALESCE(%s, {first})"
    return (
        f"WITH claimed AS (UPDATE {rendition} "  # noqa: S608  # nosec B608
        f"SET {r_status} = %s, {r_attempts} = {r_attempts} + 1, {r_updated} = %s "
        f"WHERE {which} AND {r_status} NOT IN (%s, %s) RETURNING {r_invoice}) "
        f"UPDATE {invoice} SET {i_status} = %s, {i_updated} = %s "
        f"WHERE {i_id} IN (SELECT {r_invoice} FROM claimed) AND {i_status} = %s"
    )


@cache
def lock_sql(vendor: str) -> str:
    invoice, i_id = sqlnames.table(Invoice), sqlnames.column(Invoice, "id")
    # SQLite (embedded mode) has no FOR UPDATE: its writes take the whole database, one at a time.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rendered_at = sqlnames.columns(Invoice, [sqlnames.field(Invoice, "rendered_at")])
    return f"SELECT {rendered_at} FROM {invoice} WHERE {i_id} = %s{lock}"  # noqa: S608  # nosec B608


@cache
def rendition_ready_sql() -> str:
    columns = ["status", *READY_COLUMNS, "failure_reason", "rendered_at", "updated_at"]
    assignments = ", ".join(f"{sqlnames.column(Rendition, name)} = %s" for name in columns)
    r_id, r_status = sqlnames.column(Rendition, "id"), sqlnames.column(Rendition, "status")
    final = ", ".join(["%s"] * len(FINAL_STATUSES))
    return (
        f"UPDATE {sqlnames.table(Rendition)} SET {assignments} "  # noqa: S608  # nosec B608
        f"WHERE {r_id} = %s AND {r_status} NOT IN ({final})"
    )


@cache
def settle_read_sql() -> str:
    rendition = sqlnames.table(Rendition)
    selected = sqlnames.columns(
        Rendition, [sqlnames.field(Rendition, "status"), sqlnames.field(Rendition, "failure_reason")]
    )
    r_invoice, r_position = sqlnames.column(Rendition, "invoice"), sqlnames.column(Rendition, "position")
    return (
        f"SELECT {selected} FROM {rendition} "  # noqa: S608  # nosec B608
        f"WHERE {r_invoice} = %s ORDER BY {r_position}"
    )


@cache
def statuses_sql() -> str:
    """Every rendition's status and failure, whether it holds the file named by the parameter (the ready
    UPDATE before it in the message took, a fresh name per attempt), and whether the invoice was ever
    ready: what ``settle_read_sql`` and ``lock_sql`` read, in the statement after the lock."""
    rendition, invoice = sqlnames.table(Rendition), sqlnames.table(Invoice)
    selected = sqlnames.columns(
        Rendition, [sqlnames.field(Rendition, "status"), sqlnames.field(Rendition, "failure_reason")]
    )
    r_invoice, r_position, r_file = (
        sqlnames.column(Rendition, name) for name in ("invoice", "position", "file_name")
    )
    i_id, i_rendered = sqlnames.column(Invoice, "id"), sqlnames.column(Invoice, "rendered_at")
    return (
        f"SELECT {selected}, {rendition}.{r_file} = %s, {invoice}.{i_rendered} IS NOT NULL "  # noqa: S608  # nosec B608
        f"FROM {rendition} INNER JOIN {invoice} ON {invoice}.{i_id} = {rendition}.{r_invoice} "
        f"WHERE {rendition}.{r_invoice} = %s ORDER BY {rendition}.{r_position}"
    )


@cache
def settle_sql(ready: bool) -> str:
    """The invoice's status, failure and times from its renditions'; ``rendered_at`` once all are ready."""
    columns = ["status", "updated_at", "failure_reason", *(["rendered_at"] if ready else [])]
    assignments = ", ".join(f"{sqlnames.column(Invoice, name)} = %s" for name in columns)
    return f"UPDATE {sqlnames.table(Invoice)} SET {assignments} WHERE {sqlnames.column(Invoice, 'id')} = %s"  # noqa: S608  # nosec B608
