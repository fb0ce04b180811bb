"""The fonts the PDF invoice is set in, each registered once per process, when a render first needs it.

reportlab's built-in fonts draw little beyond Latin-1, so every piece of text is set in fonts shipped with the
app (``invoices/static/invoices/fonts``, licences beside them): DejaVu Sans for Latin, Greek, Cyrillic and
Hebrew, WenQuanYi Micro Hei for Chinese, Japanese and Korean, Noto Sans Devanagari for Hindi, and Noto Naskh
Arabic for the Arabic script (Arabic, Persian, Urdu: DejaVu Sans lacks Urdu's heh goal U+06C1 and yeh barree
U+06D2, and their joined forms).

Devanagari must be shaped to be read: its vowel sign i is drawn before the consonant it follows in the text,
and a consonant cluster is a ligature the font has no character for. reportlab shapes with HarfBuzz
(uharfbuzz) the fonts registered shapable, which here are the Devanagari faces alone (``SHAPED_FONTS``): the
others draw as they always have. ``_shape_paragraph_words`` makes the paragraphs of xhtml2pdf and reportlab
shape those runs, whatever font the rest is in.

Arabic is joined by xhtml2pdf before it is drawn: arabic_reshaper writes each letter's joined form, a
character of the presentation forms blocks, and Noto Naskh Arabic has a glyph for every one it writes, so
HarfBuzz need not shape it. ``arabic_text`` joins it the same way where we draw or measure it ourselves.

The fonts are registered with reportlab directly rather than through ``@font-face``: xhtml2pdf would re-read
and re-hash every font file on every render (the 5 MB CJK collection most; docs/performance.md), and this way
no stylesheet ever needs to name a file, so the renderer's resource policy can refuse every file read.
"""

import contextlib
import contextvars
import functools
import itertools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord, shapeStr
from reportlab.platypus import paragraph as reportlab_paragraph
from reportlab.platypus import tables as reportlab_tables
from xhtml2pdf import default as xhtml2pdf_default
from xhtml2pdf import reportlab_paragraph as xhtml2pdf_paragraph
from xhtml2pdf.bidi import CONTROL_CHARS, get_display, needs_bidi
from xhtml2pdf.util import shape_frag_text

from invoices.templatetags.invoice_text import font_runs, needs_own_font, printable

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "invoices" / "fonts"

# The family names the template's stylesheet uses (font-family: DejaVuSans, WenQuanYiMicroHei).
TEXT_FAMILY = "DejaVuSans"
TEXT_BOLD = "DejaVuSans-Bold"
CJK_FAMILY = "WenQuanYiMicroHei"
DEVANAGARI_FAMILY = "NotoSansDevanagari"
DEVANAGARI_BOLD = "NotoSansDevanagari-Bold"
ARABIC_FAMILY = "NotoNaskhArabic"
ARABIC_BOLD = "NotoNaskhArabic-Bold"
# The text families a brand may choose (BrandStyle.font), each a regular and a bold face of ours.
SERIF_FAMILY = "DejaVuSerif"
SERIF_BOLD = "DejaVuSerif-Bold"
CONDENSED_FAMILY = "DejaVuSansCondensed"
CONDENSED_BOLD = "DejaVuSansCondensed-Bold"
TEXT_FAMILIES = {
    "sans": (TEXT_FAMILY, TEXT_BOLD),
    "serif": (SERIF_FAMILY, SERIF_BOLD),
    "condensed": (CONDENSED_FAMILY, CONDENSED_BOLD),
}
# The font every page's canvas starts in (pdf_build's ``base_font``): one of ours, so that no page names a
# font that is not embedded (reportlab's own default is Helvetica), as PDF/A requires of Factur-X files.
BASE_FONT = TEXT_FAMILY

