"""The fonts the PDF invoice is set in, registered once per process.

reportlab's built-in fonts draw little beyond Latin-1, so every piece of text is set in fonts shipped with the
app (``invoices/static/invoices/fonts``, licences beside them): DejaVu Sans for Latin, Greek, Cyrillic, Arabic
and Hebrew, WenQuanYi Micro Hei for Chinese, Japanese and Korean.

The fonts are registered with reportlab directly rather than through ``@font-face``: xhtml2pdf would re-read
and re-hash every font file on every render (the 5 MB CJK collection most; docs/performance.md), and this way
no stylesheet ever needs to name a file, so the renderer's resource policy can refuse every file read.
"""

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import tables as reportlab_tables
from xhtml2pdf import default as xhtml2pdf_default
from xhtml2pdf.bidi import get_display, needs_bidi

from invoices.templatetags.invoice_text import has_cjk, printable

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "invoices" / "fonts"

# The family names the template's stylesheet uses (font-family: DejaVuSans, WenQuanYiMicroHei).
TEXT_FAMILY = "DejaVuSans"
TEXT_BOLD = "DejaVuSans-Bold"
CJK_FAMILY = "WenQuanYiMicroHei"
# The font every page's canvas starts in (pdf_build's ``base_font``): one of ours, so that no page names a
# font that is not embedded (reportlab's own default is Helvetica), as PDF/A requires of Factur-X files.
BASE_FONT = TEXT_FAMILY

_FILES = {
    TEXT_FAMILY: ("DejaVuSans.ttf", 0),
    TEXT_BOLD: ("DejaVuSans-Bold.ttf", 0),
    # Face 0 of the collection is the proportional "Micro Hei"; face 1 is its monospaced twin.
    CJK_FAMILY: ("wqy-microhei.ttc", 0),
}


@functools.cache
def register_fonts() -> None:
    """Register the invoice fonts with reportlab and make xhtml2pdf resolve their family names.

    Cached: the first call parses the font files, which is slow (mostly the CJK collection;
    docs/performance.md); every later call is free. Safe to call on every render.
    """
    for name, (filename, face) in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename), subfontIndex=face))
    # No italic faces are shipped: nothing on the invoice is italic, and user text is never styled.
    pdfmetrics.registerFontFamily(TEXT_FAMILY, normal=TEXT_FAMILY, bold=TEXT_BOLD)
    pdfmetrics.registerFontFamily(CJK_FAMILY, normal=CJK_FAMILY)
    # xhtml2pdf copies DEFAULT_FONT into each document's font table, so a family named here resolves in
    # every later render without an @font-face rule. This is the hook xhtml2pdf's users have long relied on
    # for pre-registered fonts; the PDF tests (pdffonts) fail loudly should it ever stop working.
    for family in (TEXT_FAMILY, CJK_FAMILY):
        xhtml2pdf_default.DEFAULT_FONT[family.lower()] = family
    # A reportlab table sets its cell style's font before drawing each cell, and that font defaults to
    # Helvetica, a standard font that is never embedded. Every cell of ours (xhtml2pdf's tables and the line
    # table) holds paragraphs that set their own font, so the setting draws nothing; with our font as the
    # default no page names Helvetica, which PDF/A (the Factur-X rendition) requires. A TrueType font writes
    # no font operator until text is drawn, so the content streams lose only the unused Helvetica selection.
    reportlab_tables.CellStyle.fontname = BASE_FONT


@functools.cache
def _drawable_codes() -> tuple[frozenset[int], frozenset[int]]:
    """The code points the text fonts (regular and bold both) and the CJK font have a glyph for."""
    register_fonts()

    def codes(name: str) -> frozenset[int]:
        return frozenset(code for code, glyph in pdfmetrics.getFont(name).face.charToGlyph.items() if glyph)

    return codes(TEXT_FAMILY) & codes(TEXT_BOLD), codes(CJK_FAMILY)


def undrawable(text: str) -> set[str]:
    """The characters of ``text`` that the PDF would draw as a missing glyph: the font the template sets them
    in (the CJK font for CJK runs, DejaVu Sans otherwise) has none. A viewer shows a box for each; PDF/A
    forbids drawing one (ISO 19005-3, 6.2.11.8). Right-to-left text is checked as it is drawn too, in the
    presentation forms xhtml2pdf's bidi step shapes it into."""
    if text.isascii():
        return set()  # DejaVu Sans has every printable ASCII character; the template drops the controls
    text = printable(text)
    text_codes, cjk_codes = _drawable_codes()
    shown = set(text) - _LAYOUT
    if needs_bidi(text):
        shown |= set(get_display(text))
    if not has_cjk(text):  # the common case: one regular expression search, then set lookups
        return {char for char in shown if ord(char) not in text_codes}
    return {char for char in shown if ord(char) not in (cjk_codes if has_cjk(char) else text_codes)}


# Line breaks and tabs: laid out, never drawn.
_LAYOUT = frozenset("\n\r\t")
