"""What the PDF template prints: the Document's values formatted for people, and the labels to go with them.

Nothing here computes money. Every amount is a value the Document already holds, passed through
``format_amount``; quantities and rates are only written out. The template does no arithmetic either.
"""

import dataclasses
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoices.country_names import country_name
from invoices.document.model import (
    AdjustmentAmount,
    Currency,
    Document,
    LineAmount,
    Party,
    Payment,
    RenderOptions,
    TaxGroup,
)
from invoices.document.money import format_amount, format_rate
from invoices.labels import Labels, labels_for
from invoices.renderers.pdf_layout import (
    CELL_PADDING,
    GRAND_TOTAL_SIZE,
    NUMBER_SIZES,
    TAXES_SHARE,
    TEXT_SIZE,
    TOTALS_SHARE,
    fit_percent,
    frame_width,
    header_lines,
    header_need,
    number_width,
)

# The label the schema gives the shipping charge; printed in the invoice's language instead.
SCHEMA_SHIPPING_LABEL = "Shipping"
MIN_DESCRIPTION_PERCENT = 20  # of the line table; the numbers step down in size to keep it
SKU_SHARE = 0.15  # of the line table at most: a longer SKU wraps, it is text
SKU_COMPACT_SHARE = 0.11  # the same when the numbers need the room
UNIT_SHARE = 0.15  # of the line table at most for "quantity unit": a longer unit goes under the quantity


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
    """Widths of the line table's columns in pt; the description takes the rest of the frame. ``size`` is
    the font size its numbers are printed at, the largest at which every number fits on one line."""

    number: float
    sku: float  # 0: no line has a SKU, the column is left out
    quantity: float
    unit_price: float
    discount: float  # 0: no line has a discount, the column is left out
    tax_rate: float
    net: float
    size: float = TEXT_SIZE

    @property
    def fixed(self) -> float:
        """Every column's width but the description's."""
        return (
            self.number
            + self.sku
            + self.quantity
            + self.unit_price
            + self.discount
            + self.tax_rate
            + self.net
        )


@dataclass(frozen=True)
class SummaryColumns:
    """Widths in percent of their own tables: the tax breakdown's amounts (its rate takes the rest) and the
    totals' amounts (their labels take the rest); ``size``, the font size of the breakdown's numbers; and
    the breakdown's headers as the lines they are printed in (a word too long for its column hyphenated)."""

    tax_base: int
    tax_amount: int
    total_amount: int
    size: float = TEXT_SIZE
    headers: tuple[tuple[str, ...], ...] = ()

    @property
    def font_size(self) -> str:
        # For the template's style attribute: a string, so no locale ever prints it as "8,5pt".
        return f"{self.size}pt"


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


def charge_label(charge: AdjustmentAmount, labels: Labels) -> str:
    if charge.adjustment.reason == SCHEMA_SHIPPING_LABEL:
        return labels.shipping
    return charge.adjustment.reason or labels.charges


def charge_row(charge: AdjustmentAmount, currency: Currency, labels: Labels) -> AmountRow:
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
    rows += [charge_row(charge, currency, labels) for charge in document.charges]
    if document.data.charges:
        rows.append(AmountRow(labels.net_total, format_amount(totals.net, currency)))
    rows.append(AmountRow(labels.tax, format_amount(totals.tax, currency)))
    return rows


@dataclass(frozen=True)
class _Squeeze:
    """How far the line table gives way to fit: see _SQUEEZES."""

    size: float = TEXT_SIZE
    units: str = "inline"  # "12.5 kWh" on one line; "under": the unit's words under it; "wrap": wrapped there
    sku_share: float = SKU_SHARE
    headers: bool = True  # each header's longest word fits; else long words are hyphenated


# In order: the text beside the numbers first (a unit goes under its quantity, then wraps there; a SKU
# wraps narrower), then the numbers' size one step at a time, then the headers' long words.
_SQUEEZES = (
    _Squeeze(),
    _Squeeze(units="under"),
    *(_Squeeze(size=size, units="wrap", sku_share=SKU_COMPACT_SHARE) for size in NUMBER_SIZES),
    *(_Squeeze(size=size, units="wrap", sku_share=SKU_COMPACT_SHARE, headers=False) for size in NUMBER_SIZES),
)


def line_columns(rows: list[LineRow], labels: Labels, width: float) -> LineColumns:
    """Columns as wide as their widest number, leaving the description its share of the frame."""
    room = width * (100 - MIN_DESCRIPTION_PERCENT) / 100
    for squeeze in _SQUEEZES:
        columns = _line_columns_at(rows, labels, width, squeeze)
        if columns.fixed <= room:
            break
    return columns  # past the last try the description gets less than its share; every number still fits


