"""Read queries. Every query a user can reach is scoped to its owner (docs/security.md case 1)."""

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection

from accounts.models import User
from invoices.models import Invoice, NumberSeries, Rendition
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


class InvoiceListing:
    """The owner's invoices, newest first, optionally of one status and with a rendition in one format, as
    Django's paginator reads a list: ``count()``, then one page by a slice, which also reads the page's
    renditions into ``renditions`` (by invoice id, in their order). Each is a fixed statement built once per
    process and filter: the ORM compiled the count, the page and the renditions' prefetch on every request,
    about half of a page's CPU (docs/performance.md, List)."""

    def __init__(self, *, owner: User, status: str | None = None, fmt: str | None = None) -> None:
        self._filters = (bool(status), bool(fmt))
        self._params = [sqlnames.value(Invoice, "owner", owner.pk)]
        self._params += [status] if status else []
        self._params += [fmt] if fmt else []
        self.renditions: dict[uuid.UUID, list[Rendition]] = {}

    def count(self) -> int:
        with connection.cursor() as cursor:
            sqlnames.execute(cursor, _listing_count_sql(*self._filters), self._params)
            (count,) = cursor.fetchone()
        return int(count)

    def __getitem__(self, page: slice) -> list[Invoice]:
        offset = page.start or 0
        if page.stop <= offset:  # the empty first page of an owner without (such) invoices
            self.renditions = {}
            return []
        params = [*self._params, page.stop - offset, offset]
        with connection.cursor() as cursor:
            sqlnames.execute(cursor, _listing_page_sql(*self._filters), params)
            rows = cursor.fetchall()
        invoice_fields, series_fields = _listing_fields()
        cut = len(invoice_fields)
        invoices = sqlnames.instances(Invoice, invoice_fields, [row[:cut] for row in rows])
        for invoice, row in zip(invoices, rows, strict=True):
            series = None if row[cut] is None else sqlnames.instance(NumberSeries, series_fields, row[cut:])
            Invoice.series.field.set_cached_value(invoice, series)
        self.renditions = _renditions_by_invoice(invoices)
        return invoices


def _renditions_by_invoice(invoices: list[Invoice]) -> dict[uuid.UUID, list[Rendition]]:
    """The renditions of ``invoices`` by invoice id, each invoice's in their order, by one statement."""
    found: dict[uuid.UUID, list[Rendition]] = {invoice.id: [] for invoice in invoices}
    if not invoices:
        return found
    keys = [sqlnames.value(Rendition, "invoice", invoice.id) for invoice in invoices]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sqlnames.execute(cursor, _renditions_of_many_sql(None), [keys])
        else:  # no arrays: one placeholder per invoice, sent as text
            cursor.execute(_renditions_of_many_sql(len(keys)), keys)
        rows = cursor.fetchall()
    by_id = {invoice.id: invoice for invoice in invoices}
    for rendition in sqlnames.instances(Rendition, rendition_fields(), rows):
        invoice = by_id[rendition.invoice_id]
        Rendition.invoice.field.set_cached_value(rendition, invoice)
        found[invoice.id].append(rendition)
    return found


@cache
def _listing_fields() -> tuple[list[Any], list[Any]]:
    """The invoice's columns a list shows (all but its stored input) and its series' id and code."""
    invoice_fields = [one for one in Invoice._meta.concrete_fields if one.name != "input"]
    return invoice_fields, [sqlnames.field(NumberSeries, "id"), sqlnames.field(NumberSeries, "code")]


def _listing_where(status: bool, fmt: bool) -> str:
    invoice, rendition = sqlnames.table(Invoice), sqlnames.table(Rendition)
    where = f"{invoice}.{sqlnames.column(Invoice, 'owner')} = %s"
    if status:
        where += f" AND {invoice}.{sqlnames.column(Invoice, 'status')} = %s"
    if fmt:
        # Invoices with a rendition in that format (an invoice has at most one per format).
        r_invoice, r_format = sqlnames.column(Rendition, "invoice"), sqlnames.column(Rendition, "format")
        where += (
            f" AND EXISTS (SELECT 1 FROM {rendition} WHERE {rendition}.{r_invoice} = "  # noqa: S608  # nosec B608
            f"{invoice}.{sqlnames.column(Invoice, 'id')} AND {rendition}.{r_format} = %s)"
        )
    return where


@cache
def _listing_count_sql(status: bool, fmt: bool) -> str:
    return f"SELECT COUNT(*) FROM {sqlnames.table(Invoice)} WHERE {_listing_where(status, fmt)}"  # noqa: S608  # nosec B608


@cache
def _listing_page_sql(status: bool, fmt: bool) -> str:
    invoice_fields, series_fields = _listing_fields()
    invoice, series = sqlnames.table(Invoice), sqlnames.table(NumberSeries)
    i_id, i_created = sqlnames.column(Invoice, "id"), sqlnames.column(Invoice, "created_at")
    selected = f"{sqlnames.columns(Invoice, invoice_fields)}, {sqlnames.columns(NumberSeries, series_fields)}"
    joined = (
        f"{invoice} LEFT OUTER JOIN {series} ON {series}.{sqlnames.column(NumberSeries, 'id')} = "
        f"{invoice}.{sqlnames.column(Invoice, 'series')}"
    )
    return (
        f"SELECT {selected} FROM {joined} WHERE {_listing_where(status, fmt)} "  # noqa: S608  # nosec B608
        f"ORDER BY {invoice}.{i_created} DESC, {invoice}.{i_id} DESC LIMIT %s OFFSET %s"
    )


def _renditions_of_many_sql(count: int | None) -> str:
    """The renditions of several invoices in their order: ``= ANY(%s)`` of an array (PostgreSQL), or ``IN``
    with ``count`` placeholders."""
    return _renditions_sql("= ANY(%s)" if count is None else f"IN ({', '.join(['%s'] * count)})")


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
    renditions: list[Rendition] = sqlnames.instances(Rendition, rendition_fields(), rows)
    for rendition in renditions:
        Rendition.invoice.field.set_cached_value(rendition, invoice)
    return renditions


def _renditions_of_sql() -> str:
    return _renditions_sql("= %s")


@cache
def _renditions_sql(matches: str) -> str:
    """Renditions whose invoice ``matches`` (the condition on their invoice column), in their order."""
    rendition = sqlnames.table(Rendition)
    r_invoice, r_position, r_id = (sqlnames.column(Rendition, name) for name in ("invoice", "position", "id"))
    return (
        f"SELECT {sqlnames.columns(Rendition, rendition_fields())} FROM {rendition} "  # noqa: S608  # nosec B608
        f"WHERE {rendition}.{r_invoice} {matches} ORDER BY {rendition}.{r_position}, {rendition}.{r_id}"
    )
