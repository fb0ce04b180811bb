"""The invoice's line table as one reportlab ``Table``, placed into xhtml2pdf's story by ``pdf.py``.

The line table is most of a long invoice, and xhtml2pdf lays out every cell as a paragraph in a frame of its
own, each parsed and laid out on its own. Built here directly, a cell is a plain string drawn by the table
itself, and only text that needs more (wrapping, a line break, CJK, right-to-left) becomes a reportlab
``Paragraph``: a row costs a small fraction of what it did (the figures: docs/performance.md). The rest of the
invoice stays in the HTML template. From layout version 4 on (``Layout.typeset``) such text is broken into
its lines here first (``typeset_lines``, ``pdf_breaks``), and the paragraph draws the lines it is given.

Security: a ``Paragraph`` parses markup, so every piece of user text put in one is escaped with
``xml.sax.saxutils.escape`` first, and the only markup added is our own ``<font face>`` (a constant) and
``<br/>``. User text never reaches a colour, a style or an attribute. Plain strings are drawn as they are,
never parsed.

The look mirrors the rest of the invoice's stylesheet
(``invoices/templates/invoices/pdf/layouts/_base_v1.html``): change them together.

Right to left (``labels.rtl``), the table is mirrored as the template's tables are: the columns in the other
order (the line number on the right, the net on the left), text aligned right and numbers left. A reportlab
table draws strings as they are, so every text cell is put in the order it is drawn in here, each line on its
own with a right-to-left base (``xhtml2pdf.bidi``), Arabic joined first; numbers are kept left to right
(``invoice_text.for_right_to_left``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# escape() only writes text safely into reportlab markup; nothing here parses XML.
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.tables import CellStyle
from xhtml2pdf.bidi import get_display, needs_bidi
from xhtml2pdf.config.resources import check_deadline

from invoices.i18n.labels import Labels
from invoices.renderers.pdf_breaks import break_lines
from invoices.renderers.pdf_context import LineColumns, LineRow, discount_header
from invoices.renderers.pdf_fonts import (
    RUN_FONTS,
    SHAPED_FONTS,
    arabic_text,
    drawn_width,
    register_fonts,
    run_fonts,
    shaped_width,
    text_fonts,
)
from invoices.renderers.pdf_layout import (
    HEADER_LETTER_SPACING,
    HEADER_SIZE,
    LINE_HEIGHT,
    TEXT_SIZE,
    header_lines,
    label_scale,
)
from invoices.templatetags.invoice_text import (
    font_runs,
    for_right_to_left,
    ltr_text,
    needs_own_font,
    printable,
)

TEXT_COLOR = HexColor("#1f2933")  # body color
MUTED_COLOR = HexColor("#616e7c")  # .muted
HEADER_COLOR = HexColor("#52606d")  # header cells
HEADER_RULE = (1.0, HexColor("#1f4e79"))  # under the header row
ROW_RULE = (0.5, HexColor("#d9e2ec"))  # under every line
CELL_PADDING = (5.0, 4.0, 4.0, 4.0)  # top, right, bottom, left
HEADER_PADDING = (0.0, 4.0, 4.0, 4.0)
TEXT_LEADING = TEXT_SIZE * LINE_HEIGHT
NOTE_SIZE = 7.0  # the line's allowances and charges under its description, pt
MIN_CUT = CELL_PADDING[0] + 3 * TEXT_LEADING  # pt: the least of a row left on a page when one is cut
TYPESET_SLACK = 0.01  # pt: how much narrower than its paragraph layout version 4 wraps a text, for rounding


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

    def __init__(
        self,
        text: str,
        *,
        right: bool,
        language: str = "en",
        rtl: bool = False,
        corrected: bool = False,
        typeset: bool = False,
        size: float = HEADER_SIZE,
    ) -> None:
        super().__init__()
        self.rtl, self.corrected, self.typeset, self.size = rtl, corrected, typeset, size
        # Arabic is joined before it is measured and wrapped: its joined forms are what is drawn.
        self.text = arabic_text(text, bold=True)
        self.right = right
        self.language = language
        self.lines: list[str] = []
        # Letter spacing would pull joined Arabic letters apart, so a right-to-left header has none, as the
        # template's right-to-left stylesheet has none.
        self.spacing = 0.0 if rtl else HEADER_LETTER_SPACING

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        register_fonts()
        lines = header_lines(
            self.text,
            availWidth,
            self.language,
            corrected=self.corrected,
            typeset=self.typeset,
            size=self.size,
        )
        self.lines, self.width = lines, availWidth
        self.height = self.size * LINE_HEIGHT * len(self.lines)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(HEADER_COLOR)
        y = self.height - self.size
        for line in self.lines:
            runs = _header_runs(get_display(line, "R") if self.rtl else line)
            width = sum(_run_width(run, font, self.size) for run, font in runs)
            width += self.spacing * max(0, len(line) - 1)
            # Right-aligned as drawRightString aligned it, the spacing after the last letter counted too.
            x = self.width + self.spacing - width if self.right else 0.0
            for run, font in runs:
                x = _draw_run(canvas, x, y, run, font, self.spacing, self.size)
            y -= self.size * LINE_HEIGHT


def _header_runs(line: str) -> list[tuple[str, str]]:
    """A header line's runs, each with the bold font it is drawn in (a Hindi or Japanese header has glyphs
    the text font lacks)."""
    return [(run, run_fonts(font)[1]) for run, font in font_runs(line)]


def _run_width(run: str, font: str, size: float) -> float:
    return shaped_width(run, font, size)


def _draw_run(canvas: Canvas, x: float, y: float, run: str, font: str, spacing: float, size: float) -> float:
    """Draw ``run`` at ``x`` and return where the next run starts. Shaped by HarfBuzz where the font needs
    it (Devanagari: its vowel signs move and its clusters become ligatures), spaced otherwise."""
    canvas.setFont(font, size)
    shaping = font in SHAPED_FONTS
    canvas.drawString(x, y, run, charSpace=0 if shaping else spacing, shaping=shaping)
    return x + _run_width(run, font, size) + (0 if shaping else spacing * len(run))


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


class TypesetParagraph(Paragraph):
    """A paragraph of layout version 4, whose lines were broken before it was made (``typeset_lines``),
    laid out once per width: a table asks a cell's paragraph for its lines again for its columns, its rows'
    heights, a cut at a page's end and the drawing, and a paragraph of several lines (a fragment each after
    its <br/>) took twice as long to lay out as one of a single fragment. Laid out again each time, 200
    wrapped descriptions took 2.2 times version 3's CPU (of which three calls in four gave the same lines)."""

    def breakLines(self, width: Any) -> Any:
        key = tuple(width) if isinstance(width, list | tuple) else (width,)
        laid_out = self.__dict__.get("_laid_out")
        if laid_out is None or laid_out[0] != key:
            laid_out = self._laid_out = (key, super().breakLines(width))
        return laid_out[1]


