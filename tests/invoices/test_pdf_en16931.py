"""What EN 16931 adds to the PDF: credit notes, structured parties, references, allowances and charges,
prices per base quantity, units, tax categories with the words the law wants, prepaid, rounding, amount due.

The documents come from ``en16931_samples`` (built from ``InvoiceData`` through the money module), and
every check reads the rendered PDF back with pdftotext.
"""

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest

from invoices.document.model import (
    DEFAULT_STYLE,
    Adjustment,
    Contact,
    Document,
    InvoiceReference,
    Party,
    RenderOptions,
)
from invoices.document.money import compute_document
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import labels_for, unit_text
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_context import PERIOD_DASH, city_lines, invoice_context, line_rows, party_block
from invoices.renderers.pdf_table import description_cell
from invoices.renderers.wording import NOTED_CATEGORIES
from tests.invoices.en16931_samples import (
    BUYER,
    SELLER,
    credit_note_document,
    jpy_document,
    line,
    long_document,
    rich_data,
    rich_document,
)
from tests.invoices.pdf_tools import drawn_text, fonts_drawing, nfkc, pdf_pages, pdf_text, render_payload
from tests.payloads import sample_payload

# The languages the old hand-written tables had, whose words these tests know.
SUPPORTED_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")


def render(document: Document) -> bytes:
    return render_pdf(document, RenderOptions()).content


def text_of(document: Document) -> str:
    return pdf_text(render(document))


def row_ending(text: str, label: str, amount: str) -> bool:
    """Whether a printed line holds ``label`` and ends with ``amount``: a row of the totals block."""
    return any(label in row and row.rstrip().endswith(amount) for row in text.splitlines())


@pytest.fixture(scope="module")
def rich_text() -> str:
    return text_of(rich_document())


@pytest.fixture(scope="module")
def rich_words(rich_text) -> list[str]:
    return rich_text.split()


@pytest.fixture(scope="module")
def rich_drawn() -> str:
    return drawn_text(render(rich_document()))


def squeezed(text: str) -> str:
    """``text`` as ``drawn_text`` has it: NFKC, without whitespace."""
    return "".join(nfkc(text).split())


# --- Credit notes ------------------------------------------------------------------------------------


def test_a_credit_note_says_so_and_names_the_invoice_it_corrects():
    text = text_of(credit_note_document())

    assert "CREDIT NOTE" in text
    assert "INVOICE" not in text.replace("INVOICE NUMBER", "").split()
    assert "Corrects invoice RE-2026-1187 of Nov 30, 2026" in text  # the date in the locale (en)
    assert "CREDIT NOTE NUMBER" in text
    assert "Credit note GS-2026-0007" in text  # the footer
    assert "Page 1 of 1" in text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_credit_note_title_and_reference_are_in_the_invoice_language(language):
    labels = labels_for(language)
    document = credit_note_document(language=language)

    content = render(document)

    # Drawn text, without whitespace: a title of two words may wrap between them.
    drawn = drawn_text(content)
    assert squeezed(labels.credit_note.upper()) in drawn
    corrects = labels.corrects_invoice_dated.format(
        number="RE-2026-1187",
        date=NumberFormat(labels.locale, document.data.currency).date(date(2026, 11, 30)),
    )
    assert squeezed(corrects) in drawn
    assert invoice_context(document, RenderOptions())["title"] == labels.credit_note


def test_a_credit_note_without_the_preceding_date_names_the_number_alone():
    document = credit_note_document(preceding=(InvoiceReference("RE-9"),))
    assert "Corrects invoice RE-9\n" in text_of(document)


def test_a_long_title_word_is_set_smaller_to_stay_on_one_line():
    text = text_of(credit_note_document(language="de"))
    assert "RECHNUNGSKORREKTUR" in text.split()


# --- Parties and references --------------------------------------------------------------------------