_FILES = {
    TEXT_FAMILY: ("DejaVuSans.ttf", 0),
    TEXT_BOLD: ("DejaVuSans-Bold.ttf", 0),
    SERIF_FAMILY: ("DejaVuSerif.ttf", 0),
    SERIF_BOLD: ("DejaVuSerif-Bold.ttf", 0),
    CONDENSED_FAMILY: ("DejaVuSansCondensed.ttf", 0),
    CONDENSED_BOLD: ("DejaVuSansCondensed-Bold.ttf", 0),
    # Face 0 of the collection is the proportional "Micro Hei"; face 1 is its monospaced twin.
    CJK_FAMILY: ("wqy-microhei.ttc", 0),
    DEVANAGARI_FAMILY: ("NotoSansDevanagari-Regular.ttf", 0),
    DEVANAGARI_BOLD: ("NotoSansDevanagari-Bold.ttf", 0),
    ARABIC_FAMILY: ("NotoNaskhArabic-Regular.ttf", 0),
    ARABIC_BOLD: ("NotoNaskhArabic-Bold.ttf", 0),
}
# The fonts HarfBuzz shapes; every other font is registered unshapable and drawn character by character.
SHAPED_FONTS = frozenset({DEVANAGARI_FAMILY, DEVANAGARI_BOLD})
ARABIC_FONTS = frozenset({ARABIC_FAMILY, ARABIC_BOLD})
# Characters no glyph is drawn for, which Noto Naskh Arabic maps to visible marks (the zero-width non-joiner
# and joiner, the directional marks) for a shaper to hide; reportlab draws every glyph it is given.
_INVISIBLE = (0x200C, 0x200D, 0x200E, 0x200F)
# The font each class of font_runs (invoice_text) is set in, regular and bold; "" is the text font of DejaVu
# Sans, the service's own look (``run_fonts`` gives the text font of the render's family).
RUN_FONTS = {
    "": (TEXT_FAMILY, TEXT_BOLD),
    "cjk": (CJK_FAMILY, CJK_FAMILY),  # no bold face: the CJK font's regular, as xhtml2pdf falls back to
    "deva": (DEVANAGARI_FAMILY, DEVANAGARI_BOLD),
    "arab": (ARABIC_FAMILY, ARABIC_BOLD),
}


# The faces every page draws with, whatever its text: registered with the rest of the set-up. Every other face
# is registered the first time anything asks reportlab for it (``_find_font``): the CJK collection alone holds
# 22 MiB of a process once parsed, the brands' serif and condensed families 14 MiB, and a worker that never
# draws Chinese or a brand's family never needs them (docs/performance.md, Memory).
EAGER_FONTS = (TEXT_FAMILY, TEXT_BOLD)
_registering = threading.RLock()  # reentrant: the Arabic faces take the text face's metrics
_registered: dict[str, TTFont] = {}


@functools.cache
def register_fonts() -> None:
    """Register the invoice fonts with reportlab and make xhtml2pdf resolve their family names.

    Cached: the first call parses DejaVu Sans, regular and bold, and makes reportlab register each other
    face of ours when it is first asked for it (parsing a face is slow, the CJK collection most;
    docs/performance.md); every later call is free. Safe to call on every render.
    """
    for name in EAGER_FONTS:
        _font(name)
    if pdfmetrics.findFontAndRegister is not _find_font:
        _find_font.reportlab = pdfmetrics.findFontAndRegister  # type: ignore[attr-defined]
        pdfmetrics.findFontAndRegister = _find_font
    # No italic faces are shipped: nothing on the invoice is italic, and user text is never styled.
    for regular, bold in TEXT_FAMILIES.values():
        pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold)
    pdfmetrics.registerFontFamily(CJK_FAMILY, normal=CJK_FAMILY)
    pdfmetrics.registerFontFamily(DEVANAGARI_FAMILY, normal=DEVANAGARI_FAMILY, bold=DEVANAGARI_BOLD)
    pdfmetrics.registerFontFamily(ARABIC_FAMILY, normal=ARABIC_FAMILY, bold=ARABIC_BOLD)
    # xhtml2pdf copies DEFAULT_FONT into each document's font table, so a family named here resolves in
    # every later render without an @font-face rule. This is the hook xhtml2pdf's users have long relied on
    # for pre-registered fonts; the PDF tests (pdffonts) fail loudly should it ever stop working.
    for family in (TEXT_FAMILY, SERIF_FAMILY, CONDENSED_FAMILY, CJK_FAMILY, DEVANAGARI_FAMILY, ARABIC_FAMILY):
        xhtml2pdf_default.DEFAULT_FONT[family.lower()] = family
    # A reportlab table sets its cell style's font before drawing each cell, and that font defaults to
    # Helvetica, a standard font that is never embedded. Every cell of ours (xhtml2pdf's tables and the line
    # table) holds paragraphs that set their own font, so the setting draws nothing; with our font as the
    # default no page names Helvetica, which PDF/A (the Factur-X rendition) requires. A TrueType font writes
    # no font operator until text is drawn, so the content streams lose only the unused Helvetica selection.
    reportlab_tables.CellStyle.fontname = BASE_FONT
    _shape_paragraph_words()


