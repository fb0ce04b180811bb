"""What the PDF template prints: the Document's values formatted for people, and the labels to go with them.

Nothing here computes money. Every amount is a value the Document already holds, passed through
``format_amount``; quantities and rates are only written out. The template does no arithmetic either.
"""

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from invoices.document.model import (
    Document,
    Line,
    LineAmount,
    Party,
    Payment,
    RenderOptions,
    TaxGroup,
)
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import Labels, labels_for, unit_text
from invoices.i18n.locales import cached_locale
from invoices.i18n.words import amount_in_words
from invoices.renderers.layouts import layout, layout_context
from invoices.renderers.pdf_fonts import text_fonts
from invoices.renderers.pdf_layout import (
    CELL_PADDING,
    GRAND_TOTAL_SIZE,
    HEADER_SIZE,
    NUMBER_SIZES,
    PAGE_MARGIN,
    SLACK,
    TAXES_SHARE,
    TEXT_SIZE,
    TOTALS_SHARE,
    fit_percent,
    frame_width,
    header_lines,
    header_need,
    label_scale,
    number_width,
    text_width,
)
from invoices.renderers.wording import (
    SCHEMA_DISCOUNT_LABEL,
    adjustment_label,
    tax_identifiers,
    tax_notes,
    tax_rate_text,
)

LEFT_TO_RIGHT_MARK = "\N{LEFT-TO-RIGHT MARK}"
NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and the Arabic presentation forms.
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# Where the city comes before the postal code, and where the postcode has a line of its own.
CITY_REGION_POSTAL = frozenset({"US", "CA", "AU"})
POSTCODE_LAST = frozenset({"GB", "IE"})
PERIOD_DASH = "\N{EN DASH}"  # between a period's dates, as typesetting has it
FACTS_SHARE = 0.40  # the header's facts table (number, dates, references), of the frame
FACT_LABEL_PERCENT = 55  # of that table, for its labels, unless a value needs the room
LABEL_SIZE = 7.0  # .label font-size, pt (upper case)
LABEL_LETTER_SPACING = 0.5  # .label letter-spacing, pt
TITLE_SHARE = 0.40  # the title's column, of the frame
TITLE_SIZES = (22.0, 20.0, 18.0, 16.0, 14.0, 13.0, 12.0)  # .doc-title font-size, pt, and the steps down
ONE_LINE_TITLE_SIZE = 16.0  # a title on one line at least this large, rather than two at a larger size
TITLE_LETTER_SPACING = 1.0  # .doc-title letter-spacing, pt
MIN_DESCRIPTION_PERCENT = 20  # of the line table; the numbers step down in size to keep it
SKU_SHARE = 0.15  # of the line table at most: a longer SKU wraps, it is text
SKU_COMPACT_SHARE = 0.11  # the same when the numbers need the room
UNIT_SHARE = 0.15  # of the line table at most for "quantity unit": a longer unit goes under the quantity


class PrintedNumbers(NumberFormat):
    """The invoice's number formats as the PDF draws them: xhtml2pdf and reportlab break a line at a narrow
    no-break space (U+202F, the thousands separator of French, Polish's neighbours and others), so that one is
    drawn as a no-break space, which they never break at: "1 999 999 968,00 AED" stays on one line."""

    def money(self, value: Decimal) -> str:
        return unbreakable_number(super().money(value))

    def amount(self, value: Decimal) -> str:
        return unbreakable_number(super().amount(value))

    def signed_amount(self, value: Decimal) -> str:
        return unbreakable_number(super().signed_amount(value))

    def quantity(self, value: Decimal) -> str:
        return unbreakable_number(super().quantity(value))

    def percent(self, rate: Decimal) -> str:
        return unbreakable_number(super().percent(rate))


def unbreakable_number(text: str) -> str:
    return text.replace("\N{NARROW NO-BREAK SPACE}", NO_BREAK_SPACE)


@dataclass(frozen=True)
class LineRow:
    number: int
    sku: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount: str  # "10%", "-12.50" or "+5.00" (see line_rows), or "" without an allowance or charge
    tax_rate: str  # "20%", or "0% AE" for a category other than the rate's usual one
    net: str
    price_base: str = ""  # "/ 100 kg" when the unit price is for more than one unit
    notes: tuple[str, ...] = ()  # the line's allowances and charges, printed small under the description
    charged: bool = False  # the line has a charge: its discount column holds charges too


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