def test_parties_print_their_identifiers_structured_address_and_contact(rich_text, rich_drawn):
    for expected in (
        "80331 München",
        "VAT ID: DE129273398",
        "Tax number: 143/123/45678",
        "Registration no.: HRB 123456",
        "Contact: Sabine Huber",
        "s.huber@lindner.example",
        "3000 Leuven",
        "Vlaams-Brabant",
        "Belgium",
        "VAT ID: BE0417497106",
        "Contact: Jan Peeters",
        "2000 Antwerpen",
    ):
        assert squeezed(expected) in rich_drawn, expected
    assert "Tax ID" not in rich_text  # beside a VAT ID, the other number is the tax number


def test_a_tax_number_equal_to_the_vat_id_is_printed_once_as_before():
    # What validation makes of a pre-EN 16931 party's "tax_id" that is an EU VAT number: both fields.
    party = dataclasses.replace(BUYER, tax_id="be 0417497106", vat_id="BE0417497106")
    block = party_block(party, labels_for("en"))
    assert block.ids == ("Tax ID: BE0417497106", "Registration no.: 0417.497.106")


def test_a_tax_id_alone_keeps_its_old_label():
    block = party_block(Party(name="x", tax_id="FR40303265045"), labels_for("de"))
    assert block.ids == ("USt-IdNr.: FR40303265045",)


def test_a_contact_repeats_no_email_or_phone_the_party_already_shows():
    party = Party(name="x", email="a@x.example", phone="1", contact=Contact("Ann", "1", "a@x.example"))
    assert party_block(party, labels_for("en")).contacts == (("a@x.example", "1"), ("Contact: Ann",))


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("DE", ["80331 München", "Bayern"]),
        ("US", ["Springfield, IL 62704"]),
        ("CA", ["Toronto, ON M5V 2T6"]),
        ("GB", ["London", "SW1A 1AA"]),
        ("", ["1000 Bruxelles"]),
    ],
)
def test_postal_code_and_city_follow_the_country(country, expected):
    places = {
        "DE": ("München", "80331", "Bayern"),
        "US": ("Springfield", "62704", "IL"),
        "CA": ("Toronto", "M5V 2T6", "ON"),
        "GB": ("London", "SW1A 1AA", ""),
        "": ("Bruxelles", "1000", ""),
    }
    city, postal, region = places[country]
    party = Party(name="x", country=country, city=city, postal_code=postal, country_subdivision=region)
    assert city_lines(party) == expected


def test_header_shows_references_and_the_billing_period_whole(rich_text, rich_words):
    assert "04011000-12345-67" in rich_words  # a Leitweg-ID is never broken
    assert "PO-88213" in rich_words
    # "BUYER REFERENCE" and "ORDER REFERENCE", wrapped in the label column beside a long period.
    assert "BUYER" in rich_words
    assert "ORDER" in rich_words
    assert f"Nov 1, 2026 {PERIOD_DASH} Nov 30, 2026" in rich_text


def test_a_delivery_date_is_printed_when_there_is_no_billing_period():
    assert re.search(r"DELIVERY DATE +Nov 28, 2026", text_of(credit_note_document()))


# --- Lines ---------------------------------------------------------------------------------------------


def test_lines_show_units_base_quantities_adjustments_and_categories(rich_text, rich_words):
    assert "12.5 h" in rich_text
    assert "1,500 pcs" in rich_text
    assert "12.50 / 100 pcs" in rich_text
    assert "42.5 m" in rich_text
    assert "3 days" in rich_text
    assert "ADJUSTMENT" in rich_words  # the column holds charges too
    for adjustment in ("-93.75", "-7.50", "+6.80"):
        assert adjustment in rich_words, adjustment
    for note in ("Volume discount 10%: -118.75", "Travel: +25.00", "Cutting to length 5%: +6.80"):
        assert note in rich_text, note
    assert "Discount: -7.50" not in rich_text  # a plain discount amount: the column says it all
    assert "0% AE" in rich_text
    assert "0% E" in rich_text


