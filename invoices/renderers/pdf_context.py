"""What the PDF template prints: the Document's values formatted for people, and the labels to go with them.

Nothing here computes money. Every amount is a value the Document already holds, passed through
``format_amount``; quantities and rates are only written out. The template does no arithmetic either.
"""

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from invoices.document.model import (
    Charge,
    Currency,
    Document,
    LineAmount,
    Payment,
    RenderOptions,
    TaxGroup,
)
from invoices.document.money import format_amount, format_rate
from invoices.labels import Labels, labels_for
from invoices.renderers.pdf_layout import (
    GRAND_TOTAL_SIZE,
    TAXES_SHARE,
    TOTALS_SHARE,
    fit_percent,
    frame_width,
)

# The label the schema gives the shipping charge; printed in the invoice's language instead.
SCHEMA_SHIPPING_LABEL = "Shipping"
MIN_DESCRIPTION_PERCENT = 20  # of the line table; the other columns give way to keep it


@dataclass(frozen=True)
class LineRow:
    number: int
    sku: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount: str  # "10%", or "" without a discount
    tax_rate: str  # "20%"
    net: str


@dataclass(frozen=True)
class AmountRow:
    label: str
    amount: str


@dataclass(frozen=True)
class LineColumns:
    """Widths of the line table's columns in percent of the frame; the description takes the rest."""

    number: int
    sku: int  # 0: no line has a SKU, the column is left out
    quantity: int
    unit_price: int
    discount: int  # 0: no line has a discount, the column is left out
    tax_rate: int
    net: int


@dataclass(frozen=True)
class SummaryColumns:
    """Widths in percent of their own tables: the tax breakdown's amounts (its rate takes the rest) and the
    totals' amounts (their labels take the rest)."""

    tax_base: int
    tax_amount: int
    total_amount: int


@dataclass(frozen=True)
class TaxRow:
    rate: str
    base: str
    tax: str


def format_quantity(quantity: Decimal) -> str:
    """A quantity without trailing zeros, thousands grouped: Decimal('2.500') -> '2.5', 1000 -> '1,000'."""
    return f"{quantity.normalize():,f}"


def format_unit_price(price: Decimal, currency: Currency) -> str:
    """A unit price with the currency's decimals, or all of its own when it has more (0.125 EUR per item)."""
    exponent = price.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > currency.minor_units:
        return f"{price.normalize():,f}"
    return format_amount(price, currency)


def format_percent(rate: Decimal) -> str:
    return f"{format_rate(rate)}%"


def format_date(value: date | None, labels: Labels) -> str:
    return value.strftime(labels.date_format) if value else ""


def line_row(number: int, amount: LineAmount, currency: Currency) -> LineRow:
    line = amount.line
    return LineRow(
        number=number,
        sku=line.sku,
        description=line.description,
        quantity=format_quantity(line.quantity),
        unit=line.unit,
        unit_price=format_unit_price(line.unit_price, currency),
        discount=format_percent(line.discount_percent) if line.discount_percent else "",
        tax_rate=format_percent(line.tax_rate),
        net=format_amount(amount.net, currency),
    )


def charge_label(charge: Charge, labels: Labels) -> str:
    if charge.label == SCHEMA_SHIPPING_LABEL:
        return labels.shipping
    return charge.label or labels.charges


def charge_row(charge: Charge, currency: Currency, labels: Labels) -> AmountRow:
    # format_amount rounds exactly as compute_document rounded this charge into the totals.
    return AmountRow(label=charge_label(charge, labels), amount=format_amount(charge.amount, currency))


def tax_row(group: TaxGroup, currency: Currency) -> TaxRow:
    return TaxRow(
        rate=format_percent(group.rate),
        base=format_amount(group.base, currency),
        tax=format_amount(group.tax, currency),
    )