def paragraph(text: str, style: ParagraphStyle, *, typeset: bool) -> Paragraph:
    """A paragraph of ``text`` (markup) in ``style``: a ``TypesetParagraph`` from layout version 4 on."""
    return TypesetParagraph(text, style) if typeset else Paragraph(text, style)


def _paragraph_style(right: bool, muted: bool, size: float = TEXT_SIZE) -> ParagraphStyle:
    return _paragraph_style_in(text_fonts()[0], right, muted, size)


@lru_cache(maxsize=48)
def _paragraph_style_in(font: str, right: bool, muted: bool, size: float) -> ParagraphStyle:
    return ParagraphStyle(
        f"invoice-cell-{font}-{int(right)}{int(muted)}-{size}",
        fontName=font,
        fontSize=size,
        leading=TEXT_LEADING,
        textColor=MUTED_COLOR if muted else TEXT_COLOR,
        alignment=TA_RIGHT if right else TA_LEFT,
        splitLongWords=True,  # a URL, or CJK without spaces, is split to fit (overflow-wrap: break-word)
    )


def visual_lines(
    line: str,
    width: float,
    size: float = TEXT_SIZE,
    *,
    rtl: bool = False,
    bold: bool = False,
    typeset: bool = False,
    language: str = "",
    code: bool = False,
) -> list[str]:
    """A line holding right-to-left text, or any line of a right-to-left invoice, joined (Arabic) and
    wrapped to ``width``, each piece in the order it is drawn: wrapped in reading order first, then each
    piece reordered, as xhtml2pdf does, with the invoice's direction as its base. Measured ``bold`` when
    it is drawn bold (layout version 3 on: measured regular, a bold party name was wrapped again by the
    paragraph, "Société / par Actions ... / et"). ``typeset`` (version 4 on): broken by ``pdf_breaks`` in
    ``language``, a word wider than the line cut there rather than by the paragraph (every word a ``code``
    in the SKU column)."""
    if typeset:
        # Each piece marked for the page's direction after the break: a word cut after its hyphen, marked
        # whole, came out "-Industriestraßen" on a right-to-left page; a code's piece without right-to-left
        # letters is drawn as written ("2026-", not "-2026").
        joined = arabic_text(line)
        pieces = break_lines(joined, width, _measure(size, bold), language, code=code) or [joined]
        if not rtl:
            return [get_display(piece, "L") for piece in pieces]
        return [
            get_display(ltr_text(piece) if code and not needs_bidi(piece) else for_right_to_left(piece), "R")
            for piece in pieces
        ]
    shaped = arabic_text(for_right_to_left(line) if rtl else line)
    pieces = _wrapped(shaped, size, width, bold) or [shaped]
    return [get_display(piece, "R" if rtl else "L") for piece in pieces]


