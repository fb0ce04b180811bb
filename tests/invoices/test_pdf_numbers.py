"""Numbers in the PDF are never broken across lines, and headers break only where a word may.

A probe printed a unit price 1234.567891 as "1,234.56789 / 1", 99999999.99 as "99,999,999.9 / 9" and a tax
rate as "19 / %"; a long unit ran into the next header ("UNITDISCOUNT"), and the German tax-base header
broke mid-word ("BEMESSUNGSGRUNDLA / GE").
"""

import re
from decimal import Decimal

import pytest

from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import labels_for
from invoices.i18n.locales import LANGUAGES
from invoices.renderers.pdf_context import LineRow, TaxRow, line_columns, summary_columns
from invoices.renderers.pdf_layout import (
    CELL_PADDING,
    TAXES_SHARE,
    TEXT_SIZE,
    frame_width,
    header_lines,
    header_need,
    hyphenated,
    text_width,
)
from tests.invoices.pdf_tools import build, payload_with_lines, pdf_text, printed_pattern, render_payload

WIDEST = {
    "sku": "SKU-VERY-LONG-0001-XY",
    "quantity": "99.123456",
    "unit": "Kilowattstunden",
    "unit_price": "99999999.99",
    "tax_rate": "19.1234",
    "discount_percent": "12.3456",
}
PROBE = {"quantity": "1", "unit": "kilowatt-hours", "unit_price": "1234.567891", "tax_rate": "19"}
FRAME = frame_width("a4")


def probe_pdf_text(language: str) -> str:
    payload = payload_with_lines(["Beratung", "Lizenz"], language=language, shipping=None)
    payload["invoice"]["lines"][0].update(WIDEST)
    payload["invoice"]["lines"][1].update(PROBE)
    return pdf_text(render_payload(payload))


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_every_amount_rate_and_quantity_is_printed_whole_on_one_line(language):
    payload = payload_with_lines(["Beratung", "Lizenz"], language=language, shipping=None)
    document = build(payload)[1]
    fmt = NumberFormat(document.data.locale, document.data.currency)
    lines = probe_pdf_text(language).splitlines()

    printed = [
        fmt.amount(Decimal("1234.567891")),
        fmt.amount(Decimal("99999999.99")),
        fmt.percent(Decimal("19.1234")),
        fmt.percent(Decimal("12.3456")),
        fmt.percent(Decimal(19)),
        fmt.quantity(Decimal("99.123456")),
        fmt.amount(Decimal("8688607060.74")),  # the line's net amount
        fmt.amount(Decimal("1661557082.65")),  # its tax, in the tax breakdown
    ]
    for value in printed:
        pattern = rf"(?<!\S){printed_pattern(value)}(?!\S)"  # a whole word, on one line
        assert any(re.search(pattern, line) for line in lines), (value, language)


def test_a_long_unit_is_printed_whole_and_no_header_runs_into_the_next():
    payload = payload_with_lines(["Power", "Licence"], shipping=None)
    payload["invoice"]["lines"][0].update(quantity="12.5", unit="kilowatt-hours", discount_percent="2.5")

    text = pdf_text(render_payload(payload))

    assert "kilowatt-hours" in text.split()
    assert "UNIT PRICE" in text
    assert "QTY" in text.split()
    assert "UNITDISCOUNT" not in text  # the probe's collision, drawn as one word


def test_the_german_tax_base_header_breaks_at_a_hyphenation_point_with_a_hyphen():
    text = probe_pdf_text("de")

    words = text.split()
    assert "BEMESSUNGSGRUNDLA" not in words
    assert ("BEMESSUNGS-" in words and "GRUNDLAGE" in words) or (
        "BEMESSUNGSGRUND-" in words and "LAGE" in words
    )


def row(**values: str) -> LineRow:
    fields = {"number": 1, "sku": "", "description": "d", "quantity": "1", "unit": "", "unit_price": "1.00",
              "discount": "", "tax_rate": "20%", "net": "1.00"}  # fmt: skip
    return LineRow(**{**fields, **values})  # type: ignore[arg-type]


