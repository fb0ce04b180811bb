"""The PDF invoice: what it says, how it paginates, its page sizes and its fonts, read back from the file."""

import dataclasses
import importlib.util
import io
import re

import pytest
from pypdf import PdfReader

from invoices.document.model import RenderOptions
from invoices.i18n.formatting import NumberFormat
from invoices.renderers import render
from invoices.renderers.pdf import MAX_LINES, render_pdf
from tests.invoices.pdf_tools import (
    build,
    fonts_drawing,
    holds,
    ink,
    page_sizes,
    payload_with_lines,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    render_payload,
)
from tests.payloads import sample_payload


@pytest.fixture(scope="module")
def sample():
    options, document = build(sample_payload())
    return document, render_pdf(document, options)


@pytest.fixture(scope="module")
def long_invoice():
    """300 lines whose descriptions wrap onto a second line: "Line0007 ... End0007"."""
    filler = "with a description long enough to wrap onto a second line of its cell"
    payload = payload_with_lines([f"Line{n:04d} {filler} End{n:04d}" for n in range(300)])
    return render_payload(payload)


def test_render_returns_a_named_pdf_file(sample):
    _, rendered = sample
    assert rendered.filename == "INV-2026-0042.pdf"
    assert rendered.content_type == "application/pdf"
    assert rendered.content.startswith(b"%PDF-")


def test_render_dispatches_pdf_to_this_renderer(sample):
    document, _ = sample
    assert render(document, RenderOptions(format="pdf")).content_type == "application/pdf"


def test_text_holds_every_line_description_and_amount(sample):
    document, rendered = sample
    text = pdf_text(rendered.content)
    fmt = NumberFormat(document.data.locale, document.data.currency)
    for amount in document.lines:
        for part in amount.line.description.splitlines():
            assert part in text
        assert holds(text, fmt.amount(amount.net))
        assert holds(text, fmt.percent(amount.line.tax_rate))
    # The sample is English to a buyer in Germany: en-DE, whose decimal sign is the comma.
    assert "12,345" in text  # a unit price with more decimals than EUR is printed as given, not rounded


def test_text_holds_the_totals_and_tax_breakdown(sample):
    document, rendered = sample
    text = pdf_text(rendered.content)
    totals, fmt = document.totals, NumberFormat(document.data.locale, document.data.currency)
    for value in (totals.lines_net, totals.charges, totals.net, totals.tax):
        assert holds(text, fmt.amount(value))
    assert holds(text, fmt.money(totals.gross))
    for group in totals.tax_groups:
        assert holds(text, fmt.amount(group.base))
        assert holds(text, fmt.amount(group.tax))
    assert "1.189,83 €" in text  # the sample's gross, worked by hand in conftest, in en-DE


def test_text_holds_parties_meta_notes_and_payment(sample):
    document, rendered = sample
    text = pdf_text(rendered.content)
    data = document.data
    for expected in (
        data.number,
        data.seller.name,
        data.seller.tax_id,
        data.buyer.name,
        "Hauptstraße 5",
        data.ship_to.name if data.ship_to else "",
        "23 Nov 2026",  # the dates in en-DE's medium form
        "23 Dec 2026",
        "Net 30",
        "Thank you for your business.",
        "FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPP",
        "Bill to".upper(),
        "Page 1 of 1",
    ):
        assert expected in text


def test_long_invoice_spans_pages_numbered_page_x_of_y(long_invoice):
    pages = pdf_pages(long_invoice)
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_long_invoice_repeats_the_table_header_on_every_page_with_lines(long_invoice):
    pages_with_lines = [page for page in pdf_pages(long_invoice) if "Line0" in page]
    assert len(pages_with_lines) > 1
    for page in pages_with_lines:
        assert "DESCRIPTION" in page
        assert "UNIT PRICE" in page


def test_long_invoice_never_splits_a_row_across_pages(long_invoice):
    pages = pdf_pages(long_invoice)
    for n in range(300):
        first = [i for i, page in enumerate(pages) if f"Line{n:04d}" in page]
        last = [i for i, page in enumerate(pages) if f"End{n:04d}" in page]
        assert len(first) == 1, f"line {n} is missing or repeated: {first}"
        assert first == last, f"line {n} is split across pages: {first} {last}"


@pytest.mark.parametrize("count", [17, 20, 23, 26])
def test_totals_block_and_payment_block_are_each_kept_together(count):
    # 17 to 23 one-line rows end the first page where the totals block, left to flow, would be cut in two;
    # about 26, the payment details below it.
    pages = pdf_pages(render_payload(payload_with_lines([f"Item {n}" for n in range(count)])))

    def pages_holding(*markers: str) -> set[tuple[int, ...]]:
        return {tuple(i for i, page in enumerate(pages) if marker in page) for marker in markers}

    (totals,) = pages_holding("TAX BREAKDOWN", "Subtotal", "Total")
    (payment,) = pages_holding("PAYMENT DETAILS", "IBAN", "Reference")
    assert len(totals) == len(payment) == 1
    assert totals <= payment