def test_discount_percentages_stay_a_percentage_column():
    text = pdf_text(render_payload(sample_payload()))
    assert re.search(r"DISCOUNT +TAX", text)
    # The sample is English to a buyer in Germany (en-DE): a decimal comma and "10 %".
    assert re.search(r"500,00 +10\s?% +20\s?% +900,00", text)
    assert "Discount 10%" not in text


def test_a_percentage_beside_amounts_is_itemised():
    document = rich_document(
        lines=(
            line("A", "1", "100.00", allowances=(Adjustment(percent=Decimal(10), reason="Discount"),)),
            line("B", "1", "100.00", allowances=(Adjustment(amount=Decimal(5), reason="Discount"),)),
        )
    )
    text = text_of(document)
    assert "Discount 10%: -10.00" in text
    assert re.search(r"DISCOUNT +TAX", text)  # allowances only: still "Discount"


@pytest.mark.parametrize(
    ("language", "code", "quantity", "expected"),
    [
        ("en", "C62", "2", "pcs"),
        ("en", "C62", "1", "pc"),
        ("de", "C62", "3", "Stk."),
        ("en", "DAY", "1", "day"),
        ("fr", "DAY", "2", "jours"),
        ("de", "HUR", "2", "h"),
        ("en", "KWH", "12.5", "kWh"),
        ("en", "MTK", "4", "m²"),
    ],
)
def test_rec20_units_print_as_symbols_or_words(language, code, quantity, expected):
    assert unit_text(labels_for(language), code, code, Decimal(quantity)) == expected


def test_free_text_and_unknown_codes_print_as_given():
    labels = labels_for("de")
    assert unit_text(labels, "Stück", "", Decimal(2)) == "Stück"
    assert unit_text(labels, "XYZ", "XYZ", Decimal(2)) == "XYZ"
    assert unit_text(labels, "day", "", Decimal(2)) == "day"  # free text, not a code


# --- Totals and tax ------------------------------------------------------------------------------------


def test_totals_show_each_allowance_and_charge_then_prepaid_rounding_and_amount_due(rich_text):
    rows = [
        ("Subtotal", "3,206.55"),
        ("Early order 2%", "-64.13"),
        ("Loyalty", "-50.00"),
        ("Shipping", "15.00"),
        ("Net total", "3,107.42"),
        ("Tax", "233.18"),
        ("Total", "€3,340.60"),
        ("Paid in advance", "-1,000.00"),
        ("Rounding", "-0.60"),
        ("Amount due", "€2,340.00"),
    ]
    for label, amount in rows:
        assert row_ending(rich_text, label, amount), (label, amount)
    positions = [rich_text.index(amount) for _, amount in rows]
    assert positions == sorted(positions)


def test_an_invoice_without_allowances_or_prepaid_shows_only_the_rows_it_had():
    text = pdf_text(render_payload(sample_payload()))
    for absent in ("Paid in advance", "Rounding", "Amount due", "Allowance"):
        assert absent not in text
    assert row_ending(text, "Total", "1.189,83 €")


def test_an_allowance_without_a_charge_still_shows_the_net_total():
    document = rich_document(charges=(), prepaid_amount=Decimal(0), rounding_amount=Decimal(0))
    text = text_of(document)
    fmt = NumberFormat(document.data.locale, document.data.currency)
    assert row_ending(text, "Net total", fmt.amount(document.totals.net))
    assert row_ending(text, "Total", fmt.money(document.totals.gross))


def test_exempt_and_reverse_charge_groups_carry_their_legal_words(rich_drawn):
    # The reason names the category already: said once.
    assert squeezed("AE Reverse charge: Article 196 Directive 2006/112/EC") in rich_drawn
    assert "ReversechargeReversecharge" not in rich_drawn
    assert squeezed("E Exempt from VAT: Exempt under Article 132(1)(i) Directive 2006/112/EC") in rich_drawn


