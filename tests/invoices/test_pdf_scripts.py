"""Text in any script: real glyphs in embedded fonts, never boxes, never dropped."""

# ruff: noqa: RUF001  (Greek, Cyrillic and full-width letters that look like Latin ones are the point here)

import dataclasses
import unicodedata

import pytest
from django.utils.safestring import SafeString

from invoices.document.model import DEFAULT_STYLE, BrandStyle
from invoices.renderers.pdf import render_pdf
from invoices.templatetags.invoice_text import font_runs, script_runs, script_text
from tests.invoices.brand_looks import TEXT_FONTS, style
from tests.invoices.pdf_tools import (
    build,
    fonts_drawing,
    ink,
    nfkc,
    payload_with_lines,
    pdf_fonts,
    pdf_text,
)

SCRIPTS = {
    "latin": "Crème brûlée, Żółć, Ångström, São Paulo, Øresund",
    "greek": "Ελληνικά: Γεια σου κόσμε",
    "cyrillic": "Русский: Привет, мир",
    "arabic": "العربية: مرحبا بالعالم",
    "urdu": "اردو: شکریہ، آپ کے لیے",
    "hebrew": "עברית: שלום עולם",
    "chinese": "中文：你好，世界",
    "japanese": "日本語：こんにちは、カタカナ",
    "korean": "한국어: 안녕하세요 세계",
}
RIGHT_TO_LEFT = {"arabic", "urdu", "hebrew"}
# The fonts (regular, bold) each script is drawn in, as the PDF names them; the text font for the rest.
SCRIPT_FONTS = {
    **dict.fromkeys(("chinese", "japanese", "korean"), ("WenQuanYiMicroHei-0",)),
    **dict.fromkeys(("arabic", "urdu"), ("NotoNaskhArabic-Regular", "NotoNaskhArabic-Bold")),
}
CJK_SAMPLE = "你好世界こんにちは안녕하세요"


@dataclasses.dataclass(frozen=True)
class Look:
    style: BrandStyle
    text_fonts: tuple[str, str]  # the fonts the text of the scripts without their own font is drawn in
    scripts: frozenset[str] = frozenset(SCRIPTS)


# The invoice in every layout and every text family: CJK, Devanagari and Arabic keep their own fonts.
LOOKS = {
    "unbranded": Look(DEFAULT_STYLE, TEXT_FONTS["sans"]),
    "unbranded-v1": Look(dataclasses.replace(DEFAULT_STYLE, layout_version=1), TEXT_FONTS["sans"]),
    # DejaVu Serif has no Hebrew: an invoice holding some is set in DejaVu Sans (pdf.render_pdf).
    "modern-serif-with-hebrew": Look(style("modern", "serif", "svg"), TEXT_FONTS["sans"]),
    # A template layout, as brand versions made before its version 2 keep it.
    "modern-v1-serif-with-hebrew": Look(
        style("modern", "serif", "svg", layout_version=1), TEXT_FONTS["sans"]
    ),
    "classic-serif": Look(
        style("classic", "serif", "png"), TEXT_FONTS["serif"], frozenset(SCRIPTS) - {"hebrew"}
    ),
    "compact-condensed": Look(style("compact", "condensed", "png"), TEXT_FONTS["condensed"]),
}


@pytest.fixture(scope="module", params=list(LOOKS))
def look(request) -> Look:
    return LOOKS[request.param]


@pytest.fixture(scope="module")
def multiscript_pdf(look: Look) -> bytes:
    payload = payload_with_lines([SCRIPTS[script] for script in sorted(look.scripts)])
    body = payload["invoice"]
    body["seller"]["name"] = "東京テクノロジー株式会社"
    body["buyer"]["name"] = "Ελληνική Εταιρεία Α.Ε."
    body["notes"] = "备注：谢谢\nПримечание: спасибо"
    options, document = build(payload)
    return render_pdf(document, dataclasses.replace(options, style=look.style)).content


def letters(text: str) -> set[str]:
    return {char for char in nfkc(text) if unicodedata.category(char).startswith("L")}


def test_every_script_is_printed(multiscript_pdf, look):
    text = nfkc(pdf_text(multiscript_pdf))
    for script in sorted(look.scripts):
        expected = SCRIPTS[script]
        if script in RIGHT_TO_LEFT:
            # pdftotext returns right-to-left text as presentation forms, in its own order: the letters.
            assert letters(expected) <= letters(text), script
        else:
            # Word by word: a description may wrap, and -layout puts the other columns between its lines.
            for word in nfkc(expected).split():
                assert word in text, script