def _line_columns_at(rows: list[LineRow], labels: Labels, width: float, squeeze: _Squeeze) -> LineColumns:
    size = squeeze.size

    def need(texts: list[str], header: str, minimum: int) -> float:
        # The minimums (in percent of the frame) keep a column's look steady across invoices: "UNIT PRICE"
        # on one line over "9.00" too. They go with the headers' whole words, in the last squeezes.
        if not squeeze.headers:
            return number_width(texts, size=size)
        return max(number_width(texts, size=size), header_need(header), width * minimum / 100)

    units = [row.unit for row in rows if row.unit]
    unit_texts = {
        "inline": [f"{row.quantity} {row.unit}" for row in rows if row.unit],
        "under": [word for unit in units for word in unit.split()],
        "wrap": [],
    }[squeeze.units]
    unit_room = number_width(unit_texts, size=size) if unit_texts else 0.0
    skus = [row.sku for row in rows if row.sku]
    discounts = [row.discount for row in rows if row.discount]
    return LineColumns(
        number=need([str(row.number) for row in rows], labels.line_number, 4),
        sku=min(need(skus, labels.sku, 7), width * squeeze.sku_share) if skus else 0,
        quantity=max(
            need([row.quantity for row in rows], labels.quantity, 7), min(unit_room, width * UNIT_SHARE)
        ),
        unit_price=need([row.unit_price for row in rows], labels.unit_price, 11),
        discount=need(discounts, labels.discount, 7) if discounts else 0.0,
        tax_rate=need([row.tax_rate for row in rows], labels.tax, 6),
        net=need([row.net for row in rows], labels.net, 11),
        size=size,
    )


def summary_columns(
    taxes: list[TaxRow], totals: list[AmountRow], grand: str, labels: Labels, width: float
) -> SummaryColumns:
    taxes_width, totals_width = width * TAXES_SHARE, width * TOTALS_SHARE
    size, rate, base, tax = _tax_breakdown_widths(taxes, taxes_width)
    return SummaryColumns(
        tax_base=_percent(base, taxes_width),
        tax_amount=_percent(tax, taxes_width),
        total_amount=max(
            fit_percent([row.amount for row in totals], totals_width, 50, 70),
            fit_percent([grand], totals_width, 50, 70, bold=True, size=GRAND_TOTAL_SIZE),
        ),
        size=size,
        headers=tuple(
            tuple(header_lines(label, column - CELL_PADDING, labels.language))
            for label, column in ((labels.rate, rate), (labels.base, base), (labels.tax, tax))
        ),
    )


def _tax_breakdown_widths(taxes: list[TaxRow], width: float) -> tuple[float, float, float, float]:
    """(size, rate, base, tax): the numbers' size and the columns' widths in pt. Each column is as wide as
    its widest number at the largest size where the three fit; the room left goes to the amounts."""
    for size in NUMBER_SIZES:
        rate = number_width([row.rate for row in taxes], size=size)
        base = number_width([row.base for row in taxes], size=size)
        tax = number_width([row.tax for row in taxes], size=size)
        if rate + base + tax <= width:
            break
    spare = max(0.0, width - rate - base - tax)
    return size, rate, base + spare / 2, tax + spare / 2


def _percent(part: float, whole: float) -> int:
    return min(100, math.ceil(100 * part / whole))


def format_iban(iban: str) -> str:
    """An IBAN (stored compact) in groups of four, as ISO 13616 prints it for people to read and retype:
    "DE89370400440532013000" -> "DE89 3704 0044 0532 0130 00"."""
    return " ".join(iban[start : start + 4] for start in range(0, len(iban), 4))


def payment_details(payment: Payment | None) -> Payment | None:
    """The payment block to print, its IBAN grouped in fours, or None when there is nothing in it."""
    if payment and (payment.iban or payment.bic or payment.reference):
        return dataclasses.replace(payment, iban=format_iban(payment.iban))
    return None


def party_country(party: Party | None, labels: Labels) -> str:
    """The party's country (an ISO 3166-1 code) by name in the invoice's language; "" when it has none."""
    return country_name(party.country, labels.language) if party and party.country else ""


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
        "seller_country": party_country(data.seller, labels),
        "buyer_country": party_country(data.buyer, labels),
        "ship_to_country": party_country(data.ship_to, labels),
    }
