"""The invoice as an XLSX workbook a person can read, print and calculate with, in the invoice's locale.

One sheet: title and dates, seller / buyer / ship-to side by side, the line table (frozen under its header,
repeated on every printed page), the tax breakdown by rate, the totals, notes and payment details.
Every word comes from ``labels_for(document.data.locale)``; a right-to-left locale gets a mirrored sheet.
Amounts are real numbers written from the ``Document``'s ``Decimal`` values with a currency number format
(the locale's symbol, where the locale puts it, and the currency's minor units); the spreadsheet program
shows them with its own decimal and grouping separators. Nothing is recomputed and no formula is written,
so the sheet shows exactly the PDF's numbers. The schema keeps every number within 15 significant digits,
which an Excel cell (an IEEE double) holds exactly.
"""

import io
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel import numbers
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from invoices.document.fields import exponent_of
from invoices.document.model import (
    Adjustment,
    Contact,
    Document,
    LineAmount,
    Party,
    RenderedFile,
    RenderOptions,
)
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import Labels, labels_for, unit_text
from invoices.renderers import content_types
from invoices.renderers.cells import is_formula_like
from invoices.renderers.naming import invoice_filename
from invoices.renderers.wording import (
    SCHEMA_DISCOUNT_LABEL,
    SCHEMA_SHIPPING_LABEL,
    adjustment_label,
    tax_identifiers,
    tax_notes,
    tax_rate_text,
)

CONTENT_TYPE = content_types.XLSX


@dataclass(frozen=True)
class Column:
    """A line-table column: ``key`` is the ``Labels`` field that names it in the invoice's language, so the
    code never depends on a heading's words; ``width`` the least it gets, widened to fit its heading."""

    key: str
    width: int
    text: bool = False  # text, aligned like the reading direction; numbers sit at the other end


BASE_COLUMNS = (
    Column("sku", 14, text=True),
    Column("description", 44, text=True),
    Column("quantity", 10),
    Column("unit", 8, text=True),
    Column("unit_price", 14),
    Column("discount_percent", 12),
    Column("tax_percent", 14),
    Column("net", 16),
)
# The columns only some invoices need (see LineLayout), in the order they follow the base ones.
PRICE_PER = Column("price_per", 10)
ADJUSTMENT_COLUMNS = (
    Column("allowances", 12),
    Column("charges", 12),
    Column("adjustment_reasons", 36, text=True),
)
TAX_CATEGORY = Column("tax_category", 12, text=True)

