"""Column widths that fit the numbers they hold.

A table cell in xhtml2pdf has a fixed width, and a number wider than its cell is either broken across two
lines or drawn over its neighbour. An invoice may hold amounts up to 10^12 ("1,000,000,000,000.00"), so each
numeric column is made as wide as its widest value, measured in the font it is printed in; the
description takes what is left.

The sizes below mirror the template's stylesheet
(``invoices/templates/invoices/pdf/layouts/_base_v1.html``): change them together.
"""

import math
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

import pyphen

from invoices.renderers.pdf_breaks import break_lines
from invoices.renderers.pdf_fonts import drawn_width

TEXT_SIZE = 8.5  # body font-size, pt
LINE_HEIGHT = 1.35  # body line-height
HEADER_SIZE = 7.0  # .h and .th font-size, pt (bold, upper case)
# Arabic-script labels and headers from layout version 4 on: with no capitals to carry them, Noto Naskh
# Arabic's letters at 7 pt stood about 0.7 as tall as the Latin labels' capitals, thin beside them.
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur"})
ARABIC_LABEL_SCALE = 1.25
HEADER_LETTER_SPACING = 0.4  # .h and .th letter-spacing, pt
GRAND_TOTAL_SIZE = 11.0  # .grand font-size, pt
CELL_PADDING = 8.0  # 4pt left + 4pt right
SLACK = 2.0  # rounding in reportlab's line breaking
PAGE_MARGIN = 16 * 72 / 25.4  # @page margin-left and margin-right: 16mm
PAGE_WIDTHS = {"a4": 595.28, "letter": 612.0}  # pt
TAXES_SHARE = 0.44  # the tax breakdown's share of the frame (its td width)
TOTALS_SHARE = 0.53  # the totals' share of the frame (its td width)
MAX_PERCENT = 22  # no line-table column takes more than this share of the frame
# The sizes a table's numbers step down through, largest first, when its columns do not fit side by side
# at the body size. A number is never wrapped: "1,234.56 / 7" on two lines reads as two numbers.
NUMBER_SIZES = (TEXT_SIZE, 8.0, 7.5, 7.0, 6.5, 6.0)


def frame_width(page_size: str, margin: float = PAGE_MARGIN) -> float:
    """The width text flows in, in points: the page less its side margins (``margin`` pt each, the
    classic layout's 16mm unless the layout says otherwise)."""
    return PAGE_WIDTHS[page_size] - 2 * margin


def text_width(text: str, *, bold: bool = False, size: float = TEXT_SIZE) -> float:
    """The width of ``text`` as it is drawn: each run in its font, Arabic joined, Devanagari shaped."""
    return drawn_width(text, bold=bold, size=size)


def label_scale(language: str, typeset: bool) -> float:
    """How much larger than a Latin one a label or header is drawn (layout version 4 on, ``typeset``)."""
    return ARABIC_LABEL_SCALE if typeset and language in ARABIC_SCRIPT_LANGUAGES else 1.0


def header_width(label: str, size: float = HEADER_SIZE) -> float:
    """The width of the longest word of a column header: a header may wrap between words, never inside one."""
    word = max(label.upper().split(), key=len, default="")
    return text_width(word, bold=True, size=size) + HEADER_LETTER_SPACING * len(word)


def fit_percent(
    texts: Iterable[str],
    container: float,
    minimum: int,
    maximum: int = MAX_PERCENT,
    *,
    header: str = "",
    bold: bool = False,
    size: float = TEXT_SIZE,
) -> int:
    """The share of ``container`` (pt) a column needs to show its widest text, and the longest word of its
    ``header``, on one line; in whole percent, kept between ``minimum`` and ``maximum``.

    Only the longest text is measured: the numbers here are digits, which are all one width in DejaVu Sans,
    so the longest is the widest (the slack covers the narrower separators).
    """
    longest = max(texts, key=len, default="")
    needed = max(text_width(longest, bold=bold, size=size), header_width(header)) + CELL_PADDING + SLACK
    return max(minimum, min(maximum, math.ceil(100 * needed / container)))


def number_width(texts: Iterable[str], *, size: float = TEXT_SIZE, bold: bool = False) -> float:
    """The width in pt a column needs to show its widest text on one line, its padding included (see
    fit_percent on why the longest text is the widest)."""
    longest = max(texts, key=len, default="")
    return text_width(longest, bold=bold, size=size) + CELL_PADDING + SLACK