@dataclass(frozen=True)
class PartyBlock:
    """A party as printed: its address lines, its identifiers and its contacts, each line one string."""

    name: str
    address: tuple[str, ...]
    ids: tuple[str, ...]  # "VAT ID: DE123456789", ...
    # The party's email and phone; its contact person's name, email and phone: each group a line on the
    # seller's letterhead, each item a line of its own in the address blocks.
    contacts: tuple[tuple[str, ...], ...]


def line_rows(lines: tuple[LineAmount, ...], labels: Labels, fmt: NumberFormat) -> list[LineRow]:
    """The line table's rows. Its discount column shows percentages, as it always has, while every line
    has at most one allowance and that a percentage ("10%"); otherwise each line's allowances less its
    charges as a signed amount ("-12.50", "+5.00"), itemised under the description."""
    percents = all(_percent_only(amount) for amount in lines)
    return [line_row(number, amount, labels, fmt, percents) for number, amount in enumerate(lines, 1)]


def _percent_only(amount: LineAmount) -> bool:
    allowances = amount.allowances
    return (
        not amount.charges
        and len(allowances) <= 1
        and all(a.adjustment.percent is not None for a in allowances)
    )


def line_row(
    number: int, amount: LineAmount, labels: Labels, fmt: NumberFormat, percents: bool = True
) -> LineRow:
    line = amount.line
    unit = unit_text(labels, line.unit, line.unit_code, line.quantity)
    return LineRow(
        number=number,
        sku=line.sku,
        description=line.description,
        quantity=fmt.quantity(line.quantity),
        unit=unit,
        unit_price=fmt.amount(line.unit_price),  # a price of 0.125 EUR keeps its third decimal
        discount=_discount_text(amount, fmt, percents),
        tax_rate=tax_rate_text(line.tax_category, line.tax_rate, fmt),
        net=fmt.amount(amount.net),
        price_base=_price_base(line, labels, fmt),
        notes=_line_notes(amount, labels, fmt, percents),
        charged=bool(amount.charges),
    )


def _discount_text(amount: LineAmount, fmt: NumberFormat, percents: bool) -> str:
    if not amount.allowances and not amount.charges:
        return ""
    if percents:
        return fmt.percent(amount.line.discount_percent)
    return fmt.signed_amount(amount.charge - amount.discount)


def _price_base(line: Line, labels: Labels, fmt: NumberFormat) -> str:
    """ "/ 100 kg" for a unit price per 100 kg (EN 16931 BT-149), "" for a price per unit."""
    base = line.price_base_quantity
    if base == 1:
        return ""
    unit = unit_text(labels, line.unit, line.unit_code, base)
    return f"/ {fmt.quantity(base)} {unit}".rstrip()


def _line_notes(amount: LineAmount, labels: Labels, fmt: NumberFormat, percents: bool) -> tuple[str, ...]:
    """The line's allowances and charges itemised, unless the discount column says all there is: one
    plain discount, a percentage in a column of percentages or an amount in a column of amounts."""
    adjustments = [(a, -1) for a in amount.allowances] + [(c, 1) for c in amount.charges]
    if len(adjustments) == 1 and not amount.charges:
        ((only, _sign),) = adjustments
        if (
            only.adjustment.reason in ("", SCHEMA_DISCOUNT_LABEL)
            and (only.adjustment.percent is None) != percents
        ):
            return ()
    return tuple(
        _note(adjustment_label(a, labels, fmt, allowance=sign < 0), fmt.signed_amount(sign * a.amount))
        for a, sign in adjustments
    )


def _note(label: str, amount: str) -> str:
    """ "Volume discount 10%: -118.75". After a right-to-left reason, a left-to-right mark keeps the sign
    in front of the number: "-1.00" would otherwise be drawn "1.00-" in the reason's direction."""
    mark = LEFT_TO_RIGHT_MARK if RIGHT_TO_LEFT.search(label) else ""
    return f"{label}:{NO_BREAK_SPACE}{mark}{amount}"  # the amount never wraps away from its reason


def tax_row(group: TaxGroup, fmt: NumberFormat) -> TaxRow:
    return TaxRow(
        rate=tax_rate_text(group.category, group.rate, fmt),
        base=fmt.amount(group.base),
        tax=fmt.amount(group.tax),
    )


