"""The shipped layouts and what the renderer makes of a brand's values before a template sees them."""

import dataclasses
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

from invoices.document.model import DEFAULT_STYLE, OWN_LAYOUT_VERSION, BrandStyle
from invoices.models import FontFamily, LayoutName
from invoices.renderers import RenderRefused
from invoices.renderers.layouts import (
    CURRENT,
    DEFAULT_ACCENT,
    LAYOUTS,
    MIN_TITLE_CONTRAST,
    _luminance,
    accent_color,
    accent_text,
    footer_lines,
    layout,
    layout_template,
    on_accent,
)
from invoices.renderers.pdf import TEMPLATE, render_pdf
from invoices.renderers.pdf_context import invoice_context
from invoices.renderers.pdf_fonts import FONT_DIR, TEXT_FAMILIES
from tests.invoices.brand_looks import style
from tests.invoices.pdf_tools import build, render_invoice_html
from tests.payloads import sample_payload

TEMPLATES = Path(settings.BASE_DIR) / "invoices" / "templates"


def test_every_layout_a_brand_can_choose_is_shipped_with_at_least_one_version():
    assert set(LayoutName.values) == set(LAYOUTS) == set(CURRENT)
    assert {"classic", "modern", "compact"} <= set(LAYOUTS)
    for name, version in CURRENT.items():
        assert version == max(LAYOUTS[name])
        assert layout(name, version).name == name


def test_every_font_a_brand_can_choose_is_one_of_ours():
    assert set(FontFamily.values) == set(TEXT_FAMILIES)
    for regular, bold in TEXT_FAMILIES.values():
        assert (FONT_DIR / f"{regular}.ttf").is_file()
        assert (FONT_DIR / f"{bold}.ttf").is_file()


def test_each_version_is_a_template_file_of_its_own_or_drawn_natively():
    shipped = [version for versions in LAYOUTS.values() for version in versions.values()]
    templates = [version.template for version in shipped if not version.native]
    assert len(set(templates)) == len(templates)
    for name in templates:
        assert (TEMPLATES / name).is_file()
        get_template(name)  # compiles
    assert sorted((v.name, v.version) for v in shipped if v.native) == [
        ("classic", 2),
        ("classic", 3),
        ("classic", 4),
        ("classic", 5),
        ("compact", 2),
        ("compact", 3),
        ("compact", 4),
        ("compact", 5),
        ("modern", 2),
        ("modern", 3),
        ("modern", 4),
        ("modern", 5),
    ]
    # Version 3 is version 2 with its defects corrected, version 4 version 3 with its lines broken anew,
    # version 5 version 4 composed anew (its closing on one page); the versions before each stay as shipped.
    corrected = [(v.name, v.version) for v in shipped if v.corrected]
    assert corrected == [
        ("classic", 3),
        ("classic", 4),
        ("classic", 5),
        ("modern", 3),
        ("modern", 4),
        ("modern", 5),
        ("compact", 3),
        ("compact", 4),
        ("compact", 5),
    ]
    typeset = [(v.name, v.version) for v in shipped if v.typeset]
    assert typeset == [(name, version) for name in ("classic", "modern", "compact") for version in (4, 5)]
    composed = [(v.name, v.version) for v in shipped if v.composed]
    assert composed == [("classic", 5), ("modern", 5), ("compact", 5)]
    assert all(v.template == "" for v in shipped if v.native)


def test_the_unbranded_invoice_is_today_classic_version_five_and_was_four_three_two_and_one():
    assert (DEFAULT_STYLE.layout, DEFAULT_STYLE.layout_version) == ("classic", 5)
    assert DEFAULT_STYLE.layout_version == CURRENT["classic"] == OWN_LAYOUT_VERSION
    assert layout_template("classic", 1) == TEMPLATE


