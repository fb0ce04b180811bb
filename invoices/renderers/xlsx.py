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
from openpyxl.worksheet.worksheet import Worksheet

from invoices.document.fields import exponent_of
from invoices.document.model import Document, LineAmount, Party, RenderedFile, RenderOptions
from invoices.renderers import content_types
from invoices.renderers.cells import is_formula_like
from invoices.renderers.naming import invoice_filename

CONTENT_TYPE = content_types.XLSX
SHEET_TITLE = "Invoice"
TABLE_HEADER = ("SKU", "Description", "Qty", "Unit", "Unit price", "Discount %", "Tax %", "Net")
COLUMN_WIDTHS = {"A": 14, "B": 44, "C": 10, "D": 8, "E": 14, "F": 12, "G": 14, "H": 16}
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
    workbook.properties.title = f"Invoice {document.data.number}"
    workbook.properties.creator = document.data.seller.name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return RenderedFile(invoice_filename(document, "xlsx"), CONTENT_TYPE, buffer.getvalue())


def _write_sheet(sheet: Worksheet, document: Document, options: RenderOptions) -> None:
    formats = _number_formats(document)
    row = _write_heading(sheet, document)
    row = _write_parties(sheet, document, row + 2)
    header_row = row + 2
    row = _write_lines(sheet, document, formats, header_row)
    row = _write_tax_breakdown(sheet, document, formats, row + 2)
    row = _write_totals(sheet, document, formats, row + 2)
    _write_notes_and_payment(sheet, document, row + 2)
    _set_up_sheet(sheet, header_row, options)


def _write_heading(sheet: Worksheet, document: Document) -> int:
    """Title and number, then dates (left) and currency and payment terms (right); returns the last row."""
    data = document.data
    _text(sheet, 1, 1, "Invoice", font=TITLE_FONT)
    _text(sheet, 1, 2, data.number, font=TITLE_FONT)
    dates = [
        (label, day) for label, day in (("Issue date", data.issue_date), ("Due date", data.due_date)) if day
    ]
    for row, (label, day) in enumerate(dates, start=3):
        _text(sheet, row, 1, label, font=BOLD)
        _date(sheet, row, 2, day)
    terms = data.payment_terms.replace("\n", " ")
    facts = [
        (label, text) for label, text in (("Currency", data.currency.code), ("Payment terms", terms)) if text
    ]
    for row, (label, text) in enumerate(facts, start=3):
        _text(sheet, row, 5, label, font=BOLD)
        _text(sheet, row, 6, text)
    return 2 + max(len(dates), len(facts))


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
    contacts = (("Tax ID", party.tax_id), ("Email", party.email), ("Phone", party.phone))
    lines = [party.name, party.company, *party.address, party.country]
    lines += [f"{label}: {value}" for label, value in contacts if value]
    return [line for line in lines if line]


def _write_lines(sheet: Worksheet, document: Document, formats: NumberFormats, header_row: int) -> int:
    """The line table with its header, then the document-level charges; returns the last row."""
    for column, heading in enumerate(TABLE_HEADER, start=1):
        cell = _text(sheet, header_row, column, heading, font=BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = LEFT if column in (1, 2, 4) else RIGHT
    row = header_row
    for amount in document.lines:
        row += 1
        _write_line(sheet, row, amount, formats)
    for charge in document.charges:
        row += 1
        _text(sheet, row, 2, charge.adjustment.reason)
        _number(sheet, row, 7, charge.adjustment.tax_rate, formats.percent)
        _number(sheet, row, 8, charge.amount, formats.money)
    return row


def _write_line(sheet: Worksheet, row: int, amount: LineAmount, formats: NumberFormats) -> None:
    line = amount.line
    cells = [
        _text(sheet, row, 1, line.sku),
        _text(sheet, row, 2, line.description),
        _number(sheet, row, 3, line.quantity, formats.quantity),
        _text(sheet, row, 4, line.unit),
        _number(sheet, row, 5, line.unit_price, formats.unit_price),
        _number(sheet, row, 6, line.discount_percent, formats.percent),
        _number(sheet, row, 7, line.tax_rate, formats.percent),
        _number(sheet, row, 8, amount.net, formats.money),
    ]
    if "\n" in line.description:
        # Excel does not grow a row for wrapped text written by a program: make room for every line, and
        # align the row's cells to the top so the numbers stay level with the description's first line.
        sheet.row_dimensions[row].height = 15 * (line.description.count("\n") + 1)
        for cell in cells:
            cell.alignment = TOP
        cells[1].alignment = WRAP


def _write_tax_breakdown(sheet: Worksheet, document: Document, formats: NumberFormats, row: int) -> int:
    for column, heading in ((5, "Tax breakdown"), (6, "Rate %"), (7, "Base"), (8, "Tax")):
        _text(sheet, row, column, heading, font=BOLD, alignment=RIGHT if column > 5 else None)
    for group in document.totals.tax_groups:
        row += 1
        _number(sheet, row, 6, group.rate, formats.percent)
        _number(sheet, row, 7, group.base, formats.money)
        _number(sheet, row, 8, group.tax, formats.money)
    return row


def _write_totals(sheet: Worksheet, document: Document, formats: NumberFormats, row: int) -> int:
    totals, code = document.totals, document.data.currency.code
    rows: list[tuple[str, Decimal]] = []
    if document.data.charges:
        rows += [("Lines net", totals.lines_net), ("Charges", totals.charges)]
    rows += [("Net total", totals.net), ("Tax total", totals.tax), (f"Total ({code})", totals.gross)]
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
        details = (
            ("IBAN", data.payment.iban),
            ("BIC", data.payment.bic),
            ("Reference", data.payment.reference),
        )
        for label, value in details:
            if value:
                row += 1
                _text(sheet, row, 1, label)
                _text(sheet, row, 2, value)


def _set_up_sheet(sheet: Worksheet, header_row: int, options: RenderOptions) -> None:
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
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
    rates += [charge.tax_rate for charge in document.data.charges]
    rates += [group.rate for group in document.totals.tax_groups]
    return NumberFormats(
        money=_grouped(minor),
        unit_price=_grouped(max(minor, _decimals(line.unit_price for line in lines))),
        quantity=_grouped(_decimals(line.quantity for line in lines)),
        percent=_grouped(_decimals(rates)),
    )


def _grouped(decimals: int) -> str:
    """'#,##0' for JPY, '#,##0.00' for EUR, '#,##0.000' for KWD."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _decimals(values: Iterable[Decimal]) -> int:
    return max((max(0, -exponent_of(value.normalize())) for value in values), default=0)