def total_rows(document: Document, labels: Labels, fmt: NumberFormat) -> list[AmountRow]:
    """Subtotal, each allowance and charge, the net total when they make it differ from the subtotal, the
    tax, and when something was prepaid or rounded, the total before that (with its currency, as the amount
    due under it has)."""
    totals = document.totals
    rows = [AmountRow(labels.subtotal, fmt.amount(totals.lines_net))]
    rows += [
        AmountRow(adjustment_label(a, labels, fmt, allowance=True), fmt.amount(-a.amount))
        for a in document.allowances
    ]
    rows += [
        AmountRow(adjustment_label(c, labels, fmt, allowance=False), fmt.amount(c.amount))
        for c in document.charges
    ]
    if document.allowances or document.charges:
        rows.append(AmountRow(labels.net_total, fmt.amount(totals.net)))
    rows.append(AmountRow(labels.tax, fmt.amount(totals.tax)))
    if _settles_differently(document):
        rows.append(AmountRow(labels.total, fmt.money(totals.gross)))
        if totals.prepaid:
            rows.append(AmountRow(labels.prepaid, fmt.amount(-totals.prepaid)))
        if totals.rounding:
            rows.append(AmountRow(labels.rounding, fmt.signed_amount(totals.rounding)))
    return rows


def _settles_differently(document: Document) -> bool:
    """Whether the amount due differs from the total: something was prepaid or rounded."""
    return bool(document.totals.prepaid or document.totals.rounding)


def grand_total(document: Document, labels: Labels, fmt: NumberFormat) -> tuple[str, str]:
    """The last, highlighted row, with its currency as the locale writes it ("1.250,00 €", "CHF 1'250.00"):
    the amount due when it differs from the total, else the total."""
    totals = document.totals
    if _settles_differently(document):
        return labels.amount_due, fmt.money(totals.payable)
    return labels.total, fmt.money(totals.gross)


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


def line_columns(
    rows: list[LineRow], labels: Labels, width: float, header_size: float = HEADER_SIZE
) -> LineColumns:
    """Columns as wide as their widest number, leaving the description its share of the frame, and at the
    least as wide as their header's longest word at ``header_size``."""
    room = width * (100 - MIN_DESCRIPTION_PERCENT) / 100
    for squeeze in _SQUEEZES:
        columns = _line_columns_at(rows, labels, width, squeeze, header_size)
        if columns.fixed <= room:
            break
    return columns  # past the last try the description gets less than its share; every number still fits


def _line_columns_at(
    rows: list[LineRow], labels: Labels, width: float, squeeze: _Squeeze, header_size: float
) -> LineColumns:
    size = squeeze.size

    def need(texts: list[str], header: str, minimum: int) -> float:
        # The minimums (in percent of the frame) keep a column's look steady across invoices: "UNIT PRICE"
        # on one line over "9.00" too. They go with the headers' whole words, in the last squeezes.
        if not squeeze.headers:
            return number_width(texts, size=size)
        return max(number_width(texts, size=size), header_need(header, header_size), width * minimum / 100)

    units = [row.unit for row in rows if row.unit]
    unit_texts = {
        "inline": [f"{row.quantity} {row.unit}" for row in rows if row.unit],
        "under": [word for unit in units for word in unit.split()],
        "wrap": [],
    }[squeeze.units]
    unit_room = number_width(unit_texts, size=size) if unit_texts else 0.0
    skus = [row.sku for row in rows if row.sku]
    discounts = [row.discount for row in rows if row.discount]
    # A price per 100 kg: "12.50 / 100 kg" on one line while that fits, else "/ 100 kg" under the price.
    bases = {
        "inline": [f"{row.unit_price} {row.price_base}" for row in rows if row.price_base],
        "under": [row.price_base for row in rows if row.price_base],
        "wrap": [row.price_base for row in rows if row.price_base],
    }[squeeze.units]
    base_room = number_width(bases, size=size) if bases else 0.0
    return LineColumns(
        number=need([str(row.number) for row in rows], labels.line_number, 4),
        sku=min(need(skus, labels.sku, 7), width * squeeze.sku_share) if skus else 0,
        quantity=max(
            need([row.quantity for row in rows], labels.quantity, 7), min(unit_room, width * UNIT_SHARE)
        ),
        unit_price=max(
            need([row.unit_price for row in rows], labels.unit_price, 11), min(base_room, width * UNIT_SHARE)
        ),
        discount=need(discounts, discount_header(rows, labels), 7) if discounts else 0.0,
        tax_rate=need([row.tax_rate for row in rows], labels.tax, 6),
        net=need([row.net for row in rows], labels.net, 11),
        size=size,
    )