def _find_font(name: Any) -> Any:
    """reportlab's ``getFont`` calls this for a name it has not registered: a face of ours is registered
    then, any other name goes to reportlab's own search (its standard fonts)."""
    if str(name) in _FILES:
        return _font(str(name))
    return _find_font.reportlab(name)  # type: ignore[attr-defined]


def _font(name: str) -> TTFont:
    """The face ``name`` of _FILES, parsed and registered once per process (under a lock, so that two
    threads asking for it at once register it once)."""
    with _registering:
        if name in _registered:
            return _registered[name]
        filename, face = _FILES[name]
        font = TTFont(name, str(FONT_DIR / filename), subfontIndex=face, shapable=name in SHAPED_FONTS)
        if name in ARABIC_FONTS:
            _fit_arabic_face(font.face, _font(TEXT_FAMILY).face)
        pdfmetrics.registerFont(font)
        _registered[name] = font
        return font


# The text family of the render in progress (a brand's choice), as (regular, bold): what the line table and
# every measurement set Latin, Greek, Cyrillic and Hebrew text in. A context variable rather than a parameter
# threaded through every measuring function: one render runs at a time per thread, and a render that sets no
# family measures in DejaVu Sans, as before brands.
_text_fonts: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar(
    "invoice_text_fonts", default=TEXT_FAMILIES["sans"]
)


@contextlib.contextmanager
def text_family(fonts: tuple[str, str]) -> Iterator[None]:
    """Measure and set the text in ``fonts`` (a value of TEXT_FAMILIES) inside the block."""
    token = _text_fonts.set(fonts)
    try:
        yield
    finally:
        _text_fonts.reset(token)


def text_fonts() -> tuple[str, str]:
    """The (regular, bold) text font of the render in progress: DejaVu Sans unless a brand chose another."""
    return _text_fonts.get()


def run_fonts(kind: str) -> tuple[str, str]:
    """The (regular, bold) font a run of class ``kind`` (font_runs) is set in: the render's text family for
    "" and the script's own font for the others."""
    return text_fonts() if kind == "" else RUN_FONTS[kind]


def family_draws(texts: Iterator[str] | list[str], fonts: tuple[str, str]) -> bool:
    """Whether ``fonts`` has a glyph for every character of ``texts`` that DejaVu Sans would draw (the
    CJK, Devanagari and Arabic runs keep their own fonts). DejaVu Serif lacks Hebrew and some Cyrillic
    letters that DejaVu Sans has: an invoice holding them is set in DejaVu Sans, never with boxes."""
    if fonts == TEXT_FAMILIES["sans"]:
        return True
    codes = _family_codes(fonts)
    sans = _drawable("")
    for text in texts:
        if text.isascii():
            continue  # every family has every printable ASCII character
        for run, kind in font_runs(printable(text)):
            if kind == "" and any(ord(char) in sans and ord(char) not in codes for char in run):
                return False
    return True


@functools.cache
def _family_codes(fonts: tuple[str, str]) -> frozenset[int]:
    register_fonts()
    regular, bold = (pdfmetrics.getFont(name).face.charToGlyph for name in fonts)
    return frozenset(code for code, glyph in regular.items() if glyph and bold.get(code))


