"""Characters no font of the invoice has: the Factur-X pages show U+FFFD for them, so the file stays PDF/A.

PDF/A forbids drawing a font's missing glyph (ISO 19005-3, 6.2.11.8), which the normal PDF does for an emoji
or a script its fonts lack (a box in a viewer). pikepdf's validator finds it; these tests show it does, and
that the characters ``pdf_fonts.undrawable`` names are the ones to replace.
"""

import pytest

from invoices.renderers.facturx import REPLACEMENT, drawable
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_fonts import undrawable
from invoices.renderers.pdfa import FacturXError, make_facturx, pdfa_problems
from tests.invoices.pdf_tools import build, payload_with_lines, pdf_text
from tests.payloads import sample_payload

# Each holds characters none of the fonts (DejaVu Sans, WenQuanYi Micro Hei, Noto Sans Devanagari, Noto Naskh
# Arabic) has, beside ones they have.
UNDRAWABLE = {
    "emoji": ("Party 🎉 time", {"🎉"}),
    "tamil": ("வணக்கம்", set("வணக்கம்")),
    "thai": ("สวัสดี ok", set("สวัสดี")),
    "ideograph outside the CJK font": ("中文 𠀀", {"𠀀"}),
}
# Each drawn by one of the fonts: nothing to replace (right-to-left text checked in its shaped forms too).
DRAWABLE = [
    "Crème brûlée, Żółć, Ångström",
    "Ελληνικά Русский",
    "العربية: مرحبا بالعالم",
    "اردو: شکریہ، آپ کے لیے",
    "עברית: שלום עולם",
    "中文\uff1a你好 日本語 한국어",
    "zero\u200bwidth, marks \u200e\u202eabc\u202c, e\u0301",
    "two\nlines\tand a tab",
]


@pytest.mark.parametrize(("text", "missing"), UNDRAWABLE.values(), ids=UNDRAWABLE.keys())
def test_undrawable_names_the_characters_no_font_has(text, missing):
    assert undrawable(text) == missing


@pytest.mark.parametrize("text", DRAWABLE)
def test_undrawable_names_nothing_in_text_the_fonts_draw(text):
    assert undrawable(text) == set()


def undrawable_invoice():
    payload = payload_with_lines([text for text, _ in UNDRAWABLE.values()] + DRAWABLE)
    payload["invoice"]["seller"]["name"] = "Pizza 🍕 GmbH"
    payload["invoice"]["notes"] = "Danke 🎉"
    return build(payload)


def test_a_missing_glyph_makes_the_file_fail_pdfa(sample_xml):
    options, document = undrawable_invoice()
    with pytest.raises(FacturXError, match=r"6\.2\.11\.8-1 .*\.notdef"):
        make_facturx(render_pdf(document, options).content, sample_xml)


def test_our_own_checks_alone_do_not_see_a_missing_glyph(sample_xml):
    # Why render_facturx, which skips pikepdf's validator, replaces the characters first.
    options, document = undrawable_invoice()
    pdf = make_facturx(render_pdf(document, options).content, sample_xml, full_check=False)
    assert pdfa_problems(pdf, full=False) == []
    assert any("6.2.11.8" in problem for problem in pdfa_problems(pdf))


def test_with_the_characters_replaced_the_file_is_pdfa(sample_xml):
    options, document = undrawable_invoice()
    pdf = make_facturx(render_pdf(drawable(document), options).content, sample_xml)
    assert pdfa_problems(pdf) == []
    text = pdf_text(pdf)
    assert "Pizza \ufffd GmbH" in text
    assert "Party \ufffd time" in text
    assert "Danke \ufffd" in text
    assert "Crème brûlée" in text


def test_drawable_replaces_only_what_is_missing():
    _, document = undrawable_invoice()
    replaced = drawable(document)
    assert replaced.data.seller.name == f"Pizza {REPLACEMENT} GmbH"
    assert replaced.data.notes == f"Danke {REPLACEMENT}"
    assert replaced.lines[0].line.description == f"Party {REPLACEMENT} time"
    assert replaced.lines[3].line.description == f"中文 {REPLACEMENT}"
    assert [amount.line for amount in replaced.lines[4:]] == [amount.line for amount in document.lines[4:]]
    # A line is one object, in the input and in its amounts, replaced or not.
    assert all(amount.line is line for amount, line in zip(replaced.lines, replaced.data.lines, strict=True))
    # Everything else is as it was: the amounts, the other parties.
    assert replaced.totals == document.totals
    assert replaced.data.buyer is document.data.buyer


def test_a_document_with_nothing_to_replace_is_returned_as_it_is():
    _, document = build(sample_payload())
    assert drawable(document) is document


def test_every_printable_ascii_character_is_drawable():
    # undrawable answers at once for ASCII text, on this ground.
    text = "".join(chr(code) for code in range(0x20, 0x7F))
    assert undrawable(text + "é") == set()
