"""Read queries. Every query a user can reach is scoped to its owner (docs/security.md case 1)."""

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from invoices.models import Invoice, Rendition
from invoices.render_sql import rendition_fields
from invoicesite import sqlnames


def invoice_get(*, owner: User, invoice_id: uuid.UUID | str) -> Invoice | None:
    """The owner's invoice with its renditions, or None: another user's invoice and a missing one look the
    same."""
    try:
        key = invoice_id if isinstance(invoice_id, uuid.UUID) else uuid.UUID(str(invoice_id))
    except ValueError:
        return None
    return (
        Invoice.objects.filter(owner=owner, id=key)
        .defer("input")
        .select_related("series")
        .prefetch_related("renditions")
        .first()
    )


def invoice_list(*, owner: User, status: str | None = None, fmt: str | None = None) -> QuerySet[Invoice]:
    """The owner's invoices, newest first, optionally of one status and with a rendition in one format."""
    queryset = (
        Invoice.objects.filter(owner=owner)
        .defer("input")
        .order_by("-created_at", "-id")
        .select_related("series")  # its code, in the same query
        .prefetch_related("renditions")  # one query for the page's renditions
    )
    if status:
        queryset = queryset.filter(status=status)
    if fmt:
        # A join that cannot repeat an invoice: it has at most one rendition per format.
        queryset = queryset.filter(renditions__format=fmt)
    return queryset


def rendition_get(*, invoice: Invoice, fmt: str) -> Rendition | None:
    """The invoice's rendition in ``fmt`` (from the prefetched renditions when there are some)."""
    return next((rendition for rendition in invoice.renditions.all() if rendition.format == fmt), None)


def renditions_of(invoice: Invoice) -> list[Rendition]:
    """Every rendition of the invoice in their order (``invoice.renditions.all()``), by one fixed statement,
    each knowing its invoice as the related manager's would: the render and the email read them on every
    job, where compiling the ORM's query cost more than running it."""
    with connection.cursor() as cursor:
        sqlnames.execute(cursor, _renditions_of_sql(), [sqlnames.value(Rendition, "invoice", invoice.id)])
        rows = cursor.fetchall()
    return renditions_from_rows(invoice, rows)


def renditions_from_rows(invoice: Invoice, rows: Sequence[Sequence[Any]]) -> list[Rendition]:
    """The renditions of ``invoice`` from rows of their columns (``rendition_fields()``), each knowing its
    invoice as the related manager's would."""
    fields = rendition_fields()
    renditions = [sqlnames.instance(Rendition, fields, row) for row in rows]
    for rendition in renditions:
        Rendition.invoice.field.set_cached_value(rendition, invoice)
    return renditions


@cache
def _renditions_of_sql() -> str:
    rendition = sqlnames.table(Rendition)
    r_invoice, r_position, r_id = (sqlnames.column(Rendition, name) for name in ("invoice", "position", "id"))
    return (
        f"SELECT {sqlnames.columns(Rendition, rendition_fields())} FROM {rendition} "  # noqa: S608  # nosec B608
        f"WHERE {rendition}.{r_invoice} = %s ORDER BY {rendition}.{r_position}, {rendition}.{r_id}"
    )
