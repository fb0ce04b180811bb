"""The branded PDF: each layout with and without a logo, as pictures (pdftoppm), and the invoice's look kept
for ever by its brand version.

A logo of one distinctive colour (brand_looks) tells from the page's pixels whether it was drawn and where:
the layout's logo region holds its colour, and no other part of the page does. The accent colour is looked
for the same way. The shared tests (scripts, formats agreeing, multi-page) run over the looks in
test_pdf_scripts.py, test_formats_agree.py and the multi-page tests here.
"""

import dataclasses
from typing import Any

import pytest
from PIL import ImageChops

from accounts.models import User
from invoices import services
from invoices.document.model import BrandStyle, RenderOptions
from invoices.models import Brand, BrandLogo, BrandVersion
from invoices.renderers.facturx import render_facturx
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdfa import pdfa_problems
from tests.invoices.brand_looks import (
    ACCENT_RGB,
    PNG_COLOUR,
    SVG_COLOUR,
    TEXT_FONTS,
    png_logo,
    style,
)
from tests.invoices.en16931_samples import rich_document
from tests.invoices.pdf_tools import (
    build,
    colour_box,
    colour_pixels,
    fonts_drawing,
    ink,
    page_image,
    payload_with_lines,
    pdf_fonts,
    pdf_pages,
    pdf_text,
)
from tests.payloads import einvoice_payload, sample_payload

LAYOUTS = ("classic", "modern", "compact")
LOGO_COLOURS = {"png": PNG_COLOUR, "jpeg": PNG_COLOUR, "svg": SVG_COLOUR}
# Where each layout puts its logo on page 1 of an A4 invoice in a left-to-right language, as shares of the
# page (left, top, right, bottom): classic top left above the seller, modern at the start of its band,
# compact small at the top right.
LOGO_REGIONS = {
    "classic": (0.0, 0.0, 0.5, 0.16),
    "modern": (0.0, 0.0, 0.5, 0.14),
    "compact": (0.6, 0.0, 1.0, 0.08),
}


def rendered(payload: dict[str, Any], look: BrandStyle) -> bytes:
    options, document = build(payload)
    return render_pdf(document, dataclasses.replace(options, style=look)).content


@pytest.fixture(scope="module")
def pages() -> dict[tuple[str, str], bytes]:
    """The sample invoice in each layout without a logo, with the PNG logo and with the SVG logo."""
    return {
        (layout, logo): rendered(sample_payload(), style(layout, logo=logo))
        for layout in LAYOUTS
        for logo in ("", "png", "svg")
    }


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("logo", ["", "png", "svg"])
def test_each_layout_draws_a_page_with_its_logo_where_the_layout_puts_it(pages, layout, logo):
    pdf = pages[(layout, logo)]
    image = page_image(pdf)
    assert ink(pdf) > 5000  # not blank
    text = pdf_text(pdf)
    assert "INVOICE" in text
    assert "1.189,83 €" in text
    for colour in (PNG_COLOUR, SVG_COLOUR):
        inside = colour_pixels(image, colour, LOGO_REGIONS[layout])
        everywhere = colour_pixels(image, colour)
        if logo and colour == LOGO_COLOURS[logo]:
            assert inside > 150, f"no logo in the {layout} layout's logo region"
            assert everywhere == inside, "the logo is drawn outside its region"
        else:
            assert everywhere == 0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_shows_the_accent_colour(pages, layout):
    assert colour_pixels(page_image(pages[(layout, "")]), ACCENT_RGB) > 40


def test_a_jpeg_logo_is_drawn_too():
    image = page_image(rendered(sample_payload(), style("classic", logo="jpeg")))
    assert colour_pixels(image, PNG_COLOUR, LOGO_REGIONS["classic"]) > 150


def test_the_logo_keeps_its_aspect_ratio():
    # A 400 x 40 bar in classic's 60 x 16 mm box: as wide as the box, a tenth of that high.
    look = dataclasses.replace(style("classic"), logo=png_logo(400, 40), logo_content_type="image/png")
    box = colour_box(page_image(rendered(sample_payload(), look)), PNG_COLOUR)
    assert box is not None
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    assert abs(width - 60 / 25.4 * 60) <= 2  # 60 mm at 60 dpi
    assert 9 <= width / height <= 11, (width, height)


def test_a_right_to_left_invoice_puts_the_classic_logo_at_its_start_on_the_right():
    payload = sample_payload()
    payload["invoice"]["language"] = "ar"
    image = page_image(rendered(payload, style("classic", logo="png")))
    assert colour_pixels(image, PNG_COLOUR, (0.5, 0.0, 1.0, 0.16)) > 150
    assert colour_pixels(image, PNG_COLOUR, (0.0, 0.0, 0.5, 1.0)) == 0


@pytest.mark.security
def test_the_footer_is_printed_on_every_page_and_user_markup_in_it_is_text():
    footer = "<b>Example</b> & Co <img src=x>\nSecond line\nThird line\nFourth line is dropped"
    payload = payload_with_lines([f"Item {n:03d}" for n in range(90)])
    pages = pdf_pages(rendered(payload, style("modern", footer=footer)))
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "<b>Example</b> & Co <img src=x>" in page
        assert "Third line" in page
        assert "Fourth line" not in page
        assert f"Page {number} of {len(pages)}" in page


