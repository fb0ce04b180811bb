"""Column widths that fit the numbers they hold.

A table cell in xhtml2pdf has a fixed width, and a number wider than its cell is either broken across two
lines or drawn over its neighbour. An invoice may hold amounts up to 10^12 ("1,000,000,000,000.00"), so each
numeric column is made as wide as its widest value, measured in the font it is printed in; the
description takes what is left.

The sizes below mirror the template's stylesheet (``invoices/templates/invoices/pdf/invoice.html``):
change them together.
"""

import math
from collections.abc import Iterable

from reportlab.pdfbase.pdfmetrics import stringWidth

from invoices.renderers.pdf_fonts import TEXT_BOLD, TEXT_FAMILY, register_fonts

TEXT_SIZE = 8.5  # body font-size, pt
LINE_HEIGHT = 1.35  # body line-height
HEADER_SIZE = 7.0  # .h and .th font-size, pt (bold, upper case)
HEADER_LETTER_SPACING = 0.4  # .h and .th letter-spacing, pt
GRAND_TOTAL_SIZE = 11.0  # .grand font-size, pt
CELL_PADDING = 8.0  # 4pt left + 4pt right
SLACK = 2.0  # rounding in reportlab's line breaking
PAGE_MARGIN = 16 * 72 / 25.4  # @page margin-left and margin-right: 16mm
PAGE_WIDTHS = {"a4": 595.28, "letter": 612.0}  # pt
TAXES_SHARE = 0.44  # the tax breakdown's share of the frame (its td width)
TOTALS_SHARE = 0.53  # the totals' share of the frame (its td width)
MAX_PERCENT = 22  # no line-table column takes more than this share of the frame


def frame_width(page_size: str) -> float:
    """The width text flows in, in points: the page less its side margins."""
    return PAGE_WIDTHS[page_size] - 2 * PAGE_MARGIN


def text_width(text: str, *, bold: bool = False, size: float = TEXT_SIZE) -> float:
    register_fonts()
    return float(stringWidth(text, TEXT_BOLD if bold else TEXT_FAMILY, size))


def header_width(label: str) -> float:
    """The width of the longest word of a column header: a header may wrap between words, never inside one."""
    word = max(label.upper().split(), key=len, default="")
    return text_width(word, bold=True, size=HEADER_SIZE) + HEADER_LETTER_SPACING * len(word)


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