def _wrapped(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` wrapped between words to ``width``, as reportlab's simpleSplit wraps it, but each word
    measured in the font it is drawn in (Arabic in Noto Naskh Arabic, not the text font)."""
    space = drawn_width(" ", bold=bold, size=size)
    lines: list[list[str]] = []
    used = 0.0
    for word in text.split():
        needed = drawn_width(word, bold=bold, size=size)
        if lines and used + space + needed <= width:
            lines[-1].append(word)
            used += space + needed
        else:
            lines.append([word])
            used = needed
    return [" ".join(words) for words in lines]


def _measure(size: float, bold: bool = False) -> Callable[[str], float]:
    def measure(text: str) -> float:
        return drawn_width(text, bold=bold, size=size)

    return measure


def typeset_lines(
    lines: Sequence[str],
    width: float,
    size: float = TEXT_SIZE,
    *,
    rtl: bool,
    language: str,
    bold: bool = False,
    code: bool = False,
) -> list[str]:
    """Layout version 4's ``lines`` (printable text, one per line break) in the lines they are printed in
    within a paragraph ``width`` pt wide: broken by ``pdf_breaks`` a hair inside the width (the paragraph
    measures each run in its font as ``drawn_width`` does, and must find nothing left to wrap; SLACK's 2 pt
    wrapped lines that fit), put in the order they are drawn in where that needs reordering. A blank line
    stays a blank line."""
    room = width - TYPESET_SLACK
    if needs_reordering(lines, rtl):
        return [
            piece
            for line in lines
            for piece in visual_lines(
                line, room, size, rtl=rtl, bold=bold, typeset=True, language=language, code=code
            )
        ]
    measure = _measure(size, bold)
    return [
        piece for line in lines for piece in (break_lines(line, room, measure, language, code=code) or [""])
    ]


def needs_reordering(lines: Sequence[str], rtl: bool) -> bool:
    return rtl or any(needs_bidi(line) for line in lines)


def markup(lines: Sequence[str], *, bold: bool = False) -> str:
    """Paragraph markup for ``lines``: every run escaped, CJK and Devanagari runs in their fonts (regular or
    ``bold``; the text font is the paragraph style's), lines joined by <br/>."""
    return "<br/>".join(
        "".join(
            f'<font face="{RUN_FONTS[font][bold]}">{escape(run)}</font>' if font else escape(run)
            for run, font in font_runs(line)
        )
        for line in lines
    )


def text_cell(
    value: str,
    width: float,
    *,
    right: bool = False,
    muted: bool = False,
    rtl: bool = False,
    typeset: bool = False,
    language: str = "",
    code: bool = False,
) -> str | Paragraph:
    """``value`` as a table cell ``width`` pt wide (padding included): the plain string when it fits on one
    line in the text font, else a Paragraph that wraps it. ``right`` aligns it right; on a right-to-left
    invoice (``rtl``) it is put in the order it is drawn in. ``typeset`` (layout version 4 on): wrapped by
    ``pdf_breaks`` in ``language``, every word a ``code`` in the SKU column."""
    register_fonts()
    text = printable(value)
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    lines = text.splitlines() or [""]
    if typeset:
        if len(lines) == 1 and not needs_own_font(lines[0]):
            single = (
                visual_lines(lines[0], inner, rtl=rtl, typeset=True, language=language, code=code)
                if needs_reordering(lines, rtl)
                else lines
            )
            if len(single) == 1 and stringWidth(single[0], text_fonts()[0], TEXT_SIZE) <= inner:
                return single[0]
        return TypesetParagraph(
            markup(typeset_lines(lines, inner, rtl=rtl, language=language, code=code)),
            _paragraph_style(right, muted),
        )
    if needs_reordering(lines, rtl):
        lines = [piece for line in lines for piece in visual_lines(line, inner, rtl=rtl)]
    if (
        len(lines) == 1
        and not needs_own_font(lines[0])
        and stringWidth(lines[0], text_fonts()[0], TEXT_SIZE) <= inner
    ):
        return lines[0]
    return Paragraph(markup(lines), _paragraph_style(right, muted))


def _columns(columns: LineColumns, labels: Labels, frame: float, discount: str) -> list[_Column]:
    """The columns in reading order: the line number first, the net last."""
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


def quantity_cell(
    quantity: str,
    unit: str,
    width: float,
    size: float,
    *,
    rtl: bool = False,
    corrected: bool = False,
    typeset: bool = False,
    language: str = "",
) -> str | Paragraph:
    """ "12.5 kWh" on one line when it fits ``width``, else the unit under the quantity, where only the unit
    may wrap: it is text, the quantity is a number."""
    return _number_with_text(
        quantity, unit, width, size, rtl=rtl, corrected=corrected, typeset=typeset, language=language
    )


def price_cell(
    price: str,
    base: str,
    width: float,
    size: float,
    *,
    rtl: bool = False,
    corrected: bool = False,
    typeset: bool = False,
    language: str = "",
) -> str | Paragraph:
    """ "12.50 / 100 kg" on one line when it fits ``width``, else the price base under the price; without a
    price base, the price alone."""
    if not base:
        return price
    return _number_with_text(
        price, base, width, size, rtl=rtl, corrected=corrected, typeset=typeset, language=language
    )


def _number_with_text(
    number: str,
    text: str,
    width: float,
    size: float,
    *,
    rtl: bool,
    corrected: bool = False,
    typeset: bool = False,
    language: str = "",
) -> str | Paragraph:
    """A number and the words that go with it ("2 days", "/ 100 kg"): on one line when they fit, else the
    words under the number, where only they may wrap. Right to left, numbers are at the cells' left.
    ``corrected`` (layout version 3 on): words in a script of their own font ("個", "قطعة") too stay on the
    number's line when they fit, as a one-line paragraph (a string cell has the text font only); version 2
    always put them under it. ``typeset`` (version 4 on): the words under the number broken by
    ``pdf_breaks`` in ``language``."""
    one_line = f"{number} {text}" if text else number
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    if corrected and (needs_own_font(one_line) or needs_bidi(one_line)):
        visual = (
            visual_lines(one_line, inner, size, rtl=rtl) if needs_reordering([one_line], rtl) else [one_line]
        )
        if len(visual) == 1 and drawn_width(visual[0], size=size) <= inner:
            return paragraph(markup(visual), _paragraph_style(not rtl, False, size), typeset=typeset)
    if rtl and not needs_own_font(one_line):
        visual = visual_lines(one_line, inner, size, rtl=True)
        if len(visual) == 1 and _fits(visual[0], inner, size):
            return visual[0]
    elif not needs_own_font(one_line) and not needs_bidi(one_line) and _fits(one_line, inner, size):
        return one_line
    lines = printable(text).splitlines() or [""]
    if typeset:
        lines = typeset_lines(lines, inner, size, rtl=rtl, language=language)
    elif needs_reordering(lines, rtl):
        lines = [piece for line in lines for piece in visual_lines(line, inner, rtl=rtl)]
    text_ = f"{escape(number)}<br/>{markup(lines)}"
    return paragraph(text_, _paragraph_style(not rtl, False, size), typeset=typeset)


def description_cell(
    description: str,
    notes: Sequence[str],
    width: float,
    *,
    rtl: bool = False,
    typeset: bool = False,
    language: str = "",
) -> str | Paragraph | list[Flowable]:
    """The description, and under it in small muted type the line's allowances and charges. ``typeset``
    (layout version 4 on): both broken by ``pdf_breaks`` in ``language``."""
    cell = text_cell(description, width, right=rtl, rtl=rtl, typeset=typeset, language=language)
    if not notes:
        return cell
    main = (
        cell
        if isinstance(cell, Paragraph)
        else paragraph(markup([cell]), _paragraph_style(rtl, False), typeset=typeset)
    )
    inner = width - CELL_PADDING[1] - CELL_PADDING[3]
    lines = [printable(note) for note in notes]
    if typeset:
        lines = typeset_lines(lines, inner, NOTE_SIZE, rtl=rtl, language=language)
    elif needs_reordering(lines, rtl):
        lines = [piece for line in lines for piece in visual_lines(line, inner, NOTE_SIZE, rtl=rtl)]
    return [main, paragraph(markup(lines), _note_style(rtl), typeset=typeset)]


def _note_style(rtl: bool = False) -> ParagraphStyle:
    return _note_style_in(text_fonts()[0], rtl)


@lru_cache(maxsize=6)
def _note_style_in(font: str, rtl: bool) -> ParagraphStyle:
    return ParagraphStyle(
        f"invoice-cell-note-{font}-{int(rtl)}",
        alignment=TA_RIGHT if rtl else TA_LEFT,
        fontName=font,
        fontSize=NOTE_SIZE,
        leading=NOTE_SIZE * LINE_HEIGHT,
        textColor=MUTED_COLOR,
        splitLongWords=True,
    )


def _fits(text: str, width: float, size: float) -> bool:
    return bool(stringWidth(text, text_fonts()[0], size) <= width)


def _row(
    line: LineRow,
    columns: LineColumns,
    description_width: float,
    rtl: bool = False,
    corrected: bool = False,
    typeset: bool = False,
    language: str = "",
) -> list[str | Flowable | list[Flowable]]:
    """One row in reading order: the text columns (SKU, description) as cells that wrap, the numbers as
    plain strings, which the table never wraps; their columns were made wide enough for them at
    ``columns.size``. A number alone is drawn as it is, left to right, on either kind of invoice."""
    sku = (
        [
            text_cell(
                line.sku,
                columns.sku,
                muted=True,
                right=rtl,
                rtl=rtl,
                typeset=typeset,
                language=language,
                code=True,
            )
        ]
        if columns.sku
        else []
    )
    description = description_cell(
        line.description, line.notes, description_width, rtl=rtl, typeset=typeset, language=language
    )
    unit, base = printable(line.unit), printable(line.price_base)
    quantity = quantity_cell(
        line.quantity,
        unit,
        columns.quantity,
        columns.size,
        rtl=rtl,
        corrected=corrected,
        typeset=typeset,
        language=language,
    )
    price = price_cell(
        line.unit_price,
        base,
        columns.unit_price,
        columns.size,
        rtl=rtl,
        corrected=corrected,
        typeset=typeset,
        language=language,
    )
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


def line_table(
    lines: Sequence[LineRow],
    columns: LineColumns,
    labels: Labels,
    frame: float,
    *,
    corrected: bool = False,
    typeset: bool = False,
) -> Table:
    """The line table, ``frame`` pt wide: the header row repeated on every page, a row split only when it
    could not fit on a page of its own. ``corrected``: layout version 3's headers (``Layout.corrected``);
    ``typeset``: version 4's line breaking in every cell that wraps (``Layout.typeset``)."""
    return LineRows(lines, columns, labels, frame, corrected=corrected, typeset=typeset).table(0, None)


class LineRows:
    """The line table's header and rows, built once, and tables of a run of them with the same columns:
    layout version 5 draws its last lines apart from the others (``ClosingRows``)."""

    def __init__(
        self,
        lines: Sequence[LineRow],
        columns: LineColumns,
        labels: Labels,
        frame: float,
        *,
        corrected: bool,
        typeset: bool,
    ) -> None:
        register_fonts()
        rtl = labels.rtl
        cols = _columns(columns, labels, frame, discount_header(list(lines), labels))
        # Right to left, a column's content sits at the other side of its cell: text right, numbers left.
        aligned_right = [column.right != rtl for column in cols]
        header: list[str | Flowable | list[Flowable]] = [
            HeaderLabel(
                column.header,
                right=right,
                language=labels.language,
                rtl=rtl,
                corrected=corrected,
                typeset=typeset,
                size=HEADER_SIZE * label_scale(labels.language, typeset),
            )
            for column, right in zip(cols, aligned_right, strict=True)
        ]
        rows: list[list[str | Flowable | list[Flowable]]] = [header]
        for line in lines:
            check_deadline()  # the render's deadline, when built inside one (pdf_build)
            rows.append(_row(line, columns, frame - columns.fixed, rtl, corrected, typeset, labels.language))
        if rtl:  # the first column on the right: every row, and the columns' widths and styles, reversed
            cols, aligned_right = cols[::-1], aligned_right[::-1]
            rows = [row[::-1] for row in rows]
        cell_style = [
            ("FONT", (0, 1), (-1, -1), text_fonts()[0], TEXT_SIZE, TEXT_LEADING),
            ("TEXTCOLOR", (0, 1), (-1, -1), TEXT_COLOR),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 1), (-1, -1), CELL_PADDING[0]),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING[1]),
            ("BOTTOMPADDING", (0, 1), (-1, -1), CELL_PADDING[2]),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING[3]),
            ("TOPPADDING", (0, 0), (-1, 0), HEADER_PADDING[0]),
            ("BOTTOMPADDING", (0, 0), (-1, 0), HEADER_PADDING[2]),
        ]
        cell_style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, right in enumerate(aligned_right) if right]
        if columns.size != TEXT_SIZE:
            cell_style += [
                ("FONTSIZE", (i, 1), (i, -1), columns.size) for i, column in enumerate(cols) if column.right
            ]
        cell_style += [
            ("TEXTCOLOR", (i, 1), (i, -1), MUTED_COLOR) for i, column in enumerate(cols) if column.muted
        ]
        self.rows = rows
        self.count = len(rows) - 1  # the lines, without the header
        self.widths = [column.width for column in cols]
        self.cell_style = cell_style

    def table(self, first: int, end: int | None, *, header: bool = True) -> "LineTable":
        """The table of lines ``first`` to ``end`` (None: the last), under the header row unless not
        ``header``; the table that starts with the first line is the one ``LineTable.starts_table`` means."""
        lines = self.rows[1:][first:end]
        rows = [self.rows[0], *lines] if header else lines
        styles = _cell_styles(self.cell_style, len(self.widths), len(lines) + 1)
        rules = [("LINEBELOW", (0, 0), (-1, 0), *HEADER_RULE), ("LINEBELOW", (0, 1), (-1, -1), *ROW_RULE)]
        table = LineTable(
            rows,
            colWidths=self.widths,
            repeatRows=1 if header else 0,
            style=TableStyle(rules if header else [("LINEBELOW", (0, 0), (-1, -1), *ROW_RULE)]),
            cellStyles=styles if header else styles[1:],
            hAlign="LEFT",
        )
        table.starts_table = first == 0
        return table


# A height no page reaches, for measuring a table's rows whatever room is left.
FRESH_PAGE = 100_000.0


class ClosingRows(Flowable):
    """The line table's rows from ``first`` on in layout version 5, kept with the totals on one page
    (``pdf_native._closing``): drawn under the column headers when they start a page, as the table's own
    rows would be on a new page, and without them right after the rest of the table. The frame placing a
    flowable sets its ``_frame`` while it wraps and splits it, ``_atTop`` while nothing has been drawn in it
    yet. Only rows that fit on one page are kept so, so they are never cut over pages without headers."""

    def __init__(self, rows: LineRows, first: int) -> None:
        super().__init__()
        self.with_header = rows.table(first, None)
        self.without_header = rows.table(first, None, header=False)
        self.hAlign = "LEFT"
        self._chosen: Table = self.without_header

    def _choose(self) -> Table:
        frame = getattr(self, "_frame", None)
        self._chosen = self.with_header if frame is not None and frame._atTop else self.without_header
        self._chosen._frame = frame  # LineTable.split reads the height of a fresh page from it
        return self._chosen

    def header_height(self, availWidth: float) -> float:
        """How much taller the rows are under their column headers."""
        self.with_header.wrap(availWidth, FRESH_PAGE)
        return float(self.with_header._rowHeights[0])

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self._choose().wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return list(self._choose().split(availWidth, availHeight))

    def draw(self) -> None:
        self._chosen.drawOn(self.canv, 0, 0)


# The rows a cell style command of the line table may name: the header, the lines, or both.
_HEADER, _LINES, _ALL_ROWS = (0, 0), (1, -1), (0, -1)


def _cell_styles(commands: list[tuple[Any, ...]], columns: int, rows: int) -> list[list[CellStyle]]:
    """The cell styles a ``Table`` of ``rows`` rows (the header first) would get from ``commands``.

    reportlab applies each command to each cell it names, most of the time a long table takes to build
    (docs/performance.md). Here they are applied to a header row and one line's row, and the line's styles
    copied to the others: the lines all come out alike, as every command names the header, the lines or
    both, never one line."""
    for command in commands:
        (_, first_row), (_, last_row) = command[1], command[2]
        if (first_row, last_row) not in (_HEADER, _LINES, _ALL_ROWS):
            raise ValueError(f"a line table's cell style names the header, the lines or both: {command}")
    header, line = Table([[""] * columns for _ in range(2)], style=commands)._cellStyles
    return [
        header,
        *([_copy(style, row, column) for column, style in enumerate(line)] for row in range(1, rows)),
    ]


def _copy(style: CellStyle, row: int, column: int) -> CellStyle:
    # CellStyle.copy reads every attribute through dir(), slower than the commands it would save.
    copied = CellStyle.__new__(CellStyle)
    copied.__dict__.update(style.__dict__)
    copied.name = repr((row, column))  # the name reportlab gives the cell's style
    return copied