@pytest.mark.security
@pytest.mark.parametrize(
    "accent", ["red", "#12345g", "#fff", "#123456; } body { color: red", "url(http://127.0.0.1/x)", ""]
)
def test_an_accent_that_is_not_rrggbb_falls_back_to_the_default(accent):
    image = page_image(rendered(sample_payload(), style("compact", accent_color=accent, footer="")))
    default = page_image(rendered(sample_payload(), style("compact", accent_color="#1f4e79", footer="")))
    assert ImageChops.difference(image, default).getbbox() is None


@pytest.mark.parametrize("font", ["sans", "serif", "condensed"])
def test_the_font_family_sets_the_text_and_the_line_table(font):
    # Ω is in no label: where it is drawn is the line table's description.
    pdf = rendered(payload_with_lines(["Ω Premium Cloud Server", "Backup"]), style("classic", font=font))
    regular, bold = TEXT_FONTS[font]
    drawn = fonts_drawing(pdf)
    assert drawn["Ω"] == {regular}
    assert regular in drawn["I"] or bold in drawn["I"]
    assert pdf_fonts(pdf)[regular]  # embedded
    assert pdf_fonts(pdf)[bold]
    assert set(pdf_fonts(pdf)) <= {*TEXT_FONTS["sans"], regular, bold}


def test_a_serif_invoice_with_hebrew_is_set_in_sans_rather_than_with_boxes():
    pdf = rendered(payload_with_lines(["עברית: שלום עולם", "Latin"]), style("classic", font="serif"))
    assert set(pdf_fonts(pdf)) == set(TEXT_FONTS["sans"])


@pytest.mark.parametrize(
    ("layout", "font"), [("classic", "serif"), ("modern", "condensed"), ("compact", "sans")]
)
def test_two_hundred_lines_paginate_with_the_header_the_footer_and_page_x_of_y(layout, font):
    payload = payload_with_lines([f"Line{n:03d} service End{n:03d}" for n in range(200)])
    pages = pdf_pages(rendered(payload, style(layout, font, "png")))
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Registered in England and Wales" in page
        if "Line" in page:
            assert "DESCRIPTION" in page
    for n in range(200):
        holding = [i for i, page in enumerate(pages) if f"Line{n:03d}" in page]
        assert holding == [i for i, page in enumerate(pages) if f"End{n:03d}" in page]
        assert len(holding) == 1


@pytest.mark.parametrize("logo", ["png", "svg"])
def test_the_same_invoice_rendered_twice_looks_the_same(logo):
    look = style("modern", "serif", logo)
    first, second = rendered(sample_payload(), look), rendered(sample_payload(), look)
    assert ImageChops.difference(page_image(first), page_image(second)).getbbox() is None


@pytest.mark.parametrize("logo", ["png", "svg"])
def test_the_facturx_rendition_with_a_logo_is_pdfa_3b(logo):
    # A logo with transparency (the PNG's alpha, the SVG's stop-opacity) and the SVG's text, in PDF/A-3b.
    options = RenderOptions(format="facturx", formats=("facturx",), style=style("modern", logo=logo))
    content = render_facturx(rich_document(), options).content
    assert pdfa_problems(content) == []
    assert colour_pixels(page_image(content), LOGO_COLOURS[logo], LOGO_REGIONS["modern"]) > 150


# --- the brand version of the moment an invoice was issued, for ever ------------------------------------


def _version(brand: Brand, number: int, layout: str, accent: str, logo: BrandLogo | None) -> BrandVersion:
    version = BrandVersion.objects.create(
        brand=brand, version=number, layout=layout, accent_color=accent, footer=f"Version {number}", logo=logo
    )
    brand.current = version
    brand.save(update_fields=["current"])
    return version


def _downloaded(invoice: Any, storage: Any, fmt: str) -> bytes:
    rendition = invoice.renditions.get(format=fmt)
    return (storage / rendition.file_name).read_bytes()


@pytest.mark.django_db
def test_a_later_brand_version_changes_no_invoice_issued_before_it(user: User, local_invoice_storage):
    data = png_logo()
    logo = BrandLogo.objects.create(
        sha256="a" * 64, content_type="image/png", data=data, width=400, height=120
    )
    brand = Brand.objects.create(owner=user, name="Main", is_default=True)
    _version(brand, 1, "modern", "#e36414", logo)
    first = services.invoice_submit(owner=user, payload=einvoice_payload(formats=["pdf"])).invoice
    services.invoice_render(invoice_id=first.id)
    _version(brand, 2, "classic", "#2a9d8f", None)  # a new look: no logo, another layout and accent
    payload = einvoice_payload(formats=["pdf"])
    payload["invoice"]["number"] = f"{payload['invoice']['number']}-2"
    second = services.invoice_submit(owner=user, payload=payload).invoice
    services.invoice_render(invoice_id=second.id)
    # The first invoice rendered again, after the change: a Factur-X rendition added now.
    services.rendition_add(invoice=first, fmt="facturx")
    services.invoice_render(invoice_id=first.id, fmt="facturx")

    first.refresh_from_db()
    second.refresh_from_db()
    before, again = (
        _downloaded(first, local_invoice_storage, "pdf"),
        _downloaded(first, local_invoice_storage, "facturx"),
    )
    assert ImageChops.difference(page_image(before), page_image(again)).getbbox() is None
    assert colour_pixels(page_image(again), PNG_COLOUR, LOGO_REGIONS["modern"]) > 150
    assert "Version 1" in pdf_text(again)
    later = _downloaded(second, local_invoice_storage, "pdf")
    assert colour_pixels(page_image(later), PNG_COLOUR) == 0
    assert colour_pixels(page_image(later), (0x2A, 0x9D, 0x8F)) > 40
    assert "Version 2" in pdf_text(later)
