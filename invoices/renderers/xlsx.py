"""The invoice as an XLSX workbook a person can read, print and calculate with.

One sheet: title and dates, seller / buyer / ship-to side by side, the line table (frozen under its header,
repeated on every printed page), the tax breakdown by rate, the totals, notes and payment details.
Amounts are real numbers written from the ``Document``'s ``Decimal`` values with the currency's number
format; nothing is recomputed and no formula is written, so the sheet shows exactly the PDF's numbers.
The schema keeps every number within 15 significant digits, which an Excel cell (an IEEE double) holds
exactly.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from invoices.document.fields import exponent_of
from invoices.document.model import (
    Contact,
    Currency,
    Document,
    LineAmount,
    Party,
    RenderedFile,
    RenderOptions,
)
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import labels_for, unit_text
from invoices.renderers import content_types
from invoices.renderers.cells import is_formula_like
from invoices.renderers.naming import invoice_filename
from invoices.renderers.wording import tax_identifiers, tax_notes, tax_rate_text

CONTENT_TYPE = content_types.XLSX
SHEET_TITLE = "Invoice"
TABLE_HEADER = ("SKU", "Description", "Qty", "Unit", "Unit price", "Discount %", "Tax %", "Net")
COLUMN_WIDTHS = {"A": 14, "B": 44, "C": 10, "D": 8, "E": 14, "F": 12, "G": 14, "H": 16}
# The columns after TABLE_HEADER's that only some invoices need (see LineLayout).
EXTRA_WIDTHS = {
    "Price per": 10,
    "Allowances": 12,
    "Charges": 12,
    "Allowance and charge reasons": 36,
    "Tax category": 12,
}
TEXT_HEADINGS = frozenset({"Allowance and charge reasons", "Tax category"})
ENGLISH = labels_for("en")  # the sheet's words are English, like its headings
ENGLISH_FORMAT = NumberFormat("en", Currency("XXX", 2))
# Parties sit side by side above the table; each one's text overflows into the empty cells to its right.
SELLER_COLUMN, BUYER_COLUMN, SHIP_TO_COLUMN = 1, 3, 6
DATE_FORMAT = "yyyy-mm-dd"  # ISO: the same in every locale

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
RULE_ABOVE = Border(top=Side(style="thin"))
RIGHT = Alignment(horizontal="right")
LEFT = Alignment(horizontal="left")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


@dataclass(frozen=True)
class NumberFormats:
    """Number formats for one invoice; quantities and rates show as many decimals as the column needs."""

    money: str
    unit_price: str
    quantity: str
    percent: str


def render_xlsx(document: Document, options: RenderOptions) -> RenderedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _write_sheet(sheet, document, options)
    kind = "Credit note" if document.data.type == "credit_note" else "Invoice"
    workbook.properties.title = f"{kind} {document.data.number}"
    workbook.properties.creator = document.data.seller.name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return RenderedFile(invoice_filename(document, "xlsx"), CONTENT_TYPE, buffer.getvalue())


def _write_sheet(sheet: Worksheet, document: Document, options: RenderOptions) -> None:
    formats = _number_formats(document)
    row = _write_heading(sheet, document)
    row = _write_parties(sheet, document, row + 2)
    header_row = row + 2
    layout = _layout(document)
    row = _write_lines(sheet, document, formats, layout, header_row)
    row = _write_tax_breakdown(sheet, document, formats, row + 2)
    row = _write_totals(sheet, document, formats, row + 2)
    _write_notes_and_payment(sheet, document, row + 2)
    _set_up_sheet(sheet, header_row, options, layout)


def _write_heading(sheet: Worksheet, document: Document) -> int:
    """Title and number, then dates and the corrected invoice (left), currency, payment terms and the
    buyer's references (right); returns the last row."""
    data = document.data
    _text(sheet, 1, 1, "Credit note" if data.type == "credit_note" else "Invoice", font=TITLE_FONT)
    _text(sheet, 1, 2, data.number, font=TITLE_FONT)
    period = data.billing_period
    dates: list[tuple[str, tuple[date | str | None, ...]]] = [
        ("Issue date", (data.issue_date,)),
        ("Due date", (data.due_date,)),
        ("Delivery date", (data.delivery_date,)),
        ("Billing period", (period.start, period.end) if period else ()),
        *(("Corrects invoice", (ref.number, ref.issue_date)) for ref in data.preceding),
    ]
    left = [(label, values) for label, values in dates if any(values)]
    for row, (label, values) in enumerate(left, start=3):
        _text(sheet, row, 1, label, font=BOLD)
        for column, value in enumerate(values, start=2):
            if isinstance(value, date):
                _date(sheet, row, column, value)
            elif value:
                _text(sheet, row, column, value, alignment=LEFT)
    terms = data.payment_terms.replace("\n", " ")
    facts = [
        ("Currency", data.currency.code),
        ("Payment terms", terms),
        ("Buyer reference", data.buyer_reference),
        ("Order reference", data.order_reference),
    ]
    right = [(label, text) for label, text in facts if text]
    for row, (label, text) in enumerate(right, start=3):
        _text(sheet, row, 5, label, font=BOLD)
        _text(sheet, row, 6, text)
    return 2 + max(len(left), len(right))