def total_rows(document: Document, labels: Labels) -> list[AmountRow]:
    """Subtotal, each charge, the net total when charges make it differ from the subtotal, and the tax."""
    currency, totals = document.data.currency, document.totals
    rows = [AmountRow(labels.subtotal, format_amount(totals.lines_net, currency))]
    rows += [charge_row(charge, currency, labels) for charge in document.data.charges]
    if document.data.charges:
        rows.append(AmountRow(labels.net_total, format_amount(totals.net, currency)))
    rows.append(AmountRow(labels.tax, format_amount(totals.tax, currency)))
    return rows


def line_columns(rows: list[LineRow], labels: Labels, width: float) -> LineColumns:
    def fit(texts: list[str], header: str, minimum: int) -> int:
        return fit_percent(texts, width, minimum, header=header)

    has_discount = any(row.discount for row in rows)
    return _with_room_for_the_description(
        LineColumns(
            number=fit([str(row.number) for row in rows], labels.line_number, 4),
            sku=fit([row.sku for row in rows], labels.sku, 7) if any(row.sku for row in rows) else 0,
            # A long unit name may wrap under the number; the number only when all columns give way (below).
            quantity=fit([f"{row.quantity} {row.unit[:6]}" for row in rows], labels.quantity, 7),
            unit_price=fit([row.unit_price for row in rows], labels.unit_price, 11),
            discount=fit([row.discount for row in rows], labels.discount, 7) if has_discount else 0,
            tax_rate=fit([row.tax_rate for row in rows], labels.tax, 6),
            net=fit([row.net for row in rows], labels.net, 11),
        )
    )


def _with_room_for_the_description(columns: LineColumns) -> LineColumns:
    """Seven columns of up to MAX_PERCENT each can add up to more than the frame (a long SKU and unit,
    15-digit amounts and a discount on one line): the description would get a negative width and the render
    fail. Then they all give way in proportion, their text wrapping, so the description keeps its share."""
    widths = asdict(columns)
    room = 100 - MIN_DESCRIPTION_PERCENT
    total = sum(widths.values())
    if total <= room:
        return columns
    return LineColumns(**{name: width * room // total for name, width in widths.items()})


def summary_columns(
    taxes: list[TaxRow], totals: list[AmountRow], grand: str, labels: Labels, width: float
) -> SummaryColumns:
    taxes_width, totals_width = width * TAXES_SHARE, width * TOTALS_SHARE
    return SummaryColumns(
        tax_base=fit_percent([row.base for row in taxes], taxes_width, 30, 45, header=labels.base),
        tax_amount=fit_percent([row.tax for row in taxes], taxes_width, 30, 45, header=labels.tax),
        total_amount=max(
            fit_percent([row.amount for row in totals], totals_width, 50, 70),
            fit_percent([grand], totals_width, 50, 70, bold=True, size=GRAND_TOTAL_SIZE),
        ),
    )


def payment_details(payment: Payment | None) -> Payment | None:
    """The payment block to print, or None when there is nothing in it."""
    if payment and (payment.iban or payment.bic or payment.reference):
        return payment
    return None


def invoice_context(document: Document, options: RenderOptions) -> dict[str, object]:
    """The template's context: plain strings and the Document's own parties, nothing to compute."""
    data, currency = document.data, document.data.currency
    labels = labels_for(data.language)
    lines = [line_row(number, amount, currency) for number, amount in enumerate(document.lines, start=1)]
    page_size = "letter" if options.page_size == "letter" else "a4"
    totals = total_rows(document, labels)
    taxes = [tax_row(group, currency) for group in document.totals.tax_groups]
    gross = f"{format_amount(document.totals.gross, currency)} {currency.code}"
    return {
        "labels": labels,
        "page_size": page_size,
        "data": data,
        "issue_date": format_date(data.issue_date, labels),
        "due_date": format_date(data.due_date, labels),
        "lines": lines,
        # Columns no line uses have width 0 and are left out, which gives the description the room.
        "columns": line_columns(lines, labels, frame_width(page_size)),
        "total_rows": totals,
        "gross": gross,
        "tax_rows": taxes,
        "summary_columns": summary_columns(taxes, totals, gross, labels, frame_width(page_size)),
        "payment": payment_details(data.payment),
    }