def _fit_arabic_face(face: Any, text_face: Any) -> None:
    """Make Noto Naskh Arabic's ``face`` draw and lay out as the invoice needs, in memory (the file is
    unchanged):

    - The text font's ascent and descent (``text_face``). Its own, 1.069 em above the baseline and 0.634
      below (room for its tall letters and deep tails), put a line of Arabic lower than a line of Latin
      beside it: xhtml2pdf sets a paragraph's first baseline the font's ascent below its top, so an Arabic
      label sat 2.6 pt below its amount in the next cell, and each line of it grew by the descent. With
      DejaVu Sans's, Arabic sits and spaces as it did when DejaVu Sans drew it, its letters reaching into
      the line spacing (line-height 1.35) as CSS lets glyphs overflow a line box.
    - The zero-width joiners and marks drawn as nothing: the font's glyphs for them are visible marks,
      meant for a shaper to hide, and the Persian title (its word for invoice holds a non-joiner) showed a
      bar. They take the empty glyph of U+FEFF (zero width no-break space), as reportlab gives the no-break
      space the space's glyph.
    """
    face.ascent, face.descent = text_face.ascent, text_face.descent
    blank = face.charToGlyph[0xFEFF]
    for code in _INVISIBLE:
        face.charToGlyph[code] = blank
        face.charWidths[code] = 0