def _write_parties(sheet: Worksheet, document: Document, row: int) -> int:
    data = document.data
    blocks = [(SELLER_COLUMN, "Seller", data.seller), (BUYER_COLUMN, "Buyer", data.buyer)]
    if data.ship_to:
        blocks.append((SHIP_TO_COLUMN, "Ship to", data.ship_to))
    last_row = row
    for column, heading, party in blocks:
        _text(sheet, row, column, heading, font=BOLD)
        for offset, text in enumerate(_party_lines(party), start=1):
            _text(sheet, row + offset, column, text, font=BOLD if offset == 1 else None)
            last_row = max(last_row, row + offset)
    return last_row


def _party_lines(party: Party) -> list[str]:
    contact = party.contact or Contact()
    electronic = party.electronic_address
    ids = (
        *tax_identifiers(party, "VAT ID", "Tax number", "Tax ID"),
        ("Registration no.", party.legal_id),
        ("Electronic address", f"{electronic.scheme}:{electronic.id}" if electronic else ""),
        ("Email", party.email),
        ("Phone", party.phone),
        ("Contact", contact.name),
        ("Contact email", contact.email),
        ("Contact phone", contact.phone),
    )
    city = " ".join(part for part in (party.postal_code, party.city) if part)
    lines = [party.name, party.company, *party.address, city, party.country_subdivision, party.country]
    lines += [f"{label}: {value}" for label, value in ids if value]
    return [line for line in lines if line]


@dataclass(frozen=True)
class LineLayout:
    """The line table's columns: TABLE_HEADER's eight, then those only some invoices need."""

    base: bool  # a price per more than one unit somewhere: "Price per" (EN 16931 BT-149)
    adjustments: bool  # allowances or charges beyond one discount percentage: their amounts and reasons
    categories: bool  # a tax category other than the rate's usual one

    @property
    def header(self) -> tuple[str, ...]:
        extra = [
            *(["Price per"] if self.base else []),
            *(["Allowances", "Charges", "Allowance and charge reasons"] if self.adjustments else []),
            *(["Tax category"] if self.categories else []),
        ]
        return (*TABLE_HEADER, *extra)

    def column(self, heading: str) -> int:
        return self.header.index(heading) + 1


def _layout(document: Document) -> LineLayout:
    lines = document.lines
    return LineLayout(
        base=any(amount.line.price_base_quantity != 1 for amount in lines),
        adjustments=any(not _plain_discount(amount) for amount in lines),
        categories=any(
            tax_rate_text(a.line.tax_category, a.line.tax_rate, ENGLISH_FORMAT)
            != ENGLISH_FORMAT.percent(a.line.tax_rate)
            for a in lines
        ),
    )


def _plain_discount(amount: LineAmount) -> bool:
    """Whether the line's adjustments are none or one plain discount percentage: all "Discount %" says."""
    if amount.charges or len(amount.allowances) > 1:
        return False
    return all(
        a.adjustment.percent is not None and a.adjustment.reason in ("", "Discount")
        for a in amount.allowances
    )