def test_the_legal_words_are_in_the_invoice_language():
    drawn = drawn_text(render(rich_document(language="de")))
    assert squeezed("AE Steuerschuldnerschaft des Leistungsempfängers: Reverse charge: Article 196") in drawn
    assert squeezed("E Steuerbefreit: Exempt under Article 132(1)(i)") in drawn


@pytest.mark.parametrize("category", ["K", "G", "O"])
def test_intra_community_export_and_out_of_scope_groups_are_named_without_a_reason_too(category):
    document = rich_document(
        lines=(line("Goods", "1", "100.00", "0", tax_category=category),), allowances=(), charges=()
    )
    content = render(document)
    assert f"0% {category}" in pdf_text(content)
    assert squeezed(f"{category} {labels_for('en').category_names[category]}") in drawn_text(content)


# --- Payment ---------------------------------------------------------------------------------------------


def test_payment_shows_the_means_by_name_and_the_account_holder(rich_text):
    assert re.search(r"Payment method +SEPA credit transfer", rich_text)
    assert re.search(r"Account holder +Werkzeugbau Lindner GmbH", rich_text)
    assert "DE89 3704 0044 0532 0130 00" in rich_text


def test_an_unknown_means_code_is_printed_as_the_code():
    payment = rich_data().payment
    assert payment is not None
    document = rich_document(payment=dataclasses.replace(payment, means_code="ZZZ"))
    assert re.search(r"Payment method +ZZZ", text_of(document))


# --- Currencies, languages, length ----------------------------------------------------------------------


def test_yen_amounts_have_no_decimals():
    document = jpy_document()
    text = text_of(document)
    for expected in ("-2,970", "+149", "Volume discount 3.3%: -2,970", "Gift wrap 2.5%: +149", "¥92,783"):
        assert expected in text, expected
    assert row_ending(text, "Amount due", "¥92,783")


@pytest.mark.parametrize("language", ["en", "de", "nl"])
def test_the_rich_invoice_fits_one_page(language):
    assert len(pdf_pages(render(rich_document(language=language)))) == 1


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_totals_and_the_payment_block_are_each_kept_whole_in_every_language(language):
    labels = labels_for(language)
    pages = pdf_pages(render(rich_document(language=language)))
    totals = {
        i for i, page in enumerate(pages) for label in (labels.subtotal, labels.amount_due) if label in page
    }
    payment = {
        i for i, page in enumerate(pages) for label in (labels.iban, labels.account_name) if label in page
    }
    assert len(totals) == 1, totals
    assert len(payment) == 1, payment
    assert max(totals) <= min(payment)


def test_three_hundred_lines_with_adjustments_paginate_and_never_split_a_row():
    document = long_document(300)
    pages = pdf_pages(render(document))
    assert len(pages) > 5
    for n in range(300):
        holding = [i for i, page in enumerate(pages) if f"Item {n:04d} spare part" in page]
        assert len(holding) == 1, n
        if n % 15 == 0:  # an allowance and a charge: both notes on the same page as the line
            assert "Small quantity 2%" in pages[holding[0]]
    assert row_ending(
        pages[-1],
        "Amount due",
        NumberFormat(document.data.locale, document.data.currency).money(document.totals.payable),
    )


def test_notes_under_the_description_keep_scripts_and_escape_markup():
    reasons = ("الخصم", "折扣 优惠", '<font color="red">x</font> &amp;')
    document = rich_document(
        lines=(
            line(
                "Tea",
                "1",
                "10.00",
                allowances=tuple(Adjustment(amount=Decimal(1), reason=r) for r in reasons),
            ),
        )
    )
    content = render(document)
    drawn = drawn_text(content)
    assert "折扣优惠" in drawn
    assert nfkc('<fontcolor="red">x</font>&amp;') in drawn
    assert "WenQuanYiMicroHei-0" in fonts_drawing(content)["折"]


