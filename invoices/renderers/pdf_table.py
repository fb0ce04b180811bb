"""The invoice's line table as one reportlab ``Table``, placed into xhtml2pdf's story by ``pdf.py``.

The line table is most of a long invoice, and xhtml2pdf lays out every cell as a paragraph in a frame of its
own, each parsed and laid out on its own. Built here directly, a cell is a plain string drawn by the table
itself, and only text that needs more (wrapping, a line break, CJK, right-to-left) becomes a reportlab
``Paragraph``: a row costs a small fraction of what it did (the figures: docs/performance.md). The rest of the
invoice stays in the HTML template.

Security: a ``Paragraph`` parses markup, so every piece of user text put in one is escaped with
``xml.sax.saxutils.escape`` first, and the only markup added is our own ``<font face>`` (a constant) and
``<br/>``. User text never reaches a colour, a style or an attribute. Plain strings are drawn as they are,
never parsed.

The look mirrors the rest of the invoice's stylesheet (``invoices/templates/invoices/pdf/invoice.html``):
change them together.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# escape() only writes text safely into reportlab markup; nothing here parses XML.
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from xhtml2pdf.bidi import get_display, needs_bidi
from xhtml2pdf.config.resources import check_deadline
from xhtml2pdf.util import shape_frag_text

from invoices.i18n.labels import Labels
from invoices.renderers.pdf_context import LineColumns, LineRow, discount_header
from invoices.renderers.pdf_fonts import CJK_FAMILY, TEXT_BOLD, TEXT_FAMILY, register_fonts
from invoices.renderers.pdf_layout import (
    HEADER_LETTER_SPACING,
    HEADER_SIZE,
    LINE_HEIGHT,
    TEXT_SIZE,
    header_lines,
)
from invoices.templatetags.invoice_text import has_cjk, printable, script_runs

TEXT_COLOR = HexColor("#1f2933")  # body color
MUTED_COLOR = HexColor("#616e7c")  # .muted
HEADER_COLOR = HexColor("#52606d")  # header cells
HEADER_RULE = (1.0, HexColor("#1f4e79"))  # under the header row
ROW_RULE = (0.5, HexColor("#d9e2ec"))  # under every line
CELL_PADDING = (5.0, 4.0, 4.0, 4.0)  # top, right, bottom, left
HEADER_PADDING = (0.0, 4.0, 4.0, 4.0)
TEXT_LEADING = TEXT_SIZE * LINE_HEIGHT
HEADER_LEADING = HEADER_SIZE * LINE_HEIGHT
NOTE_SIZE = 7.0  # the line's allowances and charges under its description, pt
MIN_CUT = CELL_PADDING[0] + 3 * TEXT_LEADING  # pt: the least of a row left on a page when one is cut


@dataclass(frozen=True)
class _Column:
    header: str
    width: float  # pt
    right: bool = False  # numbers are right-aligned
    muted: bool = False


class HeaderLabel(Flowable):
    """A column header: bold, upper case and letter-spaced, wrapped between words when the column is narrow,
    and a word longer than the column hyphenated by the invoice language's rules.

    A Paragraph has no letter spacing; the canvas has. The labels are ours, never user text.
    """

    def __init__(self, text: str, *, right: bool, language: str = "en") -> None:
        super().__init__()
        self.text = text
        self.right = right
        self.language = language
        self.lines: list[str] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        register_fonts()
        self.lines, self.width = header_lines(self.text, availWidth, self.language), availWidth
        self.height = HEADER_LEADING * len(self.lines)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(TEXT_BOLD, HEADER_SIZE)
        canvas.setFillColor(HEADER_COLOR)
        y = self.height - HEADER_SIZE
        for line in self.lines:
            if self.right:
                # drawRightString counts the spacing after the last letter too; CSS does not.
                right = self.width + HEADER_LETTER_SPACING
                canvas.drawRightString(right, y, line, charSpace=HEADER_LETTER_SPACING)
            else:
                canvas.drawString(0, y, line, charSpace=HEADER_LETTER_SPACING)
            y -= HEADER_LEADING


class LineTable(Table):
    """A table whose rows are kept whole, breaking between them, with two exceptions where a row is cut, at
    least ``MIN_CUT`` of it on each page:

    - the table's first row, where the table starts: moving it on left page 1 with the header and the
      parties over an empty page, the table starting on page 2;
    - a row that could never fit whole under the header, on this page or any other (a description of
      hundreds of short lines): moving it on first left the rest of this page empty.

    reportlab's own ``splitInRow`` would cut any row that meets the bottom of a page. The height of a fresh
    page is the frame's (reportlab sets ``_frame`` while it splits a flowable). A row that even a fresh page
    could not hold under the header is cut there whatever is left (reportlab marks it ``_postponed``).
    """

    splitInRow: float  # pt; 0 never cuts a row
    # True on the table line_table builds only, not on the parts reportlab splits it into: a part after the
    # first may be offered the rest of the page its predecessor ended on, and moves on whole like any row.
    starts_table = False

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if getattr(self, "_postponed", False):
            return self._cut(availWidth, availHeight, (MIN_CUT, 1.0))
        if self._cut_here(availWidth, availHeight):
            parts = self._cut(availWidth, availHeight, (MIN_CUT,))
            if parts:
                return parts
        self.splitInRow = 0
        return list(super().split(availWidth, availHeight))

    def _cut_here(self, availWidth: float, availHeight: float) -> bool:
        """Whether the first row that does not fit in ``availHeight`` is the table's first row, or would not
        fit a fresh page either."""
        self._calc(availWidth, availHeight)  # the row heights, as reportlab's own split computes them
        heights = self._rowHeights
        frame = getattr(self, "_frame", None)
        fresh_page = frame._aH if frame is not None else float("inf")
        used = 0.0
        for index, height in enumerate(heights):
            used += height
            if used > availHeight:
                return (index == 1 and self.starts_table) or heights[0] + height > fresh_page
        return False

    def _cut(self, availWidth: float, availHeight: float, minimums: tuple[float, ...]) -> list[Flowable]:
        # reportlab refuses a cut that leaves less than splitInRow for the next page, so a row only a little
        # taller than the page left under the header (a description of about 63 lines) could not be cut at
        # MIN_CUT and failed the whole render with a LayoutError: then any cut is better than none.
        for minimum in minimums:
            self.splitInRow = minimum
            parts = list(super().split(availWidth, availHeight))
            if parts:
                return parts
        return []


@lru_cache(maxsize=16)
def _paragraph_style(right: bool, muted: bool, size: float = TEXT_SIZE) -> ParagraphStyle:
    return ParagraphStyle(
        f"invoice-cell-{int(right)}{int(muted)}-{size}",
        fontName=TEXT_FAMILY,
        fontSize=size,
        leading=TEXT_LEADING,
        textColor=MUTED_COLOR if muted else TEXT_COLOR,
        alignment=TA_RIGHT if right else TA_LEFT,
        splitLongWords=True,  # a URL, or CJK without spaces, is split to fit (overflow-wrap: break-word)
    )


def _visual_lines(line: str, width: float, size: float = TEXT_SIZE) -> list[str]:
    """A line holding right-to-left text, joined (Arabic) and wrapped to ``width``, each piece in the order
    it is drawn: wrapped in reading order first, then each piece reordered, as xhtml2pdf does."""
    shaped = shape_frag_text(line, TEXT_FAMILY) or line
    pieces = simpleSplit(shaped, TEXT_FAMILY, size, width) or [shaped]
    return [get_display(piece) for piece in pieces]


def _markup(lines: Sequence[str]) -> str:
    """Paragraph markup for ``lines``: every run escaped, CJK runs in the CJK font, lines joined by <br/>."""
    return "<br/>".join(
        "".join(
            f'<font face="{CJK_FAMILY}">{escape(run)}</font>' if is_cjk else escape(run)
            for run, is_cjk in script_runs(line)
        )
        for line in lines
    )


def text_cell(value: str, width: float, *, right: bool = False, muted: bool = False) -> str | Paragraph:
    """``value`` as a table cell ``width`` pt wide (padding included): the plain string when it fits on one
    line in the text font, else a Paragraph that wraps it."""
    register_fonts()
    text = printable(value)
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    lines = text.splitlines() or [""]
    if any(needs_bidi(line) for line in lines):
        lines = [piece for line in lines for piece in _visual_lines(line, inner)]
    if len(lines) == 1 and not has_cjk(lines[0]) and stringWidth(lines[0], TEXT_FAMILY, TEXT_SIZE) <= inner:
        return lines[0]
    return Paragraph(_markup(lines), _paragraph_style(right, muted))


def _columns(columns: LineColumns, labels: Labels, frame: float, discount: str) -> list[_Column]:
    before = [_Column(labels.line_number, columns.number, muted=True)]
    if columns.sku:
        before.append(_Column(labels.sku, columns.sku, muted=True))
    after = [
        _Column(labels.quantity, columns.quantity, right=True),
        _Column(labels.unit_price, columns.unit_price, right=True),
    ]
    if columns.discount:
        after.append(_Column(discount, columns.discount, right=True))
    after += [_Column(labels.tax, columns.tax_rate, right=True), _Column(labels.net, columns.net, right=True)]
    return [*before, _Column(labels.description, frame - columns.fixed), *after]


def quantity_cell(quantity: str, unit: str, width: float, size: float) -> str | Paragraph:
    """ "12.5 kWh" on one line when it fits ``width``, else the unit under the quantity, where only the unit
    may wrap: it is text, the quantity is a number."""
    one_line = f"{quantity} {unit}" if unit else quantity
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    if not has_cjk(one_line) and not needs_bidi(one_line) and _fits(one_line, inner, size):
        return one_line
    unit_lines = printable(unit).splitlines() or [""]
    if any(needs_bidi(line) for line in unit_lines):
        unit_lines = [piece for line in unit_lines for piece in _visual_lines(line, inner)]
    return Paragraph(f"{escape(quantity)}<br/>{_markup(unit_lines)}", _paragraph_style(True, False, size))


def price_cell(price: str, base: str, width: float, size: float) -> str | Paragraph:
    """ "12.50 / 100 kg" on one line when it fits ``width``, else the price base under the price; without a
    price base, the price alone."""
    if not base:
        return price
    one_line = f"{price} {base}"
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    if not has_cjk(one_line) and not needs_bidi(one_line) and _fits(one_line, inner, size):
        return one_line
    base_lines = printable(base).splitlines() or [""]
    if any(needs_bidi(line) for line in base_lines):
        base_lines = [piece for line in base_lines for piece in _visual_lines(line, inner)]
    return Paragraph(f"{escape(price)}<br/>{_markup(base_lines)}", _paragraph_style(True, False, size))


def description_cell(
    description: str, notes: Sequence[str], width: float
) -> str | Paragraph | list[Flowable]:
    """The description, and under it in small muted type the line's allowances and charges."""
    cell = text_cell(description, width)
    if not notes:
        return cell
    main = cell if isinstance(cell, Paragraph) else Paragraph(_markup([cell]), _paragraph_style(False, False))
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    lines = [printable(note) for note in notes]
    if any(needs_bidi(line) for line in lines):
        lines = [piece for line in lines for piece in _visual_lines(line, inner, NOTE_SIZE)]
    return [main, Paragraph(_markup(lines), _note_style())]