def test_names_and_notes_in_other_scripts_are_printed(multiscript_pdf):
    text = nfkc(pdf_text(multiscript_pdf))
    for expected in (
        "東京テクノロジー株式会社",
        "Ελληνική Εταιρεία Α.Ε.",
        "备注：谢谢",
        "Примечание: спасибо",
    ):
        assert nfkc(expected) in text


def test_every_font_is_embedded(multiscript_pdf, look):
    fonts = pdf_fonts(multiscript_pdf)
    assert fonts.get(look.text_fonts[0]) is True
    assert fonts.get("WenQuanYiMicroHei-0") is True
    assert fonts.get("NotoNaskhArabic-Regular") is True


def test_each_script_is_drawn_in_a_font_that_has_it(multiscript_pdf, look):
    drawn = fonts_drawing(multiscript_pdf)
    for script in look.scripts:
        text = SCRIPTS[script]
        wanted = set(SCRIPT_FONTS.get(script, look.text_fonts))
        for char in letters(text):
            assert drawn.get(char, set()) & wanted, (script, char, drawn.get(char))


def test_cjk_glyphs_are_drawn_not_dropped():
    options, document = build(payload_with_lines([CJK_SAMPLE]))
    blank_line = dataclasses.replace(
        document.lines[0], line=dataclasses.replace(document.lines[0].line, description="")
    )
    without = dataclasses.replace(document, lines=(blank_line,))
    with_cjk = ink(render_pdf(document, options).content, dpi=100)
    without_cjk = ink(render_pdf(without, options).content, dpi=100)
    # The 14 characters at 8.5 pt and 100 dpi cover about 640 pixels here; a dropped run covers none.
    assert with_cjk - without_cjk > 300


def test_script_runs_cut_text_at_cjk_boundaries():
    assert list(script_runs("Tea 茶 and 차 x2")) == [
        ("Tea ", False),
        ("茶", True),
        (" and ", False),
        ("차", True),
        (" x2", False),
    ]


def test_script_runs_keep_spaces_between_cjk_inside_the_run():
    assert list(script_runs("中文 テスト")) == [("中文 テスト", True)]


def test_script_runs_of_plain_text_are_one_run():
    assert list(script_runs("Ωмир é")) == [("Ωмир é", False)]
    assert list(script_runs("")) == []


def test_font_runs_set_arabic_script_words_in_their_font_with_the_spaces_between():
    # Urdu's heh goal and yeh barree, and a joined form (presentation forms B), are Arabic script too.
    assert list(font_runs("Tax ٹیکس نمبر: 123 ﻻ")) == [
        ("Tax ", ""),
        ("ٹیکس نمبر", "arab"),
        (": 123 ", ""),
        ("ﻻ", "arab"),
    ]
    assert list(font_runs("کے لیے")) == [("کے لیے", "arab")]


def test_script_text_wraps_arabic_script_runs():
    assert script_text("صفحہ 1") == '<span class="arab">صفحہ</span> 1'


def test_script_text_escapes_each_run_before_wrapping_it():
    html = script_text('<b>中</b> & "x" <img src=x>')
    assert isinstance(html, SafeString)
    assert html == ('&lt;b&gt;<span class="cjk">中</span>&lt;/b&gt; &amp; &quot;x&quot; &lt;img src=x&gt;')


def test_script_text_turns_line_breaks_into_br_and_drops_control_characters():
    assert script_text("a\r\nb\x0c\x00c") == "a<br/>bc"
    assert script_text("<i>\nx") == "&lt;i&gt;<br/>x"


def test_script_text_escapes_plain_text():
    assert script_text("<pdf:nextpage/> & x") == "&lt;pdf:nextpage/&gt; &amp; x"


def test_letter_and_a4_both_render_cjk():
    payload = payload_with_lines([CJK_SAMPLE])
    payload["page_size"] = "letter"
    options, document = build(payload)
    assert (options.format, options.page_size) == ("pdf", "letter")
    assert nfkc(CJK_SAMPLE) in nfkc(pdf_text(render_pdf(document, options).content))