def test_a_description_cell_with_notes_is_the_description_then_the_notes():
    cell = description_cell("Tea", ["Discount: -1.00"], 200)
    assert isinstance(cell, list)
    assert [part.getPlainText() for part in cell] == ["Tea", "Discount: -1.00"]


# --- Labels ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_has_every_new_word(language):
    labels = labels_for(language)
    for field in dataclasses.fields(labels):
        if field.name != "rtl":
            assert getattr(labels, field.name), (language, field.name)
    assert "{number}" in labels.corrects_invoice
    assert {"{number}", "{date}"} <= set(re.findall(r"{\w+}", labels.corrects_invoice_dated))
    assert set(labels.category_names) >= NOTED_CATEGORIES
    assert set(labels.means_names) == set(labels_for("en").means_names)


def test_labels_differ_from_english_where_the_language_has_its_own_word():
    english = labels_for("en")
    for language in SUPPORTED_LANGUAGES:
        if language != "en":
            labels = labels_for(language)
            assert labels.credit_note != english.credit_note, language
            assert labels.category_names["AE"] != english.category_names["AE"], language
            assert labels.amount_due != english.amount_due, language


def test_the_context_gives_the_template_only_strings_for_user_text():
    context = invoice_context(rich_document(), RenderOptions())
    assert context["title"] == "Invoice"
    assert context["facts"][0] == ("Invoice number", "RE-2026-1187")  # type: ignore[index]
    assert ("Buyer reference", "04011000-12345-67") in context["facts"]  # type: ignore[operator]


def test_seller_block_joins_identifiers_on_one_line():
    block = party_block(SELLER, labels_for("en"))
    assert block.ids == (
        "VAT ID: DE129273398",
        "Tax number: 143/123/45678",
        "Registration no.: HRB 123456 Amtsgericht München",
    )
    assert block.contacts[1][0] == "Contact: Sabine Huber"


def test_document_built_directly_computes_like_the_worked_example():
    totals = compute_document(rich_data()).totals
    assert (totals.net, totals.tax, totals.gross, totals.payable) == (
        Decimal("3107.42"),
        Decimal("233.18"),
        Decimal("3340.60"),
        Decimal("2340.00"),
    )


def test_a_right_to_left_reason_keeps_the_sign_in_front_of_its_amount():
    reasons = ("خصم خاص", "Rabatt")
    document = rich_document(
        lines=(
            line(
                "x", "1", "10.00", allowances=tuple(Adjustment(amount=Decimal(1), reason=r) for r in reasons)
            ),
        )
    )
    (row,) = line_rows(document.lines, labels_for("en"), NumberFormat("en", document.data.currency))
    assert row.notes == (
        "خصم خاص:\N{NO-BREAK SPACE}\N{LEFT-TO-RIGHT MARK}-1.00",
        "Rabatt:\N{NO-BREAK SPACE}-1.00",
    )


def test_letter_paper_keeps_the_totals_under_the_lines_and_the_payment_block_whole():
    # Layout version 4, as shipped: the lines and the totals on page 1, the payment details on page 2.
    style = dataclasses.replace(DEFAULT_STYLE, layout_version=4)
    pages = pdf_pages(render_pdf(rich_document(), RenderOptions(page_size="letter", style=style)).content)
    assert "04011000-12345-67" in pages[0].split()
    assert "Amount due" in pages[0]
    holding = [i for i, page in enumerate(pages) if "Account holder" in page and "IBAN" in page]
    assert len(holding) == 1


def test_letter_paper_keeps_the_payment_block_whole_with_the_totals_and_the_last_lines():
    # Layout version 5 (today's): the last two lines, the totals and the payment details on one page.
    pages = pdf_pages(render_pdf(rich_document(), RenderOptions(page_size="letter")).content)
    assert "04011000-12345-67" in pages[0].split()
    holding = [i for i, page in enumerate(pages) if "Account holder" in page and "IBAN" in page]
    (closing,) = holding
    assert "Amount due" in pages[closing]
    assert "Safety training" in pages[closing]