@lru_cache(maxsize=1)
def _note_style() -> ParagraphStyle:
    return ParagraphStyle(
        "invoice-cell-note",
        fontName=TEXT_FAMILY,
        fontSize=NOTE_SIZE,
        leading=NOTE_SIZE * LINE_HEIGHT,
        textColor=MUTED_COLOR,
        splitLongWords=True,
    )


def _fits(text: str, width: float, size: float) -> bool:
    return bool(stringWidth(text, TEXT_FAMILY, size) <= width)


def _row(
    line: LineRow, columns: LineColumns, description_width: float
) -> list[str | Flowable | list[Flowable]]:
    """One row: the text columns (SKU, description) as cells that wrap, the numbers as plain strings, which
    the table never wraps; their columns were made wide enough for them at ``columns.size``."""
    sku = [text_cell(line.sku, columns.sku, muted=True)] if columns.sku else []
    description = description_cell(line.description, line.notes, description_width)
    quantity = quantity_cell(line.quantity, printable(line.unit), columns.quantity, columns.size)
    price = price_cell(line.unit_price, printable(line.price_base), columns.unit_price, columns.size)
    discount = [line.discount] if columns.discount else []
    return [
        str(line.number),
        *sku,
        description,
        quantity,
        price,
        *discount,
        line.tax_rate,
        line.net,
    ]


