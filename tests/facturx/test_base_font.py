"""The normal PDF names no font it does not embed, and looks exactly as it did before that was so.

reportlab starts every page, and every table cell, in Helvetica, a standard font it never embeds; PDF/A
(the Factur-X rendition) refuses a page that names it. The PDF renderer now starts them in DejaVu Sans, which
it embeds (``pdf_fonts.BASE_FONT``). These tests render the same invoices with reportlab's Helvetica put
back, and compare: the same text, the same pixels, and Helvetica gone from ours only.
"""

import pytest
from reportlab.platypus import tables

from invoices.renderers import pdf_build
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_fonts import BASE_FONT, TEXT_FAMILY
from tests.facturx.tools import png_pages, same_pixels
from tests.invoices.pdf_tools import build, payload_with_lines, pdf_fonts, pdf_pages
from tests.payloads import sample_payload

PAYLOADS = [
    pytest.param(sample_payload(), id="sample"),
    pytest.param(
        payload_with_lines([f"Line {n:02d} 中文 العربية Ελληνικά" for n in range(45)]), id="scripts-pages"
    ),
]


def render(payload) -> bytes:
    options, document = build(payload)
    return render_pdf(document, options).content


@pytest.fixture
def helvetica_base(monkeypatch):
    """reportlab's defaults put back: pages and table cells start in Helvetica."""
    render(sample_payload())  # fonts registered first: registering sets the cell default
    monkeypatch.setattr(pdf_build, "BASE_FONT", "Helvetica")
    monkeypatch.setattr(tables.CellStyle, "fontname", "Helvetica")


def test_the_base_font_is_an_embedded_font_of_ours():
    render(sample_payload())  # registering the fonts sets the table cells' default
    assert BASE_FONT == TEXT_FAMILY
    assert tables.CellStyle.fontname == BASE_FONT


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_pdf_names_only_embedded_fonts_and_looks_as_before(payload, request):
    ours = render(payload)
    request.getfixturevalue("helvetica_base")
    before = render(payload)

    assert pdf_fonts(ours)
    assert all(pdf_fonts(ours).values()), pdf_fonts(ours)
    assert pdf_fonts(before).get("Helvetica") is False  # what the change removed: named, not embedded
    assert {name for name in pdf_fonts(before) if name != "Helvetica"} == set(pdf_fonts(ours))

    assert pdf_pages(ours) == pdf_pages(before)
    ours_png, before_png = png_pages(ours), png_pages(before)
    assert len(ours_png) == len(before_png)
    for page, (mine, reference) in enumerate(zip(ours_png, before_png, strict=True), start=1):
        assert same_pixels(mine, reference), f"page {page} looks different"