def discount_header(rows: list[LineRow], labels: Labels) -> str:
    """ "Discount" over allowances only; over charges too, the word for both."""
    return labels.adjustment if any(row.charged for row in rows) else labels.discount


def summary_columns(
    taxes: list[TaxRow],
    totals: list[AmountRow],
    grand: str,
    labels: Labels,
    width: float,
    *,
    corrected: bool = True,
    header_size: float = HEADER_SIZE,
) -> SummaryColumns:
    """The summary's columns. ``corrected`` (layout version 3 on): the headers get their room before the
    amounts; versions 1 and 2 keep their columns as they were shipped (``Layout.corrected``)."""
    taxes_width, totals_width = width * TAXES_SHARE, width * TOTALS_SHARE
    headers = (labels.rate, labels.base, labels.tax) if corrected else None
    size, rate, base, tax = _tax_breakdown_widths(taxes, taxes_width, headers, header_size)
    return SummaryColumns(
        tax_base=_percent(base, taxes_width),
        tax_amount=_percent(tax, taxes_width),
        total_amount=max(
            fit_percent([row.amount for row in totals], totals_width, 50, 70),
            fit_percent([grand], totals_width, 50, 70, bold=True, size=GRAND_TOTAL_SIZE),
        ),
        size=size,
        headers=tuple(
            tuple(header_lines(label, column - CELL_PADDING, labels.language, size=header_size))
            for label, column in ((labels.rate, rate), (labels.base, base), (labels.tax, tax))
        ),
    )


def _tax_breakdown_widths(
    taxes: list[TaxRow], width: float, headers: tuple[str, str, str] | None, header_size: float = HEADER_SIZE
) -> tuple[float, float, float, float]:
    """(size, rate, base, tax): the numbers' size and the columns' widths in pt. Each column is as wide as
    its widest number at the largest size where the three fit. The room left widens first the columns whose
    header's longest word would not fit (``headers``; "STAWKA" over "23%" was hyphenated "STA-WKA" while the
    amounts had room to spare), as far as it goes; the rest goes to the amounts."""
    for size in NUMBER_SIZES:
        rate = number_width([row.rate for row in taxes], size=size)
        base = number_width([row.base for row in taxes], size=size)
        tax = number_width([row.tax for row in taxes], size=size)
        if rate + base + tax <= width:
            break
    spare = max(0.0, width - rate - base - tax)
    if headers is None:  # versions 1 and 2: the amounts take all of it
        return size, rate, base + spare / 2, tax + spare / 2
    columns = [rate, base, tax]
    # The amounts' widths are rounded up to whole percents, which takes up to 1 % each from the rate.
    needs = [header_need(headers[0], header_size) + width * 2 / 100]
    needs += [header_need(header, header_size) for header in headers[1:]]
    short = [max(0.0, need - column) for need, column in zip(needs, columns, strict=True)]
    share = min(1.0, spare / sum(short)) if sum(short) else 0.0
    rate, base, tax = (column + missing * share for column, missing in zip(columns, short, strict=True))
    spare -= sum(short) * share
    return size, rate, base + spare / 2, tax + spare / 2


def _percent(part: float, whole: float) -> int:
    return min(100, math.ceil(100 * part / whole))


def format_iban(iban: str) -> str:
    """An IBAN (stored compact) in groups of four, as ISO 13616 prints it for people to read and retype:
    "DE89370400440532013000" -> "DE89 3704 0044 0532 0130 00"."""
    return " ".join(iban[start : start + 4] for start in range(0, len(iban), 4))


def payment_rows(payment: Payment | None, labels: Labels) -> list[tuple[str, str]]:
    """The payment block's rows, (label, value): the means by name, the account holder, the IBAN grouped in
    fours, the BIC and the reference; none when there is nothing to say."""
    if payment is None:
        return []
    means = labels.means_names.get(payment.means_code, payment.means_code)
    rows = [
        (labels.payment_means, means),
        (labels.account_name, payment.account_name),
        (labels.iban, format_iban(payment.iban)),
        (labels.bic, payment.bic),
        (labels.reference, payment.reference),
    ]
    return [(label, value) for label, value in rows if value]