def line_table(lines: Sequence[LineRow], columns: LineColumns, labels: Labels, frame: float) -> Table:
    """The line table, ``frame`` pt wide: the header row repeated on every page, a row split only when it
    could not fit on a page of its own."""
    register_fonts()
    cols = _columns(columns, labels, frame, discount_header(list(lines), labels))
    header: list[str | Flowable] = [
        HeaderLabel(column.header, right=column.right, language=labels.language) for column in cols
    ]
    rows: list[list[str | Flowable | list[Flowable]]] = [header]
    for line in lines:
        check_deadline()  # the render's deadline, when built inside one (pdf_build)
        rows.append(_row(line, columns, frame - columns.fixed))
    style = [
        ("FONT", (0, 1), (-1, -1), TEXT_FAMILY, TEXT_SIZE, TEXT_LEADING),
        ("TEXTCOLOR", (0, 1), (-1, -1), TEXT_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 1), (-1, -1), CELL_PADDING[0]),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING[1]),
        ("BOTTOMPADDING", (0, 1), (-1, -1), CELL_PADDING[2]),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING[3]),
        ("TOPPADDING", (0, 0), (-1, 0), HEADER_PADDING[0]),
        ("BOTTOMPADDING", (0, 0), (-1, 0), HEADER_PADDING[2]),
        ("LINEBELOW", (0, 0), (-1, 0), *HEADER_RULE),
        ("LINEBELOW", (0, 1), (-1, -1), *ROW_RULE),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, column in enumerate(cols) if column.right]
    if columns.size != TEXT_SIZE:
        style += [
            ("FONTSIZE", (i, 1), (i, -1), columns.size) for i, column in enumerate(cols) if column.right
        ]
    style += [("TEXTCOLOR", (i, 1), (i, -1), MUTED_COLOR) for i, column in enumerate(cols) if column.muted]
    table = LineTable(
        rows,
        colWidths=[column.width for column in cols],
        repeatRows=1,
        style=TableStyle(style),
        hAlign="LEFT",
    )
    table.starts_table = True
    return table