def shaped_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` in ``font`` as it is drawn: shaped by HarfBuzz in a font of SHAPED_FONTS (a
    Devanagari cluster is narrower than its letters side by side)."""
    shaped = shapeStr(text, font, size) if font in SHAPED_FONTS and text else text
    if isinstance(shaped, ShapedStr):  # a plain str when HarfBuzz changed nothing
        return sum(data.x_advance for data in shaped.__shapeData__) * size / 1000
    return float(pdfmetrics.stringWidth(text, font, size))


def arabic_text(text: str, bold: bool = False) -> str:
    """``text`` with the letters of each Arabic-script run joined into the forms Noto Naskh Arabic draws
    them in, as xhtml2pdf joins the text of a span set in it; the rest left as it is."""
    if not needs_own_font(text):
        return text
    font = RUN_FONTS["arab"][bold]
    runs = font_runs(text)
    return "".join((shape_frag_text(run, font) or run) if kind == "arab" else run for run, kind in runs)


def drawn_width(text: str, *, bold: bool = False, size: float) -> float:
    """The width of ``text`` as the PDF draws it: each run in its font (regular or ``bold``; the render's
    text family for the text font), Arabic joined and Devanagari shaped."""
    register_fonts()
    if not needs_own_font(text):
        return float(pdfmetrics.stringWidth(text, text_fonts()[bold], size))
    return sum(
        shaped_width(arabic_text(run, bold) if run_font == "arab" else run, run_fonts(run_font)[bold], size)
        for run, run_font in font_runs(text)
    )


def _shape_paragraph_words() -> None:
    """Make xhtml2pdf's paragraphs, and reportlab's, shape the text set in a font of SHAPED_FONTS.

    xhtml2pdf lays its paragraphs out with a copy of reportlab's paragraph code from before reportlab could
    shape, and reportlab's own shaping (``ParagraphStyle.shaping``) shapes a whole paragraph in the font of
    its style or not at all. Either way a Hindi word came out with its letters in the order they are typed:
    "तिथि" drawn as त, ि, थ, ि (each vowel sign after its consonant instead of before it) and every conjunct
    as its letters and a virama. Both cut a paragraph into "frag words" with a module function
    ``_getFragWords`` before measuring them and breaking lines; here each stretch of a word set in a shaped
    font goes through reportlab's ``shapeFragWord``, which turns it into the glyphs HarfBuzz chose, with
    their widths and offsets, and the word's width is corrected by the difference. reportlab's text object
    draws shaped strings as such, and the rest of the layout takes them for the strings they also are. Text
    in any other font is left as it was: nothing changes for it. tests/i18n/test_glyphs_hindi.py holds this
    hook to both libraries' internals."""
    for module in (xhtml2pdf_paragraph, reportlab_paragraph):
        original = module._getFragWords
        if not getattr(original, "shapes_words", False):
            module._getFragWords = _shaping(original)


def _shaping(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def frag_words(*args: Any, **kwargs: Any) -> list[Any]:
        return [_shaped_word(word) if _has_shaped_text(word) else word for word in original(*args, **kwargs)]

    frag_words.shapes_words = True  # type: ignore[attr-defined]
    return frag_words


def _in_shaped_font(piece: tuple[Any, Any]) -> bool:
    """Whether a piece of a frag word is text in a shaped font, not shaped yet (a paragraph laid out again,
    split across two pages, meets its own shaped words)."""
    frag, text = piece
    return (
        not hasattr(frag, "cbDefn")
        and getattr(frag, "fontName", None) in SHAPED_FONTS
        and not isinstance(text, ShapedStr)
    )


def _has_shaped_text(word: list[Any]) -> bool:
    """Whether a frag word ([width, (frag, text), ...]) has text in a font HarfBuzz shapes."""
    return any(_in_shaped_font(piece) for piece in word[1:])


def _shaped_word(word: list[Any]) -> list[Any]:
    """The frag word with each stretch in a shaped font shaped: "तिथि," is a shaped "तिथि", a plain ","."""
    width = word[0]
    pieces: list[Any] = []
    for shaped, group in itertools.groupby(word[1:], key=_in_shaped_font):
        stretch = list(group)
        if not shaped:
            pieces += stretch
            continue
        # xhtml2pdf keeps a word's text as UTF-8 bytes; HarfBuzz takes str.
        stretch = [(frag, text.decode() if isinstance(text, bytes) else text) for frag, text in stretch]
        plain = sum(pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize) for frag, text in stretch)
        result = shapeFragWord([plain, *stretch])
        pieces += result[1:]
        width += result[0] - plain
    # The word's own class, which says more than its content: reportlab's _HSFrag is a word a space follows.
    return word.__class__([width, *pieces])


@functools.cache
def _drawable(kind: str) -> frozenset[int]:
    """The code points the fonts of a class of font run (regular and bold both) have a glyph for; a class's
    fonts are registered the first time it is asked for, as a render would register them."""
    register_fonts()

    def codes(name: str) -> frozenset[int]:
        return frozenset(code for code, glyph in pdfmetrics.getFont(name).face.charToGlyph.items() if glyph)

    regular, bold = RUN_FONTS[kind]
    return codes(regular) & codes(bold)


def undrawable(text: str) -> set[str]:
    """The characters of ``text`` that the PDF would draw as a missing glyph: the font the template sets them
    in (the CJK font for CJK runs, Noto Sans Devanagari for Devanagari runs, Noto Naskh Arabic for
    Arabic-script runs, DejaVu Sans otherwise) has none. A viewer shows a box for each; PDF/A forbids drawing
    one (ISO 19005-3, 6.2.11.8). Arabic is checked as it is drawn too, in the joined presentation forms
    xhtml2pdf writes for it, and right-to-left text in the order the bidi step draws it (mirrored brackets).
    The bidi controls are never drawn (the bidi step drops them)."""
    if text.isascii():
        return set()  # DejaVu Sans has every printable ASCII character; the template drops the controls
    text = printable(text)
    if not needs_own_font(text):  # the common case: one regular expression search, then set lookups
        return _missing(text, _drawable(""))
    return {char for run, font in font_runs(text) for char in _missing(run, _drawable(font), font == "arab")}


def _missing(text: str, codes: frozenset[int], joined: bool = False) -> set[str]:
    shown = set(text) - _LAYOUT
    if joined:  # the letters joined as xhtml2pdf joins them in the Arabic font, regular and bold
        shown |= set(arabic_text(text)) | set(arabic_text(text, bold=True))
    if needs_bidi(text):
        shown |= set(get_display(text))
    return {char for char in shown if ord(char) not in codes}


# Line breaks and tabs: laid out, never drawn; the bidi controls steer the bidi step and are dropped by it.
_LAYOUT = frozenset("\n\r\t") | CONTROL_CHARS
