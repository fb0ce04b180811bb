"""The XLSX in the invoice's locale: its words are the locale's labels, its amounts real numbers in a currency
format with the locale's symbol and the currency's minor units, and an Arabic sheet reads right to left.

Words are compared with ``labels_for(locale)``, never with literal translations, so the tests hold with the
catalogs empty (English) or filled. Number formats are read the way Excel reads them (``sections``), so a
currency symbol that could end a literal early would show as stray format codes.
"""

import dataclasses
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from babel import numbers
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from invoices.document.model import Document, RenderOptions
from invoices.document.validation import read_request
from invoices.i18n.labels import Labels, labels_for, unit_text
from invoices.i18n.locales import cached_locale, language_of
from invoices.renderers import xlsx
from invoices.renderers.xlsx import (
    BASE_COLUMNS,
    display_width,
    format_literal,
    render_xlsx,
    sheet_title,
)
from tests.invoices.en16931_samples import credit_note_document, rich_document
from tests.payloads import without_totals

# (locale, currency, its minor units): a two-, a zero- and a three-decimal currency; left to right, Japanese
# full-width characters, and right to left.
CASES = [("de-DE", "EUR", 2), ("ja-JP", "JPY", 0), ("ar-EG", "KWD", 3)]


def sections(number_format: str) -> list[tuple[str, str]]:
    """Each section of an Excel number format as (its format codes, its literal text), read as Excel reads
    it (ECMA-376 18.8.31): "..." is literal up to the next quote, a backslash makes the next character
    literal, and a semicolon outside both starts the next section."""
    result: list[tuple[str, str]] = []
    codes, literal = "", ""
    index = 0
    while index < len(number_format):
        character = number_format[index]
        if character == '"':
            end = number_format.index('"', index + 1)  # an unclosed literal is a broken format
            literal += number_format[index + 1 : end]
            index = end + 1
            continue
        if character == "\\":
            literal += number_format[index + 1]
            index += 2
            continue
        if character == ";":
            result.append((codes, literal))
            codes, literal = "", ""
        else:
            codes += character
        index += 1
    return [*result, (codes, literal)]