def party_country(party: Party | None, labels: Labels) -> str:
    """The party's country (an ISO 3166-1 code) by its CLDR name in the invoice's locale ("Schweiz",
    "Suisse"); the code itself for one CLDR has no name for; "" when it has none."""
    if party is None or not party.country:
        return ""
    return str(cached_locale(labels.locale).territories.get(party.country, party.country))


def city_lines(party: Party) -> list[str]:
    """The postal code, city and subdivision in the order of the party's country: "75002 Paris" in most of
    the world; "Springfield, IL 62704" in the US, Canada and Australia; the UK's and Ireland's postcode on a
    line of its own under the town."""
    city, postal, region = party.city, party.postal_code, party.country_subdivision
    if party.country in CITY_REGION_POSTAL:
        return [
            line
            for line in [", ".join(filter(None, [city, " ".join(filter(None, [region, postal]))]))]
            if line
        ]
    if party.country in POSTCODE_LAST:
        return [line for line in (city, region, postal) if line]
    return [line for line in (" ".join(filter(None, [postal, city])), region) if line]


def party_block(party: Party, labels: Labels) -> PartyBlock:
    """A party's lines as printed: name; company, street lines, city and country; its identifiers (a tax
    number equal to the VAT ID said once); its email, phone and contact person."""
    address = [party.company, *party.address, *city_lines(party), party_country(party, labels)]
    ids = [
        *tax_identifiers(party, labels.vat_id, labels.tax_number, labels.tax_id),
        (labels.legal_id, party.legal_id),
    ]
    contacts: list[tuple[str, ...]] = [(party.email, unbroken(party.phone))]
    contact = party.contact
    if contact is not None:
        contacts.append(
            (
                f"{labels.contact}: {contact.name}" if contact.name else "",
                contact.email if contact.email != party.email else "",
                unbroken(contact.phone) if contact.phone != party.phone else "",
            )
        )
    return PartyBlock(
        name=party.name,
        address=tuple(line for line in address if line),
        ids=tuple(f"{label}: {value}" for label, value in ids if value),
        contacts=tuple(
            group for group in (tuple(item for item in items if item) for items in contacts) if group
        ),
    )


def unbroken(text: str) -> str:
    """A phone number whose spaces are non-breaking: a line may wrap before it, never inside it."""
    return text.replace(" ", NO_BREAK_SPACE)


def header_facts(document: Document, labels: Labels, fmt: NumberFormat) -> list[tuple[str, str]]:
    """The header's (label, value) rows: number, dates, references, currency, payment terms."""
    data = document.data
    number_label = labels.credit_note_number if data.type == "credit_note" else labels.invoice_number
    period = data.billing_period
    facts = [
        (number_label, data.number),
        (labels.issue_date, fmt.date(data.issue_date)),
        (labels.due_date, fmt.date(data.due_date)),
        (labels.delivery_date, fmt.date(data.delivery_date)),
        (
            labels.billing_period,
            f"{fmt.date(period.start)} {PERIOD_DASH} {fmt.date(period.end)}" if period else "",
        ),
        (labels.buyer_reference, data.buyer_reference),
        (labels.order_reference, data.order_reference),
        (labels.currency, data.currency.code),
        (labels.payment_terms, data.payment_terms),
    ]
    return [(label, value) for label, value in facts if value]


def fact_label_percent(facts: list[tuple[str, str]], page_size: str, margin: float = PAGE_MARGIN) -> int:
    """The share of the header's facts table its labels take: 55 %, the longest label word (Dutch
    "BETALINGSVOORWAARDEN") with room to spare, unless a value needs more of the rest to stay on one line
    (a Leitweg-ID, a billing period); never less than the longest label word."""
    room = frame_width(page_size, margin) * FACTS_SHARE
    word = max((w for label, _ in facts for w in label.upper().split()), key=len, default="")
    label_need = text_width(word, size=LABEL_SIZE) + LABEL_LETTER_SPACING * len(word) + SLACK
    value_need = max((text_width(value, bold=True) for _, value in facts), default=0.0) + SLACK
    fitting = 100 - math.ceil(100 * value_need / room)
    return max(math.ceil(100 * label_need / room), min(FACT_LABEL_PERCENT, fitting))


