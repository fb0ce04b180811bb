"""The invoice as CSV: one row per line item, allowance, charge, tax group and total, for machines and
spreadsheets.

RFC 4180: comma-separated, CRLF line ends, fields quoted only when needed. UTF-8 without a byte-order mark,
which import tools expect; Excel users open it through Data > From Text/CSV. Amounts carry exactly the
currency's decimals and no thousands separators. Every number comes from the ``Document``: nothing is
recomputed here, so the CSV, the XLSX and the PDF always agree.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

from invoices.document.fields import exponent_of
from invoices.document.model import AdjustmentAmount, Currency, Document, RenderedFile, RenderOptions
from invoices.document.money import format_rate
from invoices.einvoice.units import unit_code_of_text
from invoices.renderers import content_types
from invoices.renderers.cells import inert_text
from invoices.renderers.naming import invoice_filename

CONTENT_TYPE = content_types.CSV
COLUMNS = (
    "row_type", "invoice_number", "issue_date", "due_date", "currency", "line_no", "sku", "description",
    "quantity", "unit", "unit_price", "discount_percent", "discount", "tax_rate", "net", "tax", "gross",
    # Added for EN 16931 (issue 16), after the original columns so readers by position keep working:
    "document_type", "preceding_invoice", "preceding_invoice_date", "buyer_reference", "order_reference",
    "delivery_date", "period_start", "period_end", "unit_code", "price_base_quantity", "charge", "percent",
    "base", "reason_code", "tax_category", "exemption_reason", "exemption_reason_code", "line_total",
    "prepaid", "rounding", "payable",
)  # fmt: skip
"""Row types, in the order they come:

- ``line``: one per line item; ``discount`` and ``charge`` are the sums of its allowances and charges,
  ``net`` its net amount (EN 16931 BT-131);
- ``line_allowance``, ``line_charge``: each of a line's allowances and charges after it, ``line_no`` the
  line's, ``net`` the amount (positive), ``percent`` and ``base`` when it is a percentage;
- ``allowance``, ``charge``: the document's (numbered from 1 in ``line_no``), ``net`` the amount (positive);
- ``tax``: one per tax category and rate, ``net`` the base and ``tax`` the tax;
- ``total``: ``line_total`` (BT-106), ``discount`` and ``charge`` the document's allowances and charges
  (BT-107, BT-108), ``net``, ``tax``, ``gross``, ``prepaid``, ``rounding`` and ``payable`` (BT-115).
"""

Row = dict[str, str]


def render_csv(document: Document, options: RenderOptions) -> RenderedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_rows(document))
    return RenderedFile(invoice_filename(document, "csv"), CONTENT_TYPE, buffer.getvalue().encode("utf-8"))


def _rows(document: Document) -> Iterator[Row]:
    common = _invoice_columns(document)
    currency = document.data.currency
    money = _money_formatter(currency)
    for line_no, amount in enumerate(document.lines, start=1):
        line = amount.line
        yield common | {
            "row_type": "line",
            "line_no": str(line_no),
            "sku": inert_text(line.sku),
            "description": inert_text(line.description),
            "quantity": _plain(line.quantity),
            "unit": inert_text(line.unit),
            "unit_price": _unit_price(line.unit_price, currency),
            "discount_percent": format_rate(line.discount_percent),
            "discount": money(amount.discount),
            "tax_rate": format_rate(line.tax_rate),
            "net": money(amount.net),
            # The code the e-invoices write: the unit's own, or the one its free text names ("h": HUR);
            # empty for free text that names no measured unit, where they write C62.
            "unit_code": inert_text(line.unit_code or unit_code_of_text(line.unit)),
            "price_base_quantity": _plain(line.price_base_quantity),
            "charge": money(amount.charge),
            "tax_category": inert_text(line.tax_category),
            "exemption_reason": inert_text(line.exemption_reason),
            "exemption_reason_code": inert_text(line.exemption_reason_code),
        }
        for kind, adjustments in (("line_allowance", amount.allowances), ("line_charge", amount.charges)):
            for adjusted in adjustments:
                yield common | {"row_type": kind, "line_no": str(line_no)} | _adjustment(adjusted, money)
    for kind, adjustments in (("allowance", document.allowances), ("charge", document.charges)):
        for number, adjusted in enumerate(adjustments, start=1):
            adjustment = adjusted.adjustment
            yield (
                common
                | {
                    "row_type": kind,
                    "line_no": str(number),
                    "tax_rate": format_rate(adjustment.tax_rate),
                    "tax_category": inert_text(adjustment.tax_category),
                }
                | _adjustment(adjusted, money)
            )
    yield from _summary_rows(document, common)


def _adjustment(adjusted: AdjustmentAmount, money: Callable[[Decimal], str]) -> Row:
    adjustment = adjusted.adjustment
    return {
        "description": inert_text(adjustment.reason),
        "reason_code": inert_text(adjustment.reason_code),
        "percent": format_rate(adjustment.percent) if adjustment.percent is not None else "",
        "base": money(adjusted.base) if adjusted.base is not None else "",
        "net": money(adjusted.amount),
    }


def _summary_rows(document: Document, common: Row) -> Iterator[Row]:
    money = _money_formatter(document.data.currency)
    totals = document.totals
    for group in totals.tax_groups:
        yield common | {
            "row_type": "tax",
            "tax_rate": format_rate(group.rate),
            "net": money(group.base),
            "tax": money(group.tax),
            "tax_category": inert_text(group.category),
            "exemption_reason": inert_text(group.exemption_reason),
            "exemption_reason_code": inert_text(group.exemption_reason_code),
        }
    yield common | {
        "row_type": "total",
        "net": money(totals.net),
        "tax": money(totals.tax),
        "gross": money(totals.gross),
        "line_total": money(totals.lines_net),
        "discount": money(totals.allowances),
        "charge": money(totals.charges),
        "prepaid": money(totals.prepaid),
        "rounding": money(totals.rounding),
        "payable": money(totals.payable),
    }


def _invoice_columns(document: Document) -> Row:
    data = document.data
    period = data.billing_period
    return {
        "invoice_number": inert_text(data.number),
        "issue_date": data.issue_date.isoformat(),
        "due_date": data.due_date.isoformat() if data.due_date else "",
        "currency": data.currency.code,
        "document_type": data.type,
        # A credit note may correct several invoices: their numbers and dates, each list in one order.
        "preceding_invoice": inert_text(" ".join(ref.number for ref in data.preceding)),
        "preceding_invoice_date": " ".join(_iso(ref.issue_date) for ref in data.preceding).strip(),
        "buyer_reference": inert_text(data.buyer_reference),
        "order_reference": inert_text(data.order_reference),
        "delivery_date": _iso(data.delivery_date),
        "period_start": _iso(period.start) if period else "",
        "period_end": _iso(period.end) if period else "",
    }


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


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