def grouped(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def number(cell: Cell) -> Decimal:
    assert cell.data_type == "n", cell.coordinate
    assert isinstance(cell.value, int | float), cell.coordinate
    return Decimal(repr(cell.value))


def find(sheet: Worksheet, text: str, column: int | None = None) -> Cell:
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text and column in (None, cell.column):
                return cell
    raise AssertionError(f"{text!r} not in the sheet")


@dataclass(frozen=True)
class Rendered:
    locale: str
    currency: str
    minor: int
    document: Document
    workbook: Any
    labels: Labels

    @property
    def sheet(self) -> Worksheet:
        return self.workbook.active


def render_payload(locale: str, currency: str) -> tuple[Document, Any]:
    payload = without_totals(currency=currency, locale=locale)
    del payload["invoice"]["language"]  # the locale decides it
    options, document = read_request(payload)
    return document, openpyxl.load_workbook(io.BytesIO(render_xlsx(document, options).content))


def render_document(document: Document) -> Worksheet:
    content = render_xlsx(document, RenderOptions(format="xlsx")).content
    return openpyxl.load_workbook(io.BytesIO(content)).active


def in_locale(document_factory: Any, locale: str, **changes: Any) -> Document:
    return document_factory(locale=locale, language=language_of(locale), **changes)


@pytest.fixture(scope="module", params=CASES, ids=[case[0] for case in CASES])
def rendered(request) -> Rendered:
    locale, currency, minor = request.param
    document, workbook = render_payload(locale, currency)
    return Rendered(locale, currency, minor, document, workbook, labels_for(locale))


def test_the_payload_is_rendered_in_its_locale(rendered):
    # Guards the fixture: an invoice that fell back to English would make the comparisons below vacuous.
    assert rendered.document.data.locale == rendered.locale
    assert rendered.labels.language == language_of(rendered.locale) != "en"


def test_title_sheet_and_properties_are_the_locales_words(rendered):
    labels, sheet, number_ = rendered.labels, rendered.sheet, rendered.document.data.number
    assert sheet["A1"].value == labels.invoice
    assert sheet.title == sheet_title(labels.invoice, number_)
    assert rendered.workbook.properties.title == f"{labels.invoice} {number_}"
    assert rendered.workbook.properties.language == rendered.locale


def test_the_line_tables_header_is_the_locales_labels(rendered):
    labels, sheet = rendered.labels, rendered.sheet
    header = find(sheet, labels.sku, column=1).row
    expected = [
        labels.sku,
        labels.description,
        labels.quantity,
        labels.unit,
        labels.unit_price,
        labels.discount_percent,
        labels.tax_percent,
        labels.net,
    ]
    assert [sheet.cell(header, column).value for column in range(1, 10)] == [*expected, None]
    assert sheet.freeze_panes == f"A{header + 1}"


def test_headings_totals_and_payment_are_the_locales_labels(rendered):
    labels, sheet, code = rendered.labels, rendered.sheet, rendered.currency
    for text, column in [
        (labels.issue_date, 1),
        (labels.due_date, 1),
        (labels.currency, 5),
        (labels.payment_terms, 5),
        (labels.seller, 1),
        (labels.buyer, 3),
        (labels.ship_to, 6),
        (labels.charge, 1),  # the shipping charge's row in the line table
        (labels.shipping, 2),
        (labels.subtotal, 7),
        (labels.charges, 7),
        (labels.net_total, 7),
        (f"{labels.total} ({code})", 7),
        (labels.notes, 1),
        (labels.payment_details, 1),
        (labels.payment_means, 1),
        (labels.means_names["58"], 2),
        (labels.iban, 1),
        (labels.reference, 1),
    ]:
        find(sheet, text, column)
    breakdown = find(sheet, labels.tax_breakdown, column=5).row
    assert [sheet.cell(breakdown, column).value for column in range(4, 9)] == [
        labels.tax_category,
        labels.tax_breakdown,
        labels.tax_percent,
        labels.base,
        labels.tax,
    ]
    find(sheet, str(cached_locale(rendered.locale).territories["FR"]), column=1)  # the seller's country


def test_amounts_are_the_documents_numbers(rendered):
    document, sheet, labels = rendered.document, rendered.sheet, rendered.labels
    header = find(sheet, labels.sku, column=1).row
    for row, amount in enumerate(document.lines, start=header + 1):
        assert number(sheet.cell(row, 5)) == amount.line.unit_price
        assert number(sheet.cell(row, 8)) == amount.net
    first = find(sheet, labels.tax_breakdown, column=5).row + 1
    for row, group in enumerate(document.totals.tax_groups, start=first):
        assert [number(sheet.cell(row, column)) for column in (7, 8)] == [group.base, group.tax]
    totals = document.totals
    for label, value in [
        (labels.net_total, totals.net),
        (labels.tax, totals.tax),
        (f"{labels.total} ({rendered.currency})", totals.gross),
    ]:
        assert number(sheet.cell(find(sheet, label, column=7).row, 8)) == value


def test_amounts_carry_the_currency_symbol_and_exactly_its_minor_units(rendered):
    sheet, labels = rendered.sheet, rendered.labels
    symbol = numbers.get_currency_symbol(rendered.currency, cached_locale(rendered.locale))
    total = sheet.cell(find(sheet, f"{labels.total} ({rendered.currency})", column=7).row, 8)
    positive, negative = sections(total.number_format)
    assert positive[0] == negative[0] == grouped(rendered.minor)
    assert symbol in positive[1]
    assert symbol in negative[1]
    assert "-" in negative[1]  # the negative section writes its own minus, where the locale puts it
    header = find(sheet, labels.sku, column=1).row
    assert sheet.cell(header + 1, 8).number_format == total.number_format  # a line's net
    for column in (3, 6, 7):  # quantity, discount and tax percentages: plain numbers
        plain = sheet.cell(header + 1, column).number_format
        assert sections(plain) == [(plain, "")]
        assert plain.startswith("#,##0")


def test_only_a_right_to_left_locale_gets_a_right_to_left_sheet(rendered):
    assert bool(rendered.sheet.sheet_view.rightToLeft) is rendered.labels.rtl is (rendered.locale == "ar-EG")


def test_dates_stay_real_dates(rendered):
    sheet = rendered.sheet
    issue = sheet.cell(find(sheet, rendered.labels.issue_date, column=1).row, 2)
    assert issue.is_date
    assert issue.value.date() == rendered.document.data.issue_date


def test_columns_are_at_least_as_wide_as_their_headings(rendered):
    sheet, labels = rendered.sheet, rendered.labels
    header = find(sheet, labels.sku, column=1).row
    for number_, column in enumerate(BASE_COLUMNS, start=1):
        width = sheet.column_dimensions[get_column_letter(number_)].width
        assert width >= max(column.width, display_width(sheet.cell(header, number_).value)), column.key


@pytest.mark.parametrize("locale", [case[0] for case in CASES])
def test_an_en16931_invoice_speaks_the_locale_in_every_column_unit_and_note(locale):
    labels = labels_for(locale)
    document = in_locale(rich_document, locale)
    sheet = render_document(document)
    header = find(sheet, labels.sku, column=1).row
    assert [sheet.cell(header, column).value for column in range(9, 14)] == [
        labels.price_per,
        labels.allowances,
        labels.charges,
        labels.adjustment_reasons,
        labels.tax_category,
    ]
    units = [sheet.cell(header + offset, 4).value for offset in (1, 2, 4)]
    assert units == [
        unit_text(labels, "HUR", "HUR", Decimal("12.5")),
        unit_text(labels, "C62", "C62", Decimal(1500)),
        unit_text(labels, "DAY", "DAY", Decimal(3)),
    ]
    exempt = find(sheet, "E", column=4).row
    assert sheet.cell(exempt, 9).value.startswith(f"{labels.category_names['E']}: ")
    totals = document.totals
    for label, value in [
        (labels.allowances, -totals.allowances),
        (labels.prepaid, -totals.prepaid),
        (labels.rounding, totals.rounding),
        (f"{labels.amount_due} (EUR)", totals.payable),
    ]:
        assert number(sheet.cell(find(sheet, label, column=7).row, 8)) == value
    assert sheet.cell(find(sheet, "Early order", column=2).row, 1).value == labels.discount


@pytest.mark.parametrize("locale", [case[0] for case in CASES])
def test_a_credit_note_is_titled_and_names_the_invoice_it_corrects_in_the_locale(locale):
    labels = labels_for(locale)
    sheet = render_document(in_locale(credit_note_document, locale))
    assert sheet["A1"].value == labels.credit_note
    corrects = find(sheet, labels.corrects_invoice.format(number="RE-2026-1187"), column=1)
    assert sheet.cell(corrects.row, 3).is_date


def test_columns_widen_to_fit_long_and_wide_translations(monkeypatch):
    english = labels_for("en")
    long = dataclasses.replace(
        english, sku="Artikelnummer des Verkäufers", unit_price="単価\uff08税抜き、円\uff09"
    )
    monkeypatch.setattr(xlsx, "labels_for", lambda locale: long)
    _, workbook = render_payload("en-DE", "EUR")
    widths = workbook.active.column_dimensions
    assert widths["A"].width >= len(long.sku) > BASE_COLUMNS[0].width
    assert widths["E"].width >= display_width(long.unit_price) == 18 > BASE_COLUMNS[4].width
    assert widths["B"].width == BASE_COLUMNS[1].width  # a short heading keeps the least width


def test_display_width_counts_east_asian_wide_characters_twice():
    assert display_width("Net") == 3
    assert display_width("請求書") == 6
    assert display_width("\uff21\uff22") == 4  # full-width "AB"
    assert display_width("فاتورة") == 6


# --- Quoting: a currency symbol can never break the number format -----------------------------------

HOSTILE_SYMBOLS = ['"', '""', 'a"b', '";@"0#\\', "\\", "[Red]", "0;0;0;@", "[$-409]", "_)*-", 'x"\\"y']


@pytest.mark.security
@pytest.mark.parametrize("text", HOSTILE_SYMBOLS)
def test_format_literal_is_one_literal_for_any_text(text):
    assert sections(format_literal(text)) == [("", text)]


@pytest.mark.security
@given(st.text())
def test_format_literal_never_leaks_a_format_code(text):
    printable = "".join(character for character in text if unicodedata.category(character) != "Cc")
    assert sections(format_literal(text)) == [("", printable)]


def test_format_literal_keeps_ordinary_symbols_readable():
    assert format_literal("€") == '"€"'
    assert format_literal("\xa0د.ك.\u200f") == '"\xa0د.ك.\u200f"'
    assert format_literal("") == ""


@pytest.mark.security
def test_a_hostile_currency_symbol_leaves_amounts_numbers_in_a_sound_format(monkeypatch):
    hostile = '"];@#0.0\\_*[$-409]'
    monkeypatch.setattr(numbers, "get_currency_symbol", lambda code, locale: hostile)
    document, workbook = render_payload("de-DE", "EUR")
    sheet = workbook.active
    labels = labels_for("de-DE")
    total = sheet.cell(find(sheet, f"{labels.total} (EUR)", column=7).row, 8)
    assert number(total) == document.totals.gross
    assert sections(total.number_format) == [("#,##0.00", f"\xa0{hostile}"), ("#,##0.00", f"-\xa0{hostile}")]


# --- Sheet titles Excel accepts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("Rechnung",), "Rechnung"),
        (("Rechnung/Gutschrift",), "Rechnung Gutschrift"),
        (("a[b]c:d*e?f\\g",), "a b c d e f g"),
        (("x" * 40,), "x" * 31),
        (("'quoted'",), "quoted"),
        (("History", "INV-1"), "INV-1"),
        (("???", "INV/7"), "INV 7"),
        (("", ""), "1"),
        (("請求書",), "請求書"),
        (("😀" * 20,), "😀" * 15),  # two UTF-16 code units each
        (("Line\nbreak",), "Line break"),
    ],
)
def test_sheet_title_is_one_excel_accepts(candidates, expected):
    assert sheet_title(*candidates) == expected