def header_need(label: str, size: float = HEADER_SIZE) -> float:
    """The width in pt a column needs for its header's longest word on one line, padding included."""
    return header_width(label, size) + CELL_PADDING + SLACK


@cache
def _hyphenator(language: str) -> pyphen.Pyphen | None:
    # At least three letters on each side of a break: "BEMESSUNGS-GRUNDLAGE", never "...GRUNDLA-GE".
    return pyphen.Pyphen(lang=language, left=3, right=3) if language in pyphen.LANGUAGES else None


def hyphenated(word: str, width: float, language: str, measure: Callable[[str], float]) -> list[str]:
    """``word`` in pieces no wider than ``width`` (as ``measure`` measures them), each but the last ending
    in a hyphen, broken where the language's hyphenation dictionary allows; where it allows nowhere that
    fits, after the most letters that do."""
    pieces: list[str] = []
    while measure(word) > width and len(word) > 1:
        head, tail = _break(word, width, language, measure)
        pieces.append(head)
        word = tail
    return [*pieces, word]


def _break(word: str, width: float, language: str, measure: Callable[[str], float]) -> tuple[str, str]:
    """(head with its hyphen, tail) for the longest head that fits: at the dictionary's breaks first, then
    anywhere. A break after a hyphen the word already has ("ART.-NR.") adds none."""
    hyphenator = _hyphenator(language)
    cuts = [len(head) for head, _tail in hyphenator.iterate(word)] if hyphenator else []  # longest first
    cuts += range(len(word) - 1, 0, -1)
    fitting = (cut for cut in cuts if measure(_hyphen(word[:cut])) <= width)
    cut = next(fitting, 1)
    return _hyphen(word[:cut]), word[cut:]


def _hyphen(head: str) -> str:
    return head if head.endswith("-") else f"{head}-"


def upper_for(text: str, language: str) -> str:
    """``text`` in capitals as ``language`` writes them. ``str.upper`` follows no language: Turkish (and
    Azerbaijani) dots its capital i ("SİPARİŞ", which ``upper`` printed "SIPARIŞ") and leaves the dotless
    i (U+0131) undotted, and Greek drops its accents in capitals ("ΤΙΜΟΛΟΓΙΟ", not "ΤΙΜΟΛΌΓΙΟ"; the diaeresis
    stays). Layout version 3 on; the versions before print ``upper``'s (``Layout.corrected``)."""
    if language in ("tr", "az"):
        return text.replace("i", "\u0130").replace("\u0131", "I").upper()
    if language == "el":
        # U+0301 is the tonos (and oxia) once decomposed, U+0342 the perispomeni of polytonic Greek.
        bare = unicodedata.normalize("NFD", text.upper()).replace("\u0301", "").replace("\u0342", "")
        return unicodedata.normalize("NFC", bare)
    return text.upper()


def header_lines(
    label: str,
    width: float,
    language: str,
    *,
    corrected: bool = False,
    typeset: bool = False,
    size: float = HEADER_SIZE,
) -> list[str]:
    """A column header, upper case, in the lines it is printed in ``width`` pt wide: wrapped between words,
    and a word longer than the width hyphenated. Measured without the letter spacing, as xhtml2pdf measures
    it: the spacing is taken from the cell's padding. ``corrected`` (layout version 3 on): in the language's
    own capitals (``upper_for``). ``typeset`` (version 4 on): broken as every text of that version is
    (``pdf_breaks``): a Japanese header between its characters by the kinsoku rules, where ``hyphenated``
    cut it anywhere and added a hyphen."""

    def measure(text: str) -> float:
        # Arabic as it is drawn, joined (text_width joins it): its isolated letters are wider, and measured so
        # "النسبة" was cut.
        return text_width(text, bold=True, size=size)

    lines: list[str] = []
    capitals = upper_for(label, language) if corrected else label.upper()
    if typeset:
        return break_lines(capitals, width, measure, language)
    for word in capitals.split():
        for piece in hyphenated(word, width, language, measure):
            if lines and not lines[-1].endswith("-") and measure(f"{lines[-1]} {piece}") <= width:
                lines[-1] = f"{lines[-1]} {piece}"
            else:
                lines.append(piece)
    return lines
