"""The invoice as CSV: one row per line item, charge, tax rate and total, for machines and spreadsheets.

RFC 4180: comma-separated, CRLF line ends, fields quoted only when needed. UTF-8 without a byte-order mark,
which import tools expect; Excel users open it through Data > From Text/CSV. Amounts carry exactly the
currency's decimals and no thousands separators. Every number comes from the ``Document``: nothing is
recomputed here, so the CSV, the XLSX and the PDF always agree.
"""

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal

from invoices.document.fields import exponent_of
from invoices.document.model import Currency, Document, RenderedFile, RenderOptions
from invoices.document.money import format_rate
from invoices.renderers import content_types
from invoices.renderers.cells import inert_text
from invoices.renderers.naming import invoice_filename

CONTENT_TYPE = content_types.CSV
COLUMNS = (
    "row_type", "invoice_number", "issue_date", "due_date", "currency", "line_no", "sku", "description",
    "quantity", "unit", "unit_price", "discount_percent", "discount", "tax_rate", "net", "tax", "gross",
)  # fmt: skip

Row = dict[str, str]


def render_csv(document: Document, options: RenderOptions) -> RenderedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_rows(document))
    return RenderedFile(invoice_filename(document, "csv"), CONTENT_TYPE, buffer.getvalue().encode("utf-8"))


def _rows(document: Document) -> Iterator[Row]:
    common = _invoice_columns(document)
    money = _money_formatter(document.data.currency)
    for line_no, amount in enumerate(document.lines, start=1):
        line = amount.line
        yield common | {
            "row_type": "line",
            "line_no": str(line_no),
            "sku": inert_text(line.sku),
            "description": inert_text(line.description),
            "quantity": _plain(line.quantity),
            "unit": inert_text(line.unit),
            "unit_price": _unit_price(line.unit_price, document.data.currency),
            "discount_percent": format_rate(line.discount_percent),
            "discount": money(amount.discount),
            "tax_rate": format_rate(line.tax_rate),
            "net": money(amount.net),
        }
    for charge_no, charge in enumerate(document.charges, start=1):
        yield common | {
            "row_type": "charge",
            "line_no": str(charge_no),
            "description": inert_text(charge.adjustment.reason),
            "tax_rate": format_rate(charge.adjustment.tax_rate),
            "net": money(charge.amount),
        }
    yield from _summary_rows(document, common)


def _summary_rows(document: Document, common: Row) -> Iterator[Row]:
    money = _money_formatter(document.data.currency)
    totals = document.totals
    for group in totals.tax_groups:
        yield common | {
            "row_type": "tax",
            "tax_rate": format_rate(group.rate),
            "net": money(group.base),
            "tax": money(group.tax),
        }
    yield common | {
        "row_type": "total",
        "net": money(totals.net),
        "tax": money(totals.tax),
        "gross": money(totals.gross),
    }


def _invoice_columns(document: Document) -> Row:
    data = document.data
    return {
        "invoice_number": inert_text(data.number),
        "issue_date": data.issue_date.isoformat(),
        "due_date": data.due_date.isoformat() if data.due_date else "",
        "currency": data.currency.code,
    }


def _money_formatter(currency: Currency) -> Callable[[Decimal], str]:
    places = currency.minor_units
    return lambda amount: f"{amount:.{places}f}"


def _plain(value: Decimal) -> str:
    """A quantity as written, without trailing zeros or exponent: 2, 1.5, 1000."""
    return f"{value.normalize():f}"


def _unit_price(price: Decimal, currency: Currency) -> str:
    """At least the currency's decimals (500.00), more when the price has them (0.0125)."""
    decimals = -exponent_of(price.normalize())
    return f"{price:.{max(currency.minor_units, decimals)}f}"