@pytest.mark.parametrize(("name", "version"), [("classic", 6), ("fancy", 1), ("", 1), ("classic", 0)])
def test_a_layout_we_never_shipped_fails_the_render_with_the_reason(name, version):
    with pytest.raises(RenderRefused, match="not one this service ships"):
        layout(name, version)
    options, document = build(sample_payload())
    look = dataclasses.replace(DEFAULT_STYLE, layout=name, layout_version=version)
    with pytest.raises(RenderRefused):
        render_pdf(document, dataclasses.replace(options, style=look))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#1F4E79", "#1f4e79"),
        ("#e36414", "#e36414"),
        ("red", DEFAULT_ACCENT),
        ("#fff", DEFAULT_ACCENT),
        ("#12345g", DEFAULT_ACCENT),
        ("#123456 ", DEFAULT_ACCENT),
        ("#123456;}body{color:red", DEFAULT_ACCENT),
        ("url(http://127.0.0.1/x)", DEFAULT_ACCENT),
        ("", DEFAULT_ACCENT),
    ],
)
def test_the_accent_reaches_css_only_as_a_colour(value, expected):
    assert accent_color(value) == expected


TEMPLATE_LAYOUTS = sorted(
    (n, v) for n, versions in LAYOUTS.items() for v, shipped in versions.items() if not shipped.native
)


@pytest.mark.security
@pytest.mark.parametrize(("layout_name", "version"), TEMPLATE_LAYOUTS)
def test_a_hostile_accent_never_reaches_the_stylesheet(layout_name, version):
    hostile = "#123456; } @import url(http://127.0.0.1/x); .x {"
    options, document = build(sample_payload())
    look = dataclasses.replace(style(layout_name), layout_version=version, accent_color=hostile)
    page = render_invoice_html(document, dataclasses.replace(options, style=look))
    assert "@import" not in page
    assert "127.0.0.1" not in page
    assert DEFAULT_ACCENT in page


@pytest.mark.security
def test_a_hostile_accent_reaches_a_native_layout_as_the_default_colour():
    # Drawn natively, the accent is a reportlab colour made from the checked value, never parsed otherwise.
    hostile = "#123456; } @import url(http://127.0.0.1/x); .x {"
    options, document = build(sample_payload())
    look = dataclasses.replace(style("classic"), accent_color=hostile)
    assert layout(look.layout, look.layout_version).native
    context = invoice_context(document, dataclasses.replace(options, style=look))
    assert (context["accent"], context["accent_text"]) == (DEFAULT_ACCENT, DEFAULT_ACCENT)
    pdf = render_pdf(document, dataclasses.replace(options, style=look)).content
    assert b"127.0.0.1" not in pdf


@pytest.mark.parametrize(
    ("accent", "text"),
    [("#1f4e79", "#ffffff"), ("#000000", "#ffffff"), ("#ffff00", "#102a43"), ("#f0f0f0", "#102a43")],
)
def test_the_text_on_the_accent_is_whichever_reads(accent, text):
    assert on_accent(accent) == text


def test_the_footer_is_at_most_three_non_blank_lines_of_at_most_300_characters():
    assert footer_lines("a\n\n  b  \nc\nd") == ["a", "b", "c"]
    assert footer_lines("") == []
    assert len("".join(footer_lines("x" * 500))) == 300


@pytest.mark.security
def test_the_footer_reaches_the_template_as_escaped_text():
    options, document = build(sample_payload())
    look = BrandStyle(layout_version=1, footer='<img src="http://127.0.0.1/x"> & <pdf:nextpage />')
    page = render_invoice_html(document, dataclasses.replace(options, style=look))
    assert "&lt;img src=&quot;http://127.0.0.1/x&quot;&gt; &amp; &lt;pdf:nextpage /&gt;" in page
    assert "<img" not in page


@pytest.mark.parametrize("accent", ["#f4d35e", "#ffffff", "#a0e0ff", "#e36414", "#1f4e79"])
def test_the_title_in_the_accent_reads_on_the_white_page(accent):
    title = accent_text(accent)
    luminance = _luminance(title)
    assert 1.05 / (luminance + 0.05) >= MIN_TITLE_CONTRAST
    if 1.05 / (_luminance(accent) + 0.05) >= MIN_TITLE_CONTRAST:
        assert title == accent  # a dark enough accent is used as it is