def test_a4_is_the_default_page_size(sample):
    _, rendered = sample
    assert set(page_sizes(rendered.content)) == {(595, 842)}


def test_letter_page_size_is_612_by_792_points():
    payload = sample_payload()
    payload["page_size"] = "letter"
    assert set(page_sizes(render_payload(payload))) == {(612, 792)}


def test_fonts_are_embedded_and_helvetica_draws_nothing(sample):
    _, rendered = sample
    fonts = pdf_fonts(rendered.content)
    assert fonts.get("DejaVuSans") is True
    assert fonts.get("DejaVuSans-Bold") is True
    # reportlab names Helvetica as each page's initial font, unembedded and unused; no text is drawn in it.
    used = set().union(*fonts_drawing(rendered.content).values())
    assert used <= {"DejaVuSans", "DejaVuSans-Bold", "WenQuanYiMicroHei-0"}, used


def test_reportlab_runs_with_its_c_accelerator():
    # requirements.txt installs rl_accel; without it reportlab falls back to Python without a word: the same
    # PDF for about 10 % more CPU.
    assert importlib.util.find_spec("_rl_accel") is not None


def test_first_page_is_not_blank(sample):
    _, rendered = sample
    assert ink(rendered.content) > 5000


def test_labels_follow_the_invoice_language():
    payload = sample_payload()
    payload["invoice"]["language"] = "de"
    text = pdf_text(render_payload(payload))
    for expected in (
        "RECHNUNG",
        "Rechnungsnummer".upper(),
        "Gesamtbetrag",
        "Versand",
        "Seite 1 von 1",
        "23.11.2026",
    ):
        assert expected in text


def test_more_lines_than_the_cap_are_refused_before_rendering(sample):
    document, _ = sample
    too_long = dataclasses.replace(document, lines=document.lines[:1] * (MAX_LINES + 1))
    with pytest.raises(ValueError, match=str(MAX_LINES)):
        render_pdf(too_long, RenderOptions())


# --- Codes as people read them: IBAN in groups of four, countries by name -------------------------------


def test_the_compact_iban_is_printed_in_groups_of_four():
    payload = sample_payload()
    payload["invoice"]["payment"]["iban"] = "DE89370400440532013000"

    text = pdf_text(render_payload(payload))

    assert "DE89 3704 0044 0532 0130 00" in text
    assert "DE89370400440532013000" not in text


@pytest.mark.parametrize(
    ("language", "seller", "buyer", "ship_to"),
    [("en", "France", "Germany", "Zimbabwe"), ("de", "Frankreich", "Deutschland", "Simbabwe"),
     ("fr", "France", "Allemagne", "Zimbabwe"), ("es", "Francia", "Alemania", "Zimbabue"),
     ("it", "Francia", "Germania", "Zimbabwe"), ("nl", "Frankrijk", "Duitsland", "Zimbabwe"),
     ("pt", "França", "Alemanha", "Zimbábue"), ("ja", "フランス", "ドイツ", "ジンバブエ")],
)  # fmt: skip
def test_countries_are_printed_by_name_in_the_invoice_language(language, seller, buyer, ship_to):
    """Every country by its CLDR name in the invoice's language (Babel's territory names)."""
    payload = sample_payload()
    payload["invoice"]["language"] = language
    payload["invoice"]["ship_to"]["country"] = "ZW"

    text = pdf_text(render_payload(payload))

    assert re.search(rf"75002 Paris.*\n{seller}\n", text)  # under the seller's address
    assert re.search(rf"^{buyer} +{ship_to}$", text, re.MULTILINE)  # the buyer's, and the delivery address's


def test_a_tab_in_a_description_prints_as_a_space():
    # pdftotext reads the missing glyph a tab was drawn with as a space; the text drawn shows it (pypdf: a
    # NUL where the tab was).
    payload = sample_payload()
    payload["invoice"]["lines"][0]["description"] = "Item\tA\tB"

    pdf = render_payload(payload)

    assert "Item A B" in pdf_text(pdf)
    drawn = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Item A B" in drawn


@pytest.mark.security
def test_a_right_to_left_override_in_a_name_prints_what_was_stored():
    payload = sample_payload()
    payload["invoice"]["buyer"]["name"] = "Evil \u202egnp.exe"
    payload["invoice"]["notes"] = "Pay to \u202e98 7654 3210\u202c only"

    text = pdf_text(render_payload(payload))

    assert "Evil gnp.exe" in text
    assert "exe.png" not in text
    assert "Pay to 98 7654 3210 only" in text