def _write_lines(
    sheet: Worksheet, document: Document, formats: NumberFormats, layout: LineLayout, header_row: int
) -> int:
    """The line table with its header, then the document-level allowances and charges, each in the Net
    column with its sign, so the column adds up to the net total; returns the last row."""
    for column, heading in enumerate(layout.header, start=1):
        cell = _text(sheet, header_row, column, heading, font=BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = LEFT if column in (1, 2, 4) or heading in TEXT_HEADINGS else RIGHT
    row = header_row
    for amount in document.lines:
        row += 1
        _write_line(sheet, row, amount, formats, layout)
    for sign, kind, adjustments in ((-1, "Allowance", document.allowances), (1, "Charge", document.charges)):
        for adjusted in adjustments:
            row += 1
            adjustment = adjusted.adjustment
            _text(sheet, row, 1, kind)
            _text(sheet, row, 2, adjustment.reason)
            if adjustment.percent is not None:
                _number(sheet, row, 6, adjustment.percent, formats.percent)
            _number(sheet, row, 7, adjustment.tax_rate, formats.percent)
            _number(sheet, row, 8, sign * adjusted.amount, formats.money)
            if layout.categories:
                _text(sheet, row, layout.column("Tax category"), adjustment.tax_category)
    return row


def _write_line(
    sheet: Worksheet, row: int, amount: LineAmount, formats: NumberFormats, layout: LineLayout
) -> None:
    line = amount.line
    cells = [
        _text(sheet, row, 1, line.sku),
        _text(sheet, row, 2, line.description),
        _number(sheet, row, 3, line.quantity, formats.quantity),
        _text(sheet, row, 4, unit_text(ENGLISH, line.unit, line.unit_code, line.quantity)),
        _number(sheet, row, 5, line.unit_price, formats.unit_price),
        # A percentage says it all only for one plain discount; otherwise the amounts are further right.
        _number(sheet, row, 6, line.discount_percent, formats.percent) if _plain_discount(amount) else None,
        _number(sheet, row, 7, line.tax_rate, formats.percent),
        _number(sheet, row, 8, amount.net, formats.money),
    ]
    if layout.base:
        cells.append(
            _number(sheet, row, layout.column("Price per"), line.price_base_quantity, formats.quantity)
        )
    if layout.adjustments:
        cells += [
            _number(sheet, row, layout.column("Allowances"), amount.discount, formats.money),
            _number(sheet, row, layout.column("Charges"), amount.charge, formats.money),
            _text(sheet, row, layout.column("Allowance and charge reasons"), _reasons(amount)),
        ]
    if layout.categories:
        cells.append(_text(sheet, row, layout.column("Tax category"), line.tax_category))
    if "\n" in line.description:
        # Excel does not grow a row for wrapped text written by a program: make room for every line, and
        # align the row's cells to the top so the numbers stay level with the description's first line.
        sheet.row_dimensions[row].height = 15 * (line.description.count("\n") + 1)
        for cell in cells:
            if cell is not None:
                cell.alignment = TOP
        cells[1].alignment = WRAP


def _reasons(amount: LineAmount) -> str:
    """ "Volume discount 10%; Travel": the line's allowances and charges by reason, in order."""
    adjustments = [*amount.allowances, *amount.charges]
    return "; ".join(
        f"{a.adjustment.reason} {ENGLISH_FORMAT.percent(a.adjustment.percent)}".strip()
        if a.adjustment.percent is not None
        else a.adjustment.reason
        for a in adjustments
    )


def _write_tax_breakdown(sheet: Worksheet, document: Document, formats: NumberFormats, row: int) -> int:
    """Per tax group: its category (UNCL 5305), rate, base and tax, then what the law wants said about an
    exempt or reverse-charge group and the seller's exemption reason."""
    headings = ((4, "Category"), (5, "Tax breakdown"), (6, "Rate %"), (7, "Base"), (8, "Tax"))
    for column, heading in headings:
        _text(sheet, row, column, heading, font=BOLD, alignment=RIGHT if column > 5 else None)
    notes = {note.category: note for note in tax_notes(document.totals.tax_groups, ENGLISH)}
    for group in document.totals.tax_groups:
        row += 1
        _text(sheet, row, 4, group.category)
        _number(sheet, row, 6, group.rate, formats.percent)
        _number(sheet, row, 7, group.base, formats.money)
        _number(sheet, row, 8, group.tax, formats.money)
        note = notes.get(group.category)
        if note is not None:
            _text(sheet, row, 9, ": ".join(part for part in (note.name, note.reason) if part))
    return row


def _write_totals(sheet: Worksheet, document: Document, formats: NumberFormats, row: int) -> int:
    totals, code = document.totals, document.data.currency.code
    rows: list[tuple[str, Decimal]] = []
    if document.allowances or document.charges:
        rows.append(("Lines net", totals.lines_net))
        rows += [("Allowances", -totals.allowances)] if document.allowances else []
        rows += [("Charges", totals.charges)] if document.charges else []
    rows += [("Net total", totals.net), ("Tax total", totals.tax), (f"Total ({code})", totals.gross)]
    if totals.prepaid or totals.rounding:
        rows += [("Paid in advance", -totals.prepaid)] if totals.prepaid else []
        rows += [("Rounding", totals.rounding)] if totals.rounding else []
        rows.append((f"Amount due ({code})", totals.payable))
    for offset, (label, value) in enumerate(rows):
        is_total = offset == len(rows) - 1
        # Right-aligned labels overflow leftwards into the empty cells, so they need no wide column.
        _text(sheet, row + offset, 7, label, font=BOLD if is_total else None, alignment=RIGHT)
        cell = _number(sheet, row + offset, 8, value, formats.money)
        if is_total:
            cell.font, cell.border = BOLD, RULE_ABOVE
    return row + len(rows) - 1


def _write_notes_and_payment(sheet: Worksheet, document: Document, row: int) -> None:
    data = document.data
    if data.notes:
        _text(sheet, row, 1, "Notes", font=BOLD)
        # One row per line of the notes: long lines overflow across the empty cells to the right, which
        # reads better than one tall wrapped cell whose height Excel would not adjust.
        for text in data.notes.split("\n"):
            _text(sheet, row, 2, text)
            row += 1
        row += 1
    if data.payment:
        _text(sheet, row, 1, "Payment details", font=BOLD)
        payment = data.payment
        details = (
            ("Payment method", ENGLISH.means_names.get(payment.means_code, payment.means_code)),
            ("Account holder", payment.account_name),
            ("IBAN", payment.iban),
            ("BIC", payment.bic),
            ("Reference", payment.reference),
        )
        for label, value in details:
            if value:
                row += 1
                _text(sheet, row, 1, label)
                _text(sheet, row, 2, value)


def _set_up_sheet(sheet: Worksheet, header_row: int, options: RenderOptions, layout: LineLayout) -> None:
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    for column, heading in enumerate(layout.header[len(TABLE_HEADER) :], start=len(TABLE_HEADER) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = EXTRA_WIDTHS[heading]
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4 if options.page_size == "A4" else sheet.PAPERSIZE_LETTER
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


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


def _date(sheet: Worksheet, row: int, column: int, value: date) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = DATE_FORMAT
    cell.alignment = LEFT


def _number_formats(document: Document) -> NumberFormats:
    lines = [amount.line for amount in document.lines]
    minor = document.data.currency.minor_units
    rates = [line.tax_rate for line in lines] + [line.discount_percent for line in lines]
    adjustments = [*document.data.allowances, *document.data.charges]
    rates += [a.tax_rate for a in adjustments] + [a.percent for a in adjustments if a.percent is not None]
    rates += [group.rate for group in document.totals.tax_groups]
    return NumberFormats(
        money=_grouped(minor),
        unit_price=_grouped(max(minor, _decimals(line.unit_price for line in lines))),
        quantity=_grouped(
            _decimals([line.quantity for line in lines] + [line.price_base_quantity for line in lines])
        ),
        percent=_grouped(_decimals(rates)),
    )


def _grouped(decimals: int) -> str:
    """'#,##0' for JPY, '#,##0.00' for EUR, '#,##0.000' for KWD."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _decimals(values: Iterable[Decimal]) -> int:
    return max((max(0, -exponent_of(value.normalize())) for value in values), default=0)