# Parties sit side by side above the table; each one's text overflows into the empty cells to its right.
SELLER_COLUMN, BUYER_COLUMN, SHIP_TO_COLUMN = 1, 3, 6
FACT_COLUMN = 5  # the heading's right-hand labels (currency, payment terms, references); values beside them
# The tax breakdown and the totals stand under the line table's Unit ... Net columns.
CATEGORY_COLUMN, BREAKDOWN_COLUMN, RATE_COLUMN, BASE_COLUMN, AMOUNT_COLUMN, NOTE_COLUMN = 4, 5, 6, 7, 8, 9
# ISO 8601 in every locale. The cell is a real date, so a reader can reformat it; a fixed pattern reads
# the same whatever the program's language (Excel's "short date" would follow the reader's system, not the
# invoice's locale) and cannot be mistaken between day-month and month-day countries.
DATE_FORMAT = "yyyy-mm-dd"
SHEET_TITLE_LIMIT = 31  # Excel's longest sheet title, in UTF-16 code units
FORBIDDEN_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
# Besides the heading's own characters, room for the cell's margins and a bold font's wider letters.
WIDTH_PADDING = 2
BODY_SIZE = 11  # openpyxl's default font size, the unit Excel measures column widths in
NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"
CURRENCY_SIGN = re.compile("¤+")  # CLDR's placeholder: ¤ symbol, ¤¤ ISO code, ¤¤¤ name; all get the symbol

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
RULE_ABOVE = Border(top=Side(style="thin"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


@dataclass(frozen=True)
class NumberFormats:
    """Number formats for one invoice; quantities and rates show as many decimals as the column needs."""

    money: str
    unit_price: str
    quantity: str
    percent: str


@dataclass(frozen=True)
class Context:
    """What every part of the sheet is written with: the invoice's words, its number formats, and the
    reading direction. Excel's "left" and "right" alignments name sides of the cell, not of the reading
    direction, so ``start`` and ``end`` are swapped for a right-to-left locale, as its sheet is mirrored."""

    labels: Labels
    fmt: NumberFormat  # the locale's percentages inside text (an allowance's reason)
    formats: NumberFormats
    start: Alignment
    end: Alignment


def render_xlsx(document: Document, options: RenderOptions) -> RenderedFile:
    data = document.data
    labels = labels_for(data.locale)
    title = _title(document, labels)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title, data.number)
    _write_sheet(sheet, document, options, _context(document, labels))
    workbook.properties.title = f"{title} {data.number}"
    workbook.properties.creator = data.seller.name
    workbook.properties.language = data.locale
    buffer = io.BytesIO()
    workbook.save(buffer)
    return RenderedFile(invoice_filename(document, "xlsx"), CONTENT_TYPE, buffer.getvalue())


def _title(document: Document, labels: Labels) -> str:
    return labels.credit_note if document.data.type == "credit_note" else labels.invoice


def _context(document: Document, labels: Labels) -> Context:
    fmt = NumberFormat(document.data.locale, document.data.currency)
    left, right = Alignment(horizontal="left"), Alignment(horizontal="right")
    start, end = (right, left) if labels.rtl else (left, right)
    return Context(labels, fmt, _number_formats(document, fmt), start, end)


def sheet_title(*candidates: str) -> str:
    """The first candidate Excel accepts as a sheet title once cleaned: the characters it forbids
    ([]:*?/\\ and control characters) become spaces, it is cut to 31 UTF-16 code units, and it may not
    start or end with an apostrophe or be "History" (a name Excel keeps for itself). A title of digits
    is the last resort; real labels and invoice numbers never get there."""
    for candidate in candidates:
        spaced = " ".join(FORBIDDEN_IN_SHEET_TITLE.sub(" ", candidate).split())  # a line break too
        text = " ".join(_without_control_characters(spaced).split())
        text = _cut_utf16(text, SHEET_TITLE_LIMIT).strip().strip("'").strip()
        if text and text.casefold() != "history":
            return text
    return "1"


def _cut_utf16(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 code units, never inside a character (an emoji takes two)."""
    kept, used = [], 0
    for character in text:
        used += 2 if ord(character) > 0xFFFF else 1
        if used > limit:
            break
        kept.append(character)
    return "".join(kept)


def _without_control_characters(text: str) -> str:
    return "".join(character for character in text if unicodedata.category(character) != "Cc")


def _write_sheet(sheet: Worksheet, document: Document, options: RenderOptions, context: Context) -> None:
    layout = _layout(document, context.fmt)
    _set_minimum_widths(sheet, layout)
    row = _write_heading(sheet, document, context)
    row = _write_parties(sheet, document, context, row + 2)
    header_row = row + 2
    row = _write_lines(sheet, document, context, layout, header_row)
    row = _write_tax_breakdown(sheet, document, context, row + 2)
    row = _write_totals(sheet, document, context, row + 2)
    _write_notes_and_payment(sheet, document, context, row + 2)
    _set_up_sheet(sheet, header_row, options, context.labels)


def _write_heading(sheet: Worksheet, document: Document, context: Context) -> int:
    """Title and number, then dates and the corrected invoices (left), currency, payment terms and the
    buyer's references (right); returns the last row."""
    data, labels = document.data, context.labels
    title = _title(document, labels)
    _text(sheet, 1, 1, title, font=TITLE_FONT)
    _widen(sheet, 1, title, TITLE_FONT)
    _text(sheet, 1, 2, data.number, font=TITLE_FONT)
    period = data.billing_period
    dates: list[tuple[str, tuple[date | None, ...]]] = [
        (labels.issue_date, (data.issue_date,)),
        (labels.due_date, (data.due_date,)),
        (labels.delivery_date, (data.delivery_date,)),
        (labels.billing_period, (period.start, period.end) if period else ()),
    ]
    left = [(label, values) for label, values in dates if any(values)]
    for row, (label, values) in enumerate(left, start=3):
        _label(sheet, row, 1, label)
        for column, value in enumerate(values, start=2):
            if value is not None:
                _date(sheet, row, column, value, context)
    row = 3 + len(left)
    for ref in data.preceding:
        # The sentence names the number where the language puts it ("Corrects invoice {number}"); it
        # overflows into the empty column B, and the date stays a real date, in column C like a period's end.
        _text(sheet, row, 1, labels.corrects_invoice.format(number=ref.number), font=BOLD)
        if ref.issue_date:
            _date(sheet, row, 3, ref.issue_date, context)
        row += 1
    facts = [
        (labels.currency, data.currency.code),
        (labels.payment_terms, data.payment_terms.replace("\n", " ")),
        (labels.buyer_reference, data.buyer_reference),
        (labels.order_reference, data.order_reference),
    ]
    right = [(label, text) for label, text in facts if text]
    for fact_row, (label, text) in enumerate(right, start=3):
        _label(sheet, fact_row, FACT_COLUMN, label)
        _text(sheet, fact_row, FACT_COLUMN + 1, text)
    return max(row - 1, 2 + len(right))


def _write_parties(sheet: Worksheet, document: Document, context: Context, row: int) -> int:
    data, labels = document.data, context.labels
    blocks = [(SELLER_COLUMN, labels.seller, data.seller), (BUYER_COLUMN, labels.buyer, data.buyer)]
    if data.ship_to:
        blocks.append((SHIP_TO_COLUMN, labels.ship_to, data.ship_to))
    last_row = row
    for column, heading, party in blocks:
        _text(sheet, row, column, heading, font=BOLD)
        for offset, text in enumerate(_party_lines(party, context), start=1):
            _text(sheet, row + offset, column, text, font=BOLD if offset == 1 else None)
            last_row = max(last_row, row + offset)
    return last_row


def _party_lines(party: Party, context: Context) -> list[str]:
    """Name, address, the country by its name in the invoice's locale, then the labelled identifiers and
    contacts, and the electronic address (the e-invoice routing id, "0088:4012345000009")."""
    labels = context.labels
    contact = party.contact or Contact()
    electronic = party.electronic_address
    ids = (
        *tax_identifiers(party, labels.vat_id, labels.tax_number, labels.tax_id),
        (labels.legal_id, party.legal_id),
        (labels.electronic_address, f"{electronic.scheme}:{electronic.id}" if electronic else ""),
        (labels.email, party.email),
        (labels.phone, party.phone),
        # The contact person with their own email and phone on one line, so they read as theirs.
        (labels.contact, " · ".join(part for part in (contact.name, contact.email, contact.phone) if part)),
    )
    city = " ".join(part for part in (party.postal_code, party.city) if part)
    country = str(context.fmt.cldr.territories.get(party.country, party.country)) if party.country else ""
    lines = [party.name, party.company, *party.address, city, party.country_subdivision, country]
    lines += [f"{label}: {value}" for label, value in ids if value]
    return [line for line in lines if line]


@dataclass(frozen=True)
class LineLayout:
    """The line table's columns: the eight base ones, then those only some invoices need."""

    base: bool  # a price per more than one unit somewhere: "Price per" (EN 16931 BT-149)
    adjustments: bool  # allowances or charges beyond one discount percentage: their amounts and reasons
    categories: bool  # a tax category other than the rate's usual one

    @property
    def columns(self) -> tuple[Column, ...]:
        return (
            *BASE_COLUMNS,
            *([PRICE_PER] if self.base else []),
            *(ADJUSTMENT_COLUMNS if self.adjustments else []),
            *([TAX_CATEGORY] if self.categories else []),
        )

    def column(self, key: str) -> int:
        return [column.key for column in self.columns].index(key) + 1


def _layout(document: Document, fmt: NumberFormat) -> LineLayout:
    lines = document.lines
    return LineLayout(
        base=any(amount.line.price_base_quantity != 1 for amount in lines),
        adjustments=any(not _plain_discount(amount) for amount in lines),
        categories=any(
            tax_rate_text(a.line.tax_category, a.line.tax_rate, fmt) != fmt.percent(a.line.tax_rate)
            for a in lines
        ),
    )


def _plain_discount(amount: LineAmount) -> bool:
    """Whether the line's adjustments are none or one plain discount percentage: all "Discount %" says."""
    if amount.charges or len(amount.allowances) > 1:
        return False
    return all(
        a.adjustment.percent is not None and a.adjustment.reason in ("", SCHEMA_DISCOUNT_LABEL)
        for a in amount.allowances
    )


def _write_lines(
    sheet: Worksheet, document: Document, context: Context, layout: LineLayout, header_row: int
) -> int:
    """The line table with its header, then the document-level allowances and charges, each in the Net
    column with its sign, so the column adds up to the net total; returns the last row."""
    for number, column in enumerate(layout.columns, start=1):
        cell = _label(sheet, header_row, number, getattr(context.labels, column.key))
        cell.fill = HEADER_FILL
        cell.alignment = context.start if column.text else context.end
    row = header_row
    for amount in document.lines:
        row += 1
        _write_line(sheet, row, amount, context, layout)
    adjustments = _document_adjustments(document)
    for offset, (adjustment, signed, allowance) in enumerate(adjustments, start=1):
        _write_document_adjustment(sheet, row + offset, adjustment, signed, allowance, context, layout)
    return row + len(adjustments)


def _document_adjustments(document: Document) -> list[tuple[Adjustment, Decimal, bool]]:
    """The document's allowances, negative, then its charges: (adjustment, signed amount, is allowance)."""
    return [(a.adjustment, -a.amount, True) for a in document.allowances] + [
        (c.adjustment, c.amount, False) for c in document.charges
    ]


def _write_document_adjustment(
    sheet: Worksheet,
    row: int,
    adjustment: Adjustment,
    amount: Decimal,
    allowance: bool,
    context: Context,
    layout: LineLayout,
) -> None:
    labels, formats = context.labels, context.formats
    kind = labels.discount if allowance else labels.charge
    _text(sheet, row, 1, kind)
    _widen(sheet, 1, kind, None)
    _text(sheet, row, 2, _reason(adjustment, labels))
    if adjustment.percent is not None:
        _number(sheet, row, layout.column("discount_percent"), adjustment.percent, formats.percent)
    _number(sheet, row, layout.column("tax_percent"), adjustment.tax_rate, formats.percent)
    _number(sheet, row, layout.column("net"), amount, formats.money)
    if layout.categories:
        _text(sheet, row, layout.column("tax_category"), adjustment.tax_category)


def _reason(adjustment: Adjustment, labels: Labels) -> str:
    """The seller's reason as given, but the schema's own words for shipping and a discount in the
    invoice's language; the percentage has its own column."""
    reason = adjustment.reason.strip()
    return {SCHEMA_SHIPPING_LABEL: labels.shipping, SCHEMA_DISCOUNT_LABEL: labels.discount}.get(
        reason, reason
    )


def _write_line(sheet: Worksheet, row: int, amount: LineAmount, context: Context, layout: LineLayout) -> None:
    line, formats, at = amount.line, context.formats, layout.column
    unit = unit_text(context.labels, line.unit, line.unit_code, line.quantity)
    description = _text(sheet, row, at("description"), line.description)
    cells = [
        _text(sheet, row, at("sku"), line.sku),
        description,
        _number(sheet, row, at("quantity"), line.quantity, formats.quantity),
        _text(sheet, row, at("unit"), unit),
        _number(sheet, row, at("unit_price"), line.unit_price, formats.unit_price),
        # A percentage says it all only for one plain discount; otherwise the amounts are further right.
        _number(sheet, row, at("discount_percent"), line.discount_percent, formats.percent)
        if _plain_discount(amount)
        else None,
        _number(sheet, row, at("tax_percent"), line.tax_rate, formats.percent),
        _number(sheet, row, at("net"), amount.net, formats.money),
    ]
    if layout.base:
        cells.append(_number(sheet, row, at("price_per"), line.price_base_quantity, formats.quantity))
    if layout.adjustments:
        cells += [
            _number(sheet, row, at("allowances"), amount.discount, formats.money),
            _number(sheet, row, at("charges"), amount.charge, formats.money),
            _text(sheet, row, at("adjustment_reasons"), _reasons(amount, context)),
        ]
    if layout.categories:
        cells.append(_text(sheet, row, at("tax_category"), line.tax_category))
    if "\n" in line.description:
        _fit_wrapped_description(sheet, row, description, cells)


def _fit_wrapped_description(sheet: Worksheet, row: int, description: Cell, cells: list[Cell | None]) -> None:
    """Excel does not grow a row for wrapped text written by a program: make room for every line, and
    align the row's cells to the top so the numbers stay level with the description's first line."""
    sheet.row_dimensions[row].height = 15 * (description.value.count("\n") + 1)
    for cell in cells:
        if cell is not None:
            cell.alignment = TOP
    description.alignment = WRAP


def _reasons(amount: LineAmount, context: Context) -> str:
    """ "Volume discount 10 %; Travel": the line's allowances and charges by reason, in order, in the
    invoice's words and percentages."""
    labels, fmt = context.labels, context.fmt
    return "; ".join(
        [adjustment_label(a, labels, fmt, allowance=True) for a in amount.allowances]
        + [adjustment_label(c, labels, fmt, allowance=False) for c in amount.charges]
    )


def _write_tax_breakdown(sheet: Worksheet, document: Document, context: Context, row: int) -> int:
    """Per tax group: its category (UNCL 5305), rate, base and tax, then what the law wants said about an
    exempt or reverse-charge group and the seller's exemption reason."""
    labels, formats = context.labels, context.formats
    headings = (
        (CATEGORY_COLUMN, labels.tax_category, context.start),
        (BREAKDOWN_COLUMN, labels.tax_breakdown, context.start),
        (RATE_COLUMN, labels.tax_percent, context.end),
        (BASE_COLUMN, labels.base, context.end),
        (AMOUNT_COLUMN, labels.tax, context.end),
    )
    for column, heading, alignment in headings:
        _label(sheet, row, column, heading).alignment = alignment
    notes = {note.category: note for note in tax_notes(document.totals.tax_groups, labels, own_words=True)}
    for group in document.totals.tax_groups:
        row += 1
        _text(sheet, row, CATEGORY_COLUMN, group.category)
        _number(sheet, row, RATE_COLUMN, group.rate, formats.percent)
        _number(sheet, row, BASE_COLUMN, group.base, formats.money)
        _number(sheet, row, AMOUNT_COLUMN, group.tax, formats.money)
        note = notes.get(group.category)
        if note is not None:
            _text(sheet, row, NOTE_COLUMN, ": ".join(part for part in (note.name, note.reason) if part))
    return row


def _write_totals(sheet: Worksheet, document: Document, context: Context, row: int) -> int:
    rows = _total_rows(document, context.labels)
    for offset, (label, value) in enumerate(rows):
        is_total = offset == len(rows) - 1
        # Labels aligned towards their amount overflow into the empty cells before them, so they need no
        # wide column.
        _text(sheet, row + offset, BASE_COLUMN, label, font=BOLD if is_total else None, alignment=context.end)
        cell = _number(sheet, row + offset, AMOUNT_COLUMN, value, context.formats.money)
        if is_total:
            cell.font, cell.border = BOLD, RULE_ABOVE
    return row + len(rows) - 1


def _total_rows(document: Document, labels: Labels) -> list[tuple[str, Decimal]]:
    """(label, amount) from the lines' sum to the total, then to the amount due when something was paid
    or rounded; allowances and the prepaid amount with a minus sign, as they are subtracted."""
    totals, code = document.totals, document.data.currency.code
    rows: list[tuple[str, Decimal]] = []
    if document.allowances or document.charges:
        rows.append((labels.subtotal, totals.lines_net))
        rows += [(labels.allowances, -totals.allowances)] if document.allowances else []
        rows += [(labels.charges, totals.charges)] if document.charges else []
    rows += [
        (labels.net_total, totals.net),
        (labels.tax, totals.tax),
        (f"{labels.total} ({code})", totals.gross),
    ]
    if totals.prepaid or totals.rounding:
        rows += [(labels.prepaid, -totals.prepaid)] if totals.prepaid else []
        rows += [(labels.rounding, totals.rounding)] if totals.rounding else []
        rows.append((f"{labels.amount_due} ({code})", totals.payable))
    return rows


def _write_notes_and_payment(sheet: Worksheet, document: Document, context: Context, row: int) -> None:
    data, labels = document.data, context.labels
    if data.notes:
        _label(sheet, row, 1, labels.notes)
        # One row per line of the notes: long lines overflow across the empty cells to the right, which
        # reads better than one tall wrapped cell whose height Excel would not adjust.
        for text in data.notes.split("\n"):
            _text(sheet, row, 2, text)
            row += 1
        row += 1
    if data.payment:
        _text(sheet, row, 1, labels.payment_details, font=BOLD)
        payment = data.payment
        details = (
            (labels.payment_means, labels.means_names.get(payment.means_code, payment.means_code)),
            (labels.account_name, payment.account_name),
            (labels.iban, payment.iban),
            (labels.bic, payment.bic),
            (labels.reference, payment.reference),
        )
        for label, value in details:
            if value:
                row += 1
                _text(sheet, row, 1, label)
                _widen(sheet, 1, label, None)
                _text(sheet, row, 2, value)


def _set_minimum_widths(sheet: Worksheet, layout: LineLayout) -> None:
    """Each line-table column's least width; labels written later widen their column to fit (_widen)."""
    for number, column in enumerate(layout.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width


def _set_up_sheet(sheet: Worksheet, header_row: int, options: RenderOptions, labels: Labels) -> None:
    sheet.sheet_view.rightToLeft = labels.rtl
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4 if options.page_size == "A4" else sheet.PAPERSIZE_LETTER
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _label(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """A bold label with a value or another label beside it, where it cannot overflow: its column is
    widened to fit it, whatever length the translation has."""
    _widen(sheet, column, text, BOLD)
    return _text(sheet, row, column, text, font=BOLD)


def _widen(sheet: Worksheet, column: int, text: str, font: Font | None) -> None:
    letter = get_column_letter(column)
    dimension = sheet.column_dimensions[letter]
    scale = (font.size or BODY_SIZE) / BODY_SIZE if font is not None else 1
    needed = math.ceil(display_width(text) * scale) + WIDTH_PADDING
    dimension.width = max(dimension.width or 0, needed)


def display_width(text: str) -> int:
    """The width of ``text`` in Excel's column-width unit (about one Latin character): East Asian wide
    and full-width characters (Japanese, Chinese, Korean) take two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _text(
    sheet: Worksheet,
    row: int,
    column: int,
    value: str,
    *,
    font: Font | None = None,
    alignment: Alignment | None = None,
) -> Cell:
    """A string cell. Client text is never a formula: openpyxl makes any string starting with "=" a
    formula and "#N/A" an error, so the type is forced back to string. Formula-like text also gets
    Excel's quote prefix, so editing the cell in Excel does not turn it into a formula either."""
    cell = sheet.cell(row=row, column=column)
    if not value:
        return cell
    cell.value = value
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _number(sheet: Worksheet, row: int, column: int, value: Decimal, number_format: str) -> Cell:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = number_format
    return cell


def _date(sheet: Worksheet, row: int, column: int, value: date, context: Context) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = DATE_FORMAT
    cell.alignment = context.start


def _number_formats(document: Document, fmt: NumberFormat) -> NumberFormats:
    lines = [amount.line for amount in document.lines]
    minor = document.data.currency.minor_units
    rates = [line.tax_rate for line in lines] + [line.discount_percent for line in lines]
    adjustments = [*document.data.allowances, *document.data.charges]
    rates += [a.tax_rate for a in adjustments] + [a.percent for a in adjustments if a.percent is not None]
    rates += [group.rate for group in document.totals.tax_groups]
    return NumberFormats(
        money=money_format(fmt, minor),
        unit_price=money_format(fmt, max(minor, _decimals(line.unit_price for line in lines))),
        quantity=_grouped(
            _decimals([line.quantity for line in lines] + [line.price_base_quantity for line in lines])
        ),
        percent=_grouped(_decimals(rates)),
    )


def money_format(fmt: NumberFormat, decimals: int) -> str:
    """An Excel number format for amounts in the invoice's currency, with ``decimals`` fraction digits:
    the currency symbol of the invoice's locale, before or after the number as its CLDR pattern puts it,
    as a quoted literal: '#,##0.00" €";"-"#,##0.00" €"' (de-DE), '"￥"#,##0;"-￥"#,##0' (ja-JP).

    A quoted literal shows the same in Excel and LibreOffice for any symbol, where Excel's [$sym-LCID]
    needs a Windows locale id per locale. The positive and the negative section are both the locale's,
    so a minus sign stands where the locale writes it ("€ -12,50" in Dutch). "#,##0" is only Excel's
    placeholder for "grouped": the program shows the reader's own separators (Indian lakh grouping has
    no Excel format code at all)."""
    pattern = numbers.parse_pattern(fmt.cldr.currency_formats["standard"])
    symbol = numbers.get_currency_symbol(fmt.currency.code, fmt.cldr)
    digits = _grouped(decimals)
    return ";".join(
        format_literal(_spaced(CURRENCY_SIGN.sub(symbol, prefix), prefix, before=True))
        + digits
        + format_literal(_spaced(CURRENCY_SIGN.sub(symbol, suffix), suffix, before=False))
        for prefix, suffix in zip(pattern.prefix, pattern.suffix, strict=True)
    )


def _spaced(text: str, pattern: str, *, before: bool) -> str:
    """``text`` (a pattern's prefix or suffix with its symbol put in) with CLDR's currency spacing: a no-break
    space between the digits and a symbol that ends in a letter rather than a sign where the two touch,
    "KWD 616.261" rather than "KWD616.261" in English (whose pattern is "¤#,##0.00"), as the PDF prints it
    (Babel applies the same rule there), while "$616.26" and "616,26 €" stay as they are."""
    touching = pattern.endswith("¤") if before else pattern.startswith("¤")
    if not touching or not text:
        return text
    edge = text[-1] if before else text[0]
    if unicodedata.category(edge)[0] in "SZ":
        return text
    return f"{text}{NO_BREAK_SPACE}" if before else f"{NO_BREAK_SPACE}{text}"


def format_literal(text: str) -> str:
    """``text`` as literal characters in an Excel number format: in double quotes, where nothing but a
    double quote ends the literal; a double quote itself is written \\" between two quoted runs. Control
    characters, which neither a format nor the workbook's XML can carry, are dropped. '€' -> '"€"',
    'a"b' -> '"a"\\""b"'."""
    runs = _without_control_characters(text).split('"')
    return '\\"'.join(f'"{run}"' if run else "" for run in runs)


def _grouped(decimals: int) -> str:
    """'#,##0' for JPY, '#,##0.00' for EUR, '#,##0.000' for KWD."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _decimals(values: Iterable[Decimal]) -> int:
    return max((max(0, -exponent_of(value.normalize())) for value in values), default=0)