def test_every_number_column_is_as_wide_as_its_widest_number_at_the_size_chosen():
    rows = [row(sku="W" * 64, unit="W" * 64, quantity="999,999.999999", unit_price="999,990.999999",
                discount="0.0001%", tax_rate="99.9999%", net="999,999,999,999.99")]  # fmt: skip

    columns = line_columns(rows, labels_for("de"), FRAME)

    line = rows[0]
    pairs = [(line.unit_price, columns.unit_price), (line.net, columns.net),
             (line.quantity, columns.quantity), (line.tax_rate, columns.tax_rate),
             (line.discount, columns.discount)]  # fmt: skip
    for text, width in pairs:
        assert text_width(text, size=columns.size) + CELL_PADDING <= width, text
    assert columns.fixed < FRAME  # the description keeps room


def test_numbers_keep_the_body_size_when_only_text_needs_to_give_way():
    rows = [row(sku="SKU-VERY-LONG-0001-XY", unit="Kilowattstunden", unit_price="99,999,999.99",
                net="8,688,607,060.74", discount="12.3456%", tax_rate="19.1234%")]  # fmt: skip

    assert line_columns(rows, labels_for("de"), FRAME).size == TEXT_SIZE


def test_the_tax_breakdown_steps_its_numbers_down_rather_than_wrapping_them():
    taxes = [TaxRow(rate="99.9999%", base="999,999,999,999.99", tax="999,999,999,999.99")]

    columns = summary_columns(taxes, [], "1.00 EUR", labels_for("en"), FRAME)

    assert columns.size < TEXT_SIZE
    assert columns.tax_base + columns.tax_amount < 100


# Two rates with six-figure amounts: the amounts leave room, but not much beyond their numbers.
COMMON_TAXES = [TaxRow(rate="5%", base="227 280,76", tax="11 364,04"),
                TaxRow(rate="23%", base="82 315,38", tax="18 932,54")]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tax_breakdown_s_headers_get_their_room_before_the_amounts_get_theirs(language):
    # The rate column was as wide as "23%": "STAWKA" printed "STA- / WKA". Layout version 3 on; versions 1
    # and 2 keep their columns as shipped (test_layout_v3).
    labels = labels_for(language)

    columns = summary_columns(COMMON_TAXES, [], "1.00 EUR", labels, FRAME)

    assert not [line for header in columns.headers for line in header if line.endswith("-")], columns.headers
    rate_width = FRAME * TAXES_SHARE * (100 - columns.tax_base - columns.tax_amount) / 100  # classic v2's
    assert rate_width >= header_need(labels.rate)


def test_a_polish_tax_breakdown_prints_its_rate_header_whole():
    payload = payload_with_lines(["Licencja", "Serwis"], language="pl", currency="PLN", shipping=None)
    payload["invoice"]["lines"][0].update(unit_price="227280.76", tax_rate="5")
    payload["invoice"]["lines"][1].update(unit_price="82315.38", tax_rate="23")

    words = pdf_text(render_payload(payload)).split()

    assert "STAWKA" in words
    assert "STA-" not in words


def test_header_words_wrap_between_words_and_hyphenate_only_when_a_word_is_too_long():
    assert header_lines("Unit price", 200, "en") == ["UNIT PRICE"]
    assert header_lines("Unit price", 30, "en") == ["UNIT", "PRICE"]
    assert header_lines("Bemessungsgrundlage", 60, "de") == ["BEMESSUNGS-", "GRUNDLAGE"]


def test_a_word_that_has_its_own_hyphen_breaks_there_without_a_second_one():
    def measure(text: str) -> float:
        return 5.0 * len(text)

    assert hyphenated("ART.-NR.", 25, "de", measure) == ["ART.-", "NR."]
    assert hyphenated("ABCDEFGHIJ", 20, "xx", measure) == ["ABC-", "DEF-", "GHIJ"]  # no dictionary: anywhere


def test_a_french_amount_grouped_with_narrow_no_break_spaces_stays_on_one_line():
    """French groups thousands with U+202F, at which xhtml2pdf would break a line: the grand total's
    "1 999 999 968,00 AED" once came out as "1 999 999" over "968,00 AED"."""
    payload = payload_with_lines(["Lizenz"], language="fr", shipping=None)
    invoice = payload["invoice"]
    invoice.pop("totals", None)
    invoice["currency"] = "AED"
    invoice["lines"][0].update(quantity="1", unit_price="1999999968.00", tax_rate="0", discount_percent="0")
    document = build(payload)[1]
    money = NumberFormat(document.data.locale, document.data.currency).money(document.totals.gross)
    assert "\N{NARROW NO-BREAK SPACE}" in money  # what made it break
    lines = pdf_text(render_payload(payload)).splitlines()
    assert any(re.search(printed_pattern(money), line) for line in lines), money