def preceding_lines(document: Document, labels: Labels, fmt: NumberFormat) -> list[str]:
    """ "Corrects invoice INV-1 of 2026-01-05" for each invoice a credit note corrects."""
    lines = []
    for ref in document.data.preceding:
        day = fmt.date(ref.issue_date)
        text = (labels.corrects_invoice_dated if ref.issue_date else labels.corrects_invoice).format(
            number=ref.number, date=day
        )
        # "vom 30.11.2026" stays on one line when the sentence wraps.
        lines.append(text.replace(f" {day}", f"{NO_BREAK_SPACE}{day}") if day else text)
    return lines


def title_size(title: str, room: float | None = None) -> float:
    """The title's font size: the largest at which it fits its column on one line, down to
    ONE_LINE_TITLE_SIZE ("NOTA DE CRÉDITO"); below that, the largest at which its longest word does, the
    words wrapping between them ("FACTURA / RECTIFICATIVA"), so a single long word keeps a line of its own
    at a smaller size ("RECHNUNGSKORREKTUR"). ``room`` is the title's width in pt, the classic layout's
    column unless a layout gives its own."""
    room = frame_width("a4") * TITLE_SHARE if room is None else room

    def fits(text: str, size: float) -> bool:
        # The padding that takes the letter spacing (see invoice_context) narrows the column by as much.
        return text_width(text, bold=True, size=size) + TITLE_LETTER_SPACING * len(title) + SLACK <= room

    for size in TITLE_SIZES:
        if size >= ONE_LINE_TITLE_SIZE and fits(title, size):
            return size
    word = max(title.split(), key=len, default="")
    return next((size for size in TITLE_SIZES if fits(word, size)), TITLE_SIZES[-1])


def invoice_context(document: Document, options: RenderOptions) -> dict[str, object]:
    """The template's context: plain strings and the Document's own parties, nothing to compute. Measured
    in the text family of the render in progress (``pdf_fonts.text_family``; ``pdf.render_pdf`` sets the
    brand's), for the layout ``options.style`` names."""
    chosen = layout(options.style.layout, options.style.layout_version)
    margin = chosen.frame_margin
    data = document.data
    labels = labels_for(data.locale)
    fmt = PrintedNumbers(data.locale, data.currency)
    lines = line_rows(document.lines, labels, fmt)
    page_size = "letter" if options.page_size == "letter" else "a4"
    totals = total_rows(document, labels, fmt)
    taxes = [tax_row(group, fmt) for group in document.totals.tax_groups]
    grand_label, grand = grand_total(document, labels, fmt)
    title = labels.credit_note if data.type == "credit_note" else labels.invoice
    facts = header_facts(document, labels, fmt)
    header_size = HEADER_SIZE * label_scale(labels.language, chosen.typeset)
    frame = frame_width(page_size, margin)
    size = title_size(title.upper(), chosen.title_room(frame) if chosen.title_share else None)
    if chosen.title_max is not None:
        size = min(size, chosen.title_max)
    return {
        **layout_context(options.style, chosen, text_fonts()),
        "frame": frame,
        "labels": labels,
        "direction": "rtl" if labels.rtl else "ltr",
        "page_size": page_size,
        "data": data,
        "title": title,
        "title_size": f"{size}pt",
        # xhtml2pdf aligns letter-spaced text right as if unspaced: it would end past the margin by this.
        "title_indent": f"{TITLE_LETTER_SPACING * (len(title) - 1)}pt",
        "preceding": preceding_lines(document, labels, fmt),
        "facts": facts,
        "fact_label_percent": fact_label_percent(facts, page_size, margin),
        "seller": party_block(data.seller, labels),
        "buyer": party_block(data.buyer, labels),
        "ship_to": party_block(data.ship_to, labels) if data.ship_to else None,
        "lines": lines,
        # Columns no line uses have width 0 and are left out, which gives the description the room.
        "columns": line_columns(lines, labels, frame, header_size),
        "total_rows": totals,
        "grand_label": grand_label,
        "gross": grand,
        "tax_rows": taxes,
        "tax_notes": tax_notes(document.totals.tax_groups, labels, own_words=chosen.composed),
        "summary_columns": summary_columns(
            taxes, totals, grand, labels, frame, corrected=chosen.corrected, header_size=header_size
        ),
        "payment": payment_rows(data.payment, labels),
        "amount_in_words": amount_in_words(document.totals.payable, data.currency, data.language)
        if data.amount_in_words
        else "",
    }
