"""Layout version 5: version 4 composed anew. The invoice's closing (its last two lines, the totals, the notes
and the payment details) on one page; the exemption wording the service writes for a seller who gave none in
the invoice's language; the buyer and the facts in two columns where there is no ship-to party; payment terms
too long for the header printed with the notes. Version 4 as it was shipped, for the invoices issued in it (a
version once shipped never changes)."""

import copy
import dataclasses
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from invoices.document.model import DEFAULT_STYLE, BrandStyle
from invoices.i18n.labels import labels_for
from invoices.renderers import render
from invoices.renderers.pdf_native import CLOSING_LINES
from tests.invoices.pdf_tools import build, pdf_pages, pdf_text, render_payload, squeezed
from tests.payloads import einvoice_payload, sample_payload

LAYOUTS = ("classic", "modern", "compact")
EN = labels_for("en")


def look(version: int, layout: str = "classic") -> BrandStyle:
    return dataclasses.replace(DEFAULT_STYLE, layout=layout, layout_version=version)


def numbered_lines(count: int, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """``payload`` (the sample: notes, and payment details with an IBAN) with ``count`` lines, each
    description starting with its marker "L000", "L001", ..."""
    payload = copy.deepcopy(payload or sample_payload())
    source = payload["invoice"]["lines"]
    payload["invoice"]["lines"] = [
        dict(source[i % len(source)], description=f"L{i:03d} {source[i % len(source)]['description']}")
        for i in range(count)
    ]
    payload["invoice"].pop("totals", None)
    return payload


def closing_page(pages: list[str], count: int) -> tuple[int, int, int]:
    """(the page the totals are on, the page of the IBAN, how many lines that totals page holds)."""
    totals = next(number for number, text in enumerate(pages) if EN.subtotal in text)
    iban = next(number for number, text in enumerate(pages) if "IBAN" in text)
    lines = sum(f"L{i:03d}" in pages[totals] for i in range(count))
    return totals, iban, lines


# The line counts at which version 4 put the totals, or the notes and payment details, on a page of their
# own in each layout, with the sample's lines (found by rendering every count from 1 to 70).
ORPHANED_IN_V4 = {
    "classic": (15, 18, 22, 44, 51),
    "modern": (12, 16, 19, 41, 49),
    "compact": (17, 20, 23, 47, 54),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_totals_and_payment_details_never_start_a_page_of_their_own(layout):
    for count in ORPHANED_IN_V4[layout]:
        pages = pdf_pages(render_payload(numbered_lines(count), look(5, layout)))
        totals, iban, lines = closing_page(pages, count)
        assert iban == totals, (layout, count)
        assert lines >= CLOSING_LINES, (layout, count)
        # Every line is printed once.
        assert all(sum(f"L{i:03d}" in page for page in pages) == 1 for i in range(count)), (layout, count)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_version_4_stays_as_shipped_with_its_orphaned_closing(layout):
    orphaned = []
    for count in ORPHANED_IN_V4[layout]:
        pages = pdf_pages(render_payload(numbered_lines(count), look(4, layout)))
        totals, iban, lines = closing_page(pages, count)
        orphaned.append(lines == 0 or iban != totals)
    assert all(orphaned)


def test_the_bench_s_20_line_invoice_carries_two_lines_over_under_the_column_headers():
    pages = pdf_pages(render_payload(numbered_lines(20), look(5)))
    assert len(pages) == 2
    second = pages[1]
    assert [f"L{i:03d}" in second for i in (17, 18, 19)] == [False, True, True]
    # The carried lines start the page under the table's headers, as a table split over pages repeats them.
    assert second.index(EN.description.upper()) < second.index("L018") < second.index(EN.subtotal)
    assert "IBAN" in second


def test_closing_lines_that_follow_the_table_on_its_page_have_no_second_header():
    text = pdf_text(render_payload(numbered_lines(8), look(5)))
    assert text.count(EN.description.upper()) == 1
    assert text.index("L005") < text.index("L006") < text.index("L007") < text.index(EN.subtotal)


@pytest.mark.parametrize("count", [1, CLOSING_LINES])
def test_an_invoice_of_no_more_lines_than_the_closing_keeps_its_table_where_it_starts(count):
    pages = pdf_pages(render_payload(numbered_lines(count), look(5)))
    assert len(pages) == 1
    assert all(f"L{i:03d}" in pages[0] for i in range(count))


def long_notes(lines: int) -> dict[str, Any]:
    payload = numbered_lines(lines, sample_payload())
    payload["invoice"]["notes"] = "\n".join(
        f"Note {i:02d} with a few words to fill its line." for i in range(42)
    )
    return payload


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_closing_taller_than_half_a_page_keeps_the_lines_with_the_totals_and_the_notes_follow(layout):
    pages = pdf_pages(render_payload(long_notes(20), look(5, layout)))
    totals, iban, lines = closing_page(pages, 20)
    assert lines >= CLOSING_LINES
    # The notes and payment details follow the totals, on their page or the next, never pushing the
    # totals on with the notes (which would leave the page before them nearly empty).
    notes = next(number for number, text in enumerate(pages) if "Note 41" in text)
    assert iban == notes >= totals
    before = pages[totals - 1] if totals else ""
    assert not totals or sum(f"L{i:03d}" in before for i in range(20)) > CLOSING_LINES


def test_notes_longer_than_a_page_flow_from_where_they_start():
    payload = numbered_lines(3)
    payload["invoice"]["notes"] = "\n".join(
        f"Note {i:02d} with a few words to fill its line." for i in range(39)
    )
    payload["invoice"]["payment_terms"] = "Net 30"
    pages = pdf_pages(render_payload(payload, look(5)))
    first = pages[0]
    assert "L002" in first
    assert EN.subtotal in first


# --- The exemption wording in the invoice's language ---


def categories_payload(language: str) -> dict[str, Any]:
    """A line in each category whose reason the service writes when the seller gives none."""
    payload = einvoice_payload(formats=["pdf"])
    payload["invoice"]["language"] = language
    payload["invoice"].pop("locale", None)
    payload["invoice"].pop("allowances", None)
    payload["invoice"].pop("charges", None)
    payload["invoice"].pop("totals", None)
    payload["invoice"].pop("prepaid_amount", None)
    payload["invoice"].pop("rounding_amount", None)
    template = payload["invoice"]["lines"][0]
    payload["invoice"]["lines"] = [
        {
            "description": f"Item {category}",
            "quantity": "1",
            "unit_price": "100.00",
            "tax_rate": "0",
            "tax_category": category,
            "unit": template.get("unit", "C62"),
        }
        for category in ("AE", "K", "G", "O")
    ]
    return payload


ENGLISH_DEFAULTS = ("Reverse charge", "Intra-community supply", "Export outside the EU", "Not subject to VAT")


@pytest.mark.parametrize("language", ["de", "fr", "es", "it", "nl"])
def test_the_legal_words_the_service_writes_are_in_the_invoice_s_language_alone(language):
    names = labels_for(language).category_names
    drawn = squeezed(pdf_text(render_payload(categories_payload(language), look(5))))
    for category in ("AE", "K", "G", "O"):
        assert squeezed(f"{category} {names[category]}") in drawn
    assert not [words for words in ENGLISH_DEFAULTS if squeezed(words) in drawn]


def test_version_4_kept_the_english_words_after_the_category_s_name():
    drawn = squeezed(pdf_text(render_payload(categories_payload("de"), look(4))))
    assert squeezed("Steuerschuldnerschaft des Leistungsempfängers: Reverse charge") in drawn


def test_in_english_the_category_s_name_is_said_once():
    drawn = squeezed(pdf_text(render_payload(categories_payload("en"), look(5))))
    assert squeezed(f"K {EN.category_names['K']}") in drawn
    assert squeezed("Intra-community supply") not in drawn.replace(squeezed(EN.category_names["K"]), "")


def test_a_reason_the_seller_gave_is_printed_after_the_name():
    payload = categories_payload("de")
    payload["invoice"]["lines"][0]["exemption_reason"] = "Art. 196 MwStSystRL"
    drawn = squeezed(pdf_text(render_payload(payload, look(5))))
    names = labels_for("de").category_names
    assert squeezed(f"AE {names['AE']}: Art. 196 MwStSystRL") in drawn


def test_the_xlsx_says_the_legal_words_in_the_invoice_s_language_alone():
    options, document = build(categories_payload("de"))
    xlsx = render(document, dataclasses.replace(options, format="xlsx")).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    names = labels_for("de").category_names
    assert {names[category] for category in ("AE", "K", "G", "O")} <= set(texts)
    assert not [text for text in texts if any(words in text for words in ENGLISH_DEFAULTS)]


# --- The header without a ship-to party ---

LONG_BUYER = "Compañía Ibérica de Señalización S.A."


def without_ship_to(language: str = "es") -> dict[str, Any]:
    payload = einvoice_payload(formats=["pdf"])
    payload["invoice"]["language"] = language
    payload["invoice"].pop("locale", None)
    payload["invoice"].pop("ship_to", None)
    payload["invoice"]["buyer"]["name"] = LONG_BUYER
    return payload


def printed_lines(pdf: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(pdf).splitlines()]


def test_without_a_ship_to_party_the_buyer_and_the_facts_share_the_header():
    lines = printed_lines(render_payload(without_ship_to(), look(5)))
    assert any(LONG_BUYER in line for line in lines)
    # Version 4 kept the ship-to's column empty and wrapped the name beside it.
    assert not any(LONG_BUYER in line for line in printed_lines(render_payload(without_ship_to(), look(4))))


def test_with_a_ship_to_party_the_header_keeps_its_three_columns():
    payload = sample_payload()
    assert payload["invoice"].get("ship_to")
    text = pdf_text(render_payload(payload, look(5)))
    assert EN.ship_to.upper() in text


# --- Payment terms ---

LONG_TERMS = (
    "Payment within 14 days of the invoice date with a 2 % early payment discount, or within 30 days net. "
    "Late payments incur interest at 9 percentage points above the base rate and a fixed fee of EUR 40."
)


def with_terms(terms: str) -> dict[str, Any]:
    payload = sample_payload()
    payload["invoice"]["payment_terms"] = terms
    return payload


def test_payment_terms_too_long_for_the_header_are_printed_with_the_notes():
    text = pdf_text(render_payload(with_terms(LONG_TERMS), look(5)))
    terms = text.index(EN.payment_terms.upper())
    assert text.index(EN.subtotal) < terms < text.index(EN.notes.upper())
    # Beside the payment details, so the text reads across both columns: each of its lines is there in turn.
    words = LONG_TERMS.split()
    assert text.index(words[0], terms) < text.index("early", terms) < text.index("EUR 40.", terms)
    assert text.count(EN.payment_terms.upper()) == 1


def test_short_payment_terms_stay_in_the_header():
    text = pdf_text(render_payload(with_terms("Net 30"), look(5)))
    assert text.index(EN.payment_terms.upper()) < text.index(EN.subtotal)
    assert text.count(EN.payment_terms.upper()) == 1


def test_version_4_kept_long_payment_terms_in_the_header():
    text = pdf_text(render_payload(with_terms(LONG_TERMS), look(4)))
    assert text.index(EN.payment_terms.upper()) < text.index(EN.subtotal)
