"""The layouts' version 2: each layout's page drawn with reportlab's platypus directly, no HTML in between.

Version 1 of a layout goes through a Django template and xhtml2pdf (``pdf.py``, ``pdf_build.py``); of a
20-line invoice's render, about 30 ms was xhtml2pdf walking the page and 25 ms the layout of its nested
tables (docs/performance.md). Version 2 prints the same blocks in the same order, sizes and colours, each
built here as flowables, as the line table always was (``pdf_table``). It is a version of its own because
its files are not byte for byte version 1's, and a shipped version never changes (``layouts``).

Top to bottom: the layout's header (``LOOKS``: classic's logo and seller at the start with the title at the
end; modern's band in the accent colour; compact's small logo over the title and the accent rule), the
parties and the invoice's facts, the line table, the tax breakdown beside the totals, the notes beside the
payment details, and on every page the brand's footer lines and "Page X of Y", painted once the page count
is known (each page is held until the last is laid out, as ``pdf_build`` does for version 1). The space
between the blocks and the labels' spacing are each layout's own, as its version 1's stylesheet has them.

Security: user text reaches a ``Paragraph`` (which parses markup) only escaped, through ``pdf_table.markup``;
the only markup added is ours (``<font face>`` with a constant, ``<br/>``, ``<b>``). Colours are constants
or the brand's accent checked by ``layouts.accent_color``. Nothing here names a file or a URL; the logo is
the flowable ``pdf_logo`` drew from memory.

Right to left (``labels.rtl``): every row of blocks in the other order (the seller on the right, the totals on
the left), text aligned right and numbers left, and every text put in the order it is drawn in, each line
with a right-to-left base, its numbers kept left to right (``pdf_table.visual_lines``).
"""

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from xhtml2pdf.bidi import get_display
from xhtml2pdf.config.resources import ResourceAccessPolicy, check_deadline, render_budget, use_policy

from invoices.i18n.labels import Labels
from invoices.renderers import RenderRefused
from invoices.renderers.layouts import FOOTER_FRAME_MM, FOOTER_LINE_MM, MM, Layout
from invoices.renderers.pdf_breaks import break_lines
from invoices.renderers.pdf_context import PERIOD_DASH, PartyBlock, SummaryColumns
from invoices.renderers.pdf_fonts import (
    BASE_FONT,
    SHAPED_FONTS,
    arabic_text,
    register_fonts,
    run_fonts,
    shaped_width,
)
from invoices.renderers.pdf_layout import (
    LINE_HEIGHT,
    TEXT_SIZE,
    hyphenated,
    label_scale,
    text_width,
    upper_for,
)
from invoices.renderers.pdf_table import (
    TYPESET_SLACK,
    ClosingRows,
    LineRows,
    line_table,
    markup,
    needs_reordering,
    paragraph,
    typeset_lines,
    visual_lines,
)
from invoices.templatetags.invoice_text import font_runs, printable

# The stylesheet of version 1 (layouts/_base_v1.html), in points and colours.
INK = HexColor("#1f2933")  # body
MUTED = HexColor("#616e7c")  # .muted
LABEL = HexColor("#7b8794")  # .label, .section-title, the footer
SELLER = HexColor("#102a43")  # .seller-name, .grand
NUMBER = HexColor("#334e68")  # .doc-number, .doc-ref
TABLE_HEADER = HexColor("#52606d")  # .th, .words
TABLE_HEADER_RULE = HexColor("#9fb3c8")
GRAND_BACKGROUND = HexColor("#eef2f7")
FOOTER_RULE = HexColor("#d9e2ec")
LABEL_SIZE, LABEL_SPACING = 7.0, 0.5  # .label
SECTION_SPACING = 0.6  # .section-title (bold, LABEL_SIZE)
TABLE_HEADER_SPACING = 0.4  # .th (bold, LABEL_SIZE)
TITLE_SPACING = 1.0  # .doc-title
SELLER_SIZE, PARTY_NAME_SIZE, NUMBER_SIZE, REF_SIZE = 13.0, 9.5, 10.0, 8.0
TAX_NOTE_SIZE, WORDS_SIZE, GRAND_SIZE, FOOTER_SIZE = 7.5, 8.0, 11.0, 7.0
PARTY_GAP = 6 * MM  # .party padding at the end of each party's cell
# Version 3 on: the least room between a label and its value in the facts and the payment details (in
# version 2 a label that filled its column touched its value, "ÖDEME KOŞULLARI30 gün").
LABEL_GAP = 6.0
# Of the facts table, from version 4 on: the most its labels take, and the least they are left for their
# longest word however long the values.
FACT_LABEL_MAX, FACT_LABEL_MIN = 0.6, 0.35
SLACK = 2.0  # pt: what a line pre-wrapped for reordering is narrower than its cell, for rounding
# Layout version 5: the lines that go with the totals on to their page, as few as a page's end may leave its
# next page (two, the usual rule against a widow), so that the totals never start a page of their own.
CLOSING_LINES = 2

__all__ = ["build_native_pdf"]


class _PastPageLimit(Exception):
    """Layout began the page past the limit (reportlab rewords exceptions raised in its handlers)."""


class _HeldCanvas(Canvas):
    """A canvas that writes no page until the document is done, then paints each page's footer with the
    page count known (reportlab's "NumberedCanvas" recipe, as ``pdf_build`` holds version 1's pages)."""

    def __init__(self, *args: Any, paint: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._paint = paint
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._paint(self, number, count)
            Canvas.showPage(self)
        Canvas.save(self)


class _Doc(BaseDocTemplate):
    page: int  # reportlab's: the page being laid out

    def __init__(self, *args: Any, max_pages: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_pages = max_pages

    def handle_pageBegin(self) -> None:
        super().handle_pageBegin()
        # Checked as each page begins, so a document past the limit stops here, not after laying out (and
        # holding in memory) thousands of pages.
        if self.page > self.max_pages:
            raise _PastPageLimit
        check_deadline()  # the render's deadline (render_budget), between pages as between the table's rows


class SpacedText(Flowable):
    """Upper-case, letter-spaced text (a label, a section's title, the invoice's title), which a paragraph
    cannot draw: wrapped between words to its width, a word longer than the width hyphenated by the
    language's rules. Right to left it has no spacing (that would pull joined Arabic letters apart) and each
    line is drawn in visual order. The texts are our labels and the title, never user text.

    Labels are wrapped as if unspaced, as version 1's (xhtml2pdf) and the line table's headers are: the
    columns were sized that way (``pdf_context.fact_label_percent``), and the spacing of a line that fills
    its column runs into the gap before the next. The title (``fit``) is measured with its spacing, and so is
    every text of layout version 3 on (``corrected``), which is also put in the language's own capitals.
    From version 4 on (``typeset``) the lines break as every text of that version does (``pdf_breaks``): a
    Chinese or Japanese label between its characters by the kinsoku rules, never with a hyphen."""

    def __init__(
        self,
        text: str,
        *,
        size: float,
        color: Color,
        spacing: float,
        right: bool,
        labels: Labels,
        bold: bool = True,
        space_after: float = 0.0,
        fit: bool = False,
        corrected: bool = False,
        typeset: bool = False,
    ) -> None:
        super().__init__()
        self.fit = fit or corrected
        self.typeset = typeset
        capitals = upper_for(text, labels.language) if corrected else text.upper()
        self.text = arabic_text(capitals, bold=bold)
        self.size, self.color, self.right, self.bold = size, color, right, bold
        self.rtl, self.language = labels.rtl, labels.language
        self.spacing = 0.0 if labels.rtl else spacing
        self.space_after = space_after
        self.lines: list[str] = []

    def _measure(self, text: str) -> float:
        return text_width(text, bold=self.bold, size=self.size) + self.spacing * max(0, len(text) - 1)

    def whole_width(self) -> float:
        """The width of the text on one line as drawn."""
        return self._measure(self.text)

    def longest_word(self) -> float:
        """The width of the widest word as drawn (its capitals, size and spacing): the least room that
        breaks the text between words only."""
        return max((self._measure(word) for word in self.text.split()), default=0.0)

    def _wrap_measure(self, text: str) -> float:
        return self._measure(text) if self.fit else text_width(text, bold=self.bold, size=self.size)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.typeset:
            lines = break_lines(self.text, availWidth, self._wrap_measure, self.language)
        else:
            lines = self._words_hyphenated(availWidth)
        self.lines, self.width = lines, availWidth
        self.height = self.size * LINE_HEIGHT * len(lines) + self.space_after
        return self.width, self.height

    def _words_hyphenated(self, width: float) -> list[str]:
        """Versions 2 and 3: wrapped between words, a word wider than ``width`` hyphenated."""
        lines: list[str] = []
        measure = self._wrap_measure
        for word in self.text.split():
            for piece in hyphenated(word, width, self.language, measure):
                joined = f"{lines[-1]} {piece}" if lines else ""
                if lines and not lines[-1].endswith("-") and measure(joined) <= width:
                    lines[-1] = joined
                else:
                    lines.append(piece)
        return lines

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(self.color)
        leading = self.size * LINE_HEIGHT
        y = self.height - self.space_after - self.size
        for line in self.lines:
            drawn = get_display(line, "R") if self.rtl else line
            runs = [(run, run_fonts(kind)[self.bold]) for run, kind in font_runs(drawn)]
            x = max(0.0, self.width - self._measure(line)) if self.right else 0.0
            for run, font in runs:
                canvas.setFont(font, self.size)
                shaping = font in SHAPED_FONTS
                canvas.drawString(x, y, run, charSpace=0 if shaping else self.spacing, shaping=shaping)
                x += shaped_width(run, font, self.size) + (0 if shaping else self.spacing * len(run))
            y -= leading


@lru_cache(maxsize=64)
def _style(font: str, size: float, color: str, right: bool, space_before: float = 0.0) -> ParagraphStyle:
    return ParagraphStyle(
        f"invoice-v2-{font}-{size}-{color}-{int(right)}-{space_before}",
        fontName=font,
        fontSize=size,
        leading=size * LINE_HEIGHT,
        textColor=HexColor(f"#{color}"),
        alignment=TA_RIGHT if right else TA_LEFT,
        spaceBefore=space_before,
        splitLongWords=True,  # a URL, or CJK without spaces, is split to fit
    )


class _Page:
    """What one render draws with: the context ``pdf_context.invoice_context`` made, the text fonts, the
    direction and the frame's width."""

    def __init__(self, context: dict[str, Any], fonts: tuple[str, str], look: "Look") -> None:
        self.context = context
        self.fonts = fonts
        self.look = look
        # Layout version 3's corrections and version 4's line breaking (renderers/layouts.py).
        self.corrected: bool = context["layout"].corrected
        self.typeset: bool = context["layout"].typeset
        self.composed: bool = context["layout"].composed  # version 5 (renderers/layouts.py)
        # Version 5: payment terms too long for the header, printed with the notes instead (_header_facts).
        self.terms_apart = ""
        self.frame_height = 0.0  # pt, the body frame's: build_native_pdf sets it before the story is made
        self.labels: Labels = context["labels"]
        self.rtl = self.labels.rtl
        self.frame = float(context["frame"])

    def text(
        self,
        lines: Sequence[str],
        width: float,
        *,
        size: float = TEXT_SIZE,
        color: Color = INK,
        bold: bool = False,
        number: bool = False,
        end: bool = False,
        space_before: float = 0.0,
    ) -> Paragraph:
        """User text (or a formatted value) as a paragraph ``width`` pt wide: each of ``lines`` a line of its
        own, wrapped to the width. A ``number`` or a text at the ``end`` goes to the end of its cell (the
        right, or the left on a right-to-left page); a right-to-left page or text is pre-wrapped and put in
        the order it is drawn in. From layout version 4 on every text is broken into its lines here
        (``pdf_table.typeset_lines``)."""
        texts = [piece for line in lines for piece in (printable(line).splitlines() or [""])]
        if self.typeset:
            texts = typeset_lines(texts, width, size, rtl=self.rtl, language=self.labels.language, bold=bold)
        elif needs_reordering(texts, self.rtl):
            texts = [
                piece
                for text in texts
                for piece in visual_lines(
                    text, width - SLACK, size, rtl=self.rtl, bold=bold and self.corrected
                )
            ]
        right = (number or end) != self.rtl
        style = _style(self.fonts[bold], size, color.hexval()[2:], right, space_before)
        return paragraph(markup(texts, bold=bold), style, typeset=self.typeset)

    def label(
        self,
        text: str,
        *,
        color: Color = LABEL,
        spacing: float | None = None,
        bold: bool = False,
        end: bool = False,
        space_after: float = 0.0,
    ) -> SpacedText:
        """An upper-case label, letter-spaced as the layout's labels are unless ``spacing`` is given."""
        return SpacedText(
            text,
            size=LABEL_SIZE * label_scale(self.labels.language, self.typeset),
            color=color,
            spacing=self.look.label_spacing if spacing is None else spacing,
            right=end != self.rtl,
            labels=self.labels,
            bold=bold,
            space_after=space_after,
            corrected=self.corrected,
            typeset=self.typeset,
        )

    def section_title(self, text: str) -> SpacedText:
        return self.label(text, spacing=SECTION_SPACING, bold=True, space_after=2.0)

    def row(self, cells: list[Any]) -> list[Any]:
        """A row's cells in the order they are drawn in: reading order, reversed right to left."""
        return cells[::-1] if self.rtl else cells


def _grid(rows: list[list[Any]], widths: list[float], commands: list[tuple[Any, ...]]) -> Table:
    """A borderless table of blocks, no padding unless ``commands`` add some."""
    base: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    # splitInRow: a row that meets the bottom of a page is cut between its paragraphs' lines, where a row
    # taller than a page (notes of hundreds of lines) would otherwise fail the render. The header and the
    # parties start page 1; the summary and the extras are kept together (KeepTogether moves them on whole
    # when they fit a page), so only a block taller than a page is ever cut.
    return Table(rows, colWidths=widths, style=TableStyle(base + commands), hAlign="LEFT", splitInRow=1)


def _seller_lines(seller: PartyBlock, corrected: bool) -> list[str]:
    """The seller's letterhead under its name: address lines, identifiers on one line, each contact group
    on one. ``corrected`` (version 3 on): a line breaks between identifiers, never inside one (version 2
    left "Registration no.:" at the end of a line and its number on the next)."""
    lines = [*seller.address]
    ids = [each.replace(" ", "\N{NO-BREAK SPACE}") for each in seller.ids] if corrected else seller.ids
    if ids:
        lines.append(" \N{MIDDLE DOT} ".join(ids))
    return lines + [" \N{MIDDLE DOT} ".join(group) for group in seller.contacts]


def _seller_packed(seller: PartyBlock, width: float) -> list[str]:
    """Version 4's letterhead: the identifiers, then each contact group, packed into lines ``width`` pt
    wide between their items. Version 3 kept an identifier whole with no-break spaces, which Chinese and
    Japanese break between their characters all the same ("法人番" / "号: HRB 123456 B")."""
    lines = [*seller.address]
    for items in (seller.ids, *seller.contacts):
        lines += _packed(list(items), width)
    return lines


def _packed(items: list[str], width: float) -> list[str]:
    """``items`` joined with " · " into lines no wider than ``width``: an item is broken only when it is
    wider than a line of its own."""
    lines: list[str] = []
    for item in items:
        joined = f"{lines[-1]} \N{MIDDLE DOT} {item}" if lines else item
        if lines and text_width(joined) + SLACK <= width:
            lines[-1] = joined
        else:
            lines.append(item)
    return lines


def _seller(page: _Page, width: float, *, name: bool = True) -> list[Flowable]:
    """The seller's name (unless ``name`` is False: the modern band shows it) and letterhead."""
    seller: PartyBlock = page.context["seller"]
    blocks: list[Flowable] = []
    if name:
        blocks.append(page.text([seller.name], width, size=page.look.seller_size, color=SELLER, bold=True))
    lines = _seller_packed(seller, width) if page.typeset else _seller_lines(seller, page.corrected)
    if lines:
        blocks.append(page.text(lines, width, color=MUTED))
    return blocks


def _title(page: _Page, color: Color) -> SpacedText:
    context = page.context
    return SpacedText(
        context["title"],
        size=float(str(context["title_size"]).removesuffix("pt")),
        color=color,
        spacing=TITLE_SPACING,
        right=not page.rtl,
        labels=page.labels,
        fit=True,
        corrected=page.corrected,
        typeset=page.typeset,
    )


def _number_and_references(page: _Page, width: float) -> list[Flowable]:
    """The invoice's number under the title, and the invoices a credit note corrects."""
    context = page.context
    blocks: list[Flowable] = [
        page.text([context["data"].number], width, size=NUMBER_SIZE, color=NUMBER, end=True)
    ]
    return blocks + _references(page, width)


def _references(page: _Page, width: float) -> list[Flowable]:
    return [
        page.text([line], width, size=REF_SIZE, color=NUMBER, end=True, space_before=2.0)
        for line in page.context["preceding"]
    ]


def _classic_header(page: _Page, logo: Flowable | None) -> list[Flowable]:
    """The logo above the seller at the start, the title and number at the end."""
    start, end = page.frame * 0.6, page.frame * 0.4
    left: list[Flowable] = [logo] if logo is not None else []
    left += _seller(page, start)
    right: list[Flowable] = [_title(page, HexColor(page.context["accent_text"]))]
    right += _number_and_references(page, end)
    return [_grid([page.row([left, right])], page.row([start, end]), [])]


BAND_PADDING = 5 * MM  # .band
BAND_NAME_SIZE = 16.0  # .band-name
_PADDINGS = ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")


def _modern_header(page: _Page, logo: Flowable | None) -> list[Flowable]:
    """A band in the accent colour: the logo (or the seller's name) at its start, the title and number at
    its end in the colour that reads on it; the seller's letterhead and the references under it."""
    context = page.context
    ink = HexColor(context["on_accent"])
    half = page.frame / 2
    inner = half - 2 * BAND_PADDING
    start: list[Flowable] = (
        [logo]
        if logo is not None
        else [page.text([context["seller"].name], inner, size=BAND_NAME_SIZE, color=ink, bold=True)]
    )
    end: list[Flowable] = [
        _title(page, ink),
        page.text([context["data"].number], inner, size=NUMBER_SIZE, color=ink, end=True),
    ]
    band = _grid(
        [page.row([start, end])],
        [half, half],
        [
            ("BACKGROUND", (0, 0), (-1, -1), HexColor(context["accent"])),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            *((side, (0, 0), (-1, -1), BAND_PADDING) for side in _PADDINGS),
        ],
    )
    left, right = page.frame * 0.6, page.frame * 0.4
    under = [_seller(page, left, name=logo is not None), _references(page, right)]
    return [band, Spacer(1, 5 * MM), _grid([page.row(under)], page.row([left, right]), [])]


def _compact_header(page: _Page, logo: Flowable | None) -> list[Flowable]:
    """The seller at the start; the small logo, the title and number at the end; a rule in the accent
    colour under both."""
    context = page.context
    start, end = page.frame * 0.6, page.frame * 0.4
    right: list[Flowable] = [logo] if logo is not None else []
    right += [_title(page, HexColor(context["accent_text"])), *_number_and_references(page, end)]
    commands = [
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * MM),
        ("LINEBELOW", (0, 0), (-1, -1), 1.0, HexColor(context["accent"])),
    ]
    return [_grid([page.row([_seller(page, start), right])], page.row([start, end]), commands)]


@dataclass(frozen=True)
class Look:
    """What a native layout changes of the classic page: its header, the seller's name's size, the space
    before and after the blocks (mm) and the labels' letter spacing; each the value of version 1's
    stylesheet for the same layout (``layout_style`` in its template)."""

    header: Callable[[_Page, Flowable | None], list[Flowable]]
    seller_size: float
    parties: tuple[float, float]  # before, after
    summary: float
    extras: float
    label_spacing: float = LABEL_SPACING


LOOKS = {
    "classic": Look(_classic_header, SELLER_SIZE, (8, 6), 5, 7),
    "modern": Look(_modern_header, 11.0, (7, 8), 7, 7),
    # Compact's labels are unspaced: in its wider frame a label that just fit unspaced ran into its value.
    "compact": Look(_compact_header, 11.0, (4, 4), 3, 4, label_spacing=0.0),
}


def _party(page: _Page, label: str, party: PartyBlock | None, width: float) -> list[Flowable]:
    if party is None:
        return []
    inner = width - PARTY_GAP
    blocks: list[Flowable] = [
        page.label(label),
        page.text([party.name], inner, size=PARTY_NAME_SIZE, bold=True),
    ]
    if party.address:
        blocks.append(page.text(party.address, inner))
    muted = [*party.ids, *(line for group in party.contacts for line in group)]
    if muted:
        blocks.append(page.text(muted, inner, color=MUTED))
    return blocks


def _facts(page: _Page, width: float) -> Table:
    facts = _header_facts(page, width)
    labels = [page.label(label) for label, _value in facts]
    if not page.typeset:
        labels_width = width * int(page.context["fact_label_percent"]) / 100
        values = [[value] for _label, value in facts]
    else:
        labels_width = _fact_labels_room(page, facts, labels, width)
        period = page.labels.billing_period
        values = [
            _period_lines(value, width - labels_width) if label == period else [value]
            for label, value in facts
        ]
    values_width = width - labels_width
    rows = [
        page.row([label, page.text(value, values_width, bold=True, number=True)])
        for label, value in zip(labels, values, strict=True)
    ]
    commands: list[tuple[Any, ...]] = [("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if page.corrected:
        commands.append(_label_gap(page))
    return _grid(rows, page.row([labels_width, values_width]), commands)


# Version 5: the most lines the payment terms take in the header's facts; longer terms (a sentence or two on
# discounts and late fees) are printed with the notes, where versions 2-4 set them as a narrow column of bold
# text beside the header.
TERMS_LINES = 2


def _header_facts(page: _Page, width: float) -> list[tuple[str, str]]:
    """The header's facts ``width`` pt wide: from version 5 on without payment terms that would take more
    than ``TERMS_LINES`` lines there (``page.terms_apart`` then holds them for the notes)."""
    facts: list[tuple[str, str]] = page.context["facts"]
    terms = page.labels.payment_terms
    value = next((value for label, value in facts if label == terms), "")
    if not page.composed or not value:
        return facts
    room = width - _fact_labels_room(page, facts, [page.label(label) for label, _ in facts], width)
    language = page.labels.language
    if len(typeset_lines([value], room, rtl=page.rtl, language=language, bold=True)) <= TERMS_LINES:
        return facts
    page.terms_apart = value
    return [(label, value) for label, value in facts if label != terms]


def _fact_labels_room(
    page: _Page, facts: list[tuple[str, str]], labels: list[SpacedText], width: float
) -> float:
    """Version 4: the width of the facts' labels column, ``width`` pt being the table's.

    Versions 1-3 size it (``fact_label_percent``) for the longest label word measured plain, without the
    gap after it, and let every value, the payment terms' sentence too, claim a line of its own: they cut
    "FACTURA-TION", "ΤΙΜΟΛΟΓΗ-ΣΗΣ" and wrapped "شماره / صورت‌حساب" beside short values. Here, in order:
    a value that must stay whole (a number, a reference, a date, each date of a billing period) keeps its
    line; the labels' longest word keeps its line as drawn, if those values leave it the room (else it
    is hyphenated, as in German beside a Leitweg-ID); the labels stand on one line where that wraps no
    value but the payment terms, which wrap as any sentence does."""
    gap = LABEL_GAP + SLACK
    word = max((label.longest_word() for label in labels), default=0.0) + gap
    whole = max((label.whole_width() for label in labels), default=0.0) + gap
    period, terms = page.labels.billing_period, page.labels.payment_terms

    def need(value: str) -> float:
        return text_width(value, bold=True) + SLACK

    kept = [need(value) for label, value in facts if label not in (period, terms)]
    dates = [need(date) for label, value in facts if label == period for date in _period_dates(value)]
    spans = [need(value) for label, value in facts if label == period]
    must = width - max([*kept, *dates], default=0.0)  # "01.11.2026 -" over "30.11.2026" at the least
    nice = width - max([*kept, *spans], default=0.0)  # the period on one line
    room = max(min(word, must), min(whole, nice), min(word, width * FACT_LABEL_MIN))
    return min(room, width * FACT_LABEL_MAX)


def _period_lines(period: str, width: float) -> list[str]:
    """A billing period on one line where it fits, else broken after its dash and nowhere else: "01 Nov
    2026 -" over "30 Nov 2026" with its en dash (version 3 gave "... 30 Nov" / "2026", and a Chinese date
    "2026年11月30" / "日")."""
    return [period] if text_width(period, bold=True) + SLACK <= width else _period_dates(period)


def _period_dates(period: str) -> list[str]:
    """The period's two lines when broken: its start with the dash, its end."""
    start, _dash, end = period.partition(f" {PERIOD_DASH} ")
    return [f"{start} {PERIOD_DASH}", end] if end else [period]


def _label_gap(page: _Page) -> tuple[Any, ...]:
    """Version 3 on: padding between the labels' column and the values' (the labels' end side)."""
    side, column = ("LEFTPADDING", 1) if page.rtl else ("RIGHTPADDING", 0)
    return (side, (column, 0), (column, -1), LABEL_GAP)


def _parties(page: _Page) -> Table:
    context, labels = page.context, page.labels
    if page.composed and context["ship_to"] is None:
        return _bill_to_and_facts(page)
    widths = [page.frame * share for share in (0.31, 0.29, 0.40)]
    cells = [
        _party(page, labels.bill_to, context["buyer"], widths[0]),
        _party(page, labels.ship_to, context["ship_to"], widths[1]),
        _facts(page, widths[2]),
    ]
    side = "LEFTPADDING" if page.rtl else "RIGHTPADDING"
    parties = (1, 2) if page.rtl else (0, 1)
    commands = [(side, (column, 0), (column, 0), PARTY_GAP) for column in parties]
    return _grid([page.row(cells)], page.row(widths), commands)


# Version 5, with no ship-to party: the least and the most of the frame the buyer's column takes, as wide as
# its longest line needs between them; the facts have the rest. Versions 2-4 kept the ship-to's 29 % empty
# and wrapped the buyer's name and the facts' labels beside it.
BILL_TO_SHARES = (0.31, 0.5)


def _bill_to_and_facts(page: _Page) -> Table:
    """Version 5's buyer and facts, in two columns where there is no ship-to party."""
    buyer: PartyBlock = page.context["buyer"]
    lines = [*buyer.address, *buyer.ids, *(line for group in buyer.contacts for line in group)]
    widest = max(
        [text_width(buyer.name, bold=True, size=PARTY_NAME_SIZE), *(text_width(line) for line in lines)]
    )
    least, most = (page.frame * share for share in BILL_TO_SHARES)
    share = min(max(widest + PARTY_GAP + TYPESET_SLACK, least), most)
    widths = [share, page.frame - share]
    cells = [_party(page, page.labels.bill_to, buyer, widths[0]), _facts(page, widths[1])]
    side = "LEFTPADDING" if page.rtl else "RIGHTPADDING"
    column = 1 if page.rtl else 0
    return _grid([page.row(cells)], page.row(widths), [(side, (column, 0), (column, 0), PARTY_GAP)])


def _tax_breakdown(page: _Page, width: float) -> list[Flowable]:
    context, labels = page.context, page.labels
    columns: SummaryColumns = context["summary_columns"]
    base, tax = width * columns.tax_base / 100, width * columns.tax_amount / 100
    widths = [width - base - tax, base, tax]
    header = [
        page.label(text, color=TABLE_HEADER, spacing=TABLE_HEADER_SPACING, bold=True, end=index > 0)
        for index, text in enumerate((labels.rate, labels.base, labels.tax))
    ]
    rows = [page.row(header)]
    for row in context["tax_rows"]:
        cells = [(row.rate, False), (row.base, True), (row.tax, True)]
        rows.append(
            page.row(
                [
                    page.text([value], column - 4, size=columns.size, number=number)
                    for (value, number), column in zip(cells, widths, strict=True)
                ]
            )
        )
    end_pad = "LEFTPADDING" if page.rtl else "RIGHTPADDING"
    table = _grid(
        rows,
        page.row(widths),
        [
            (end_pad, (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
            ("TOPPADDING", (0, 1), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, TABLE_HEADER_RULE),
        ],
    )
    notes = [_tax_note(page, note.category, note.name, note.reason, width) for note in context["tax_notes"]]
    return [page.section_title(labels.tax_breakdown), table, *notes]


def _tax_note(page: _Page, category: str, name: str, reason: str, width: float) -> Paragraph:
    """ "AE Reverse charge: Article 196 ...", the category in bold (as one reordered line right to left)."""
    rest = f"{name}: {reason}" if name and reason else name or reason
    if page.rtl or needs_reordering([rest], False):
        return page.text([f"{category} {rest}"], width, size=TAX_NOTE_SIZE, space_before=4.0)
    style = _style(page.fonts[0], TAX_NOTE_SIZE, INK.hexval()[2:], False, 4.0)
    lines = [rest]
    if page.typeset:  # the first line holds the bold category before the words
        indent = text_width(category, bold=True, size=TAX_NOTE_SIZE) + text_width(" ", size=TAX_NOTE_SIZE)
        measure = lambda text: text_width(text, size=TAX_NOTE_SIZE)  # noqa: E731
        lines = break_lines(rest, width - TYPESET_SLACK, measure, page.labels.language, indent=indent)
    text = f"<b>{markup([category], bold=True)}</b> {markup(lines)}"
    return paragraph(text, style, typeset=page.typeset)


def _totals(page: _Page, width: float) -> list[Flowable]:
    context, labels = page.context, page.labels
    columns: SummaryColumns = context["summary_columns"]
    amount = width * columns.total_amount / 100
    widths = [width - amount, amount]
    rows = [
        page.row([page.text([row.label], widths[0] - 8), page.text([row.amount], amount - 8, number=True)])
        for row in context["total_rows"]
    ]
    grand_label = page.text([context["grand_label"]], widths[0] - 8, size=GRAND_SIZE, color=SELLER, bold=True)
    gross = page.text([context["gross"]], amount - 8, size=GRAND_SIZE, color=SELLER, bold=True, number=True)
    rows.append(page.row([grand_label, gross]))
    table = _grid(
        rows,
        page.row(widths),
        [
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -2), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -2), 3),
            ("TOPPADDING", (0, -1), (-1, -1), 6),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ("BACKGROUND", (0, -1), (-1, -1), GRAND_BACKGROUND),
            ("LINEABOVE", (0, -1), (-1, -1), 1.2, HexColor(context["accent"])),
        ],
    )
    blocks: list[Flowable] = [table]
    if context["amount_in_words"]:
        words = f"{labels.amount_in_words}: {context['amount_in_words']}"
        blocks.append(page.text([words], width, size=WORDS_SIZE, color=TABLE_HEADER, space_before=4.0))
    return blocks


def _summary(page: _Page) -> KeepTogether:
    """The tax breakdown and the totals side by side, kept together on one page."""
    return KeepTogether([_summary_grid(page)])


def _summary_grid(page: _Page) -> Table:
    widths = [page.frame * share for share in (0.44, 0.03, 0.53)]
    cells = [_tax_breakdown(page, widths[0]), "", _totals(page, widths[2])]
    return _grid([page.row(cells)], page.row(widths), [])


def _extras(page: _Page) -> list[Flowable]:
    """The notes and the payment details side by side, kept together, after the totals."""
    grid = _extras_grid(page)
    return [] if grid is None else [Spacer(1, page.look.extras * MM), KeepTogether([grid])]


def _extras_grid(page: _Page) -> Table | None:
    """The notes and the payment details side by side, or None when the invoice has neither."""
    context, labels = page.context, page.labels
    notes_text, payment, terms = context["data"].notes, context["payment"], page.terms_apart
    if not notes_text and not payment and not terms:
        return None
    widths = [page.frame * 0.45, page.frame * 0.55]
    notes: list[Flowable] = []
    if terms:
        notes = [page.section_title(labels.payment_terms), page.text([terms], widths[0] - PARTY_GAP)]
    if notes_text:
        if terms:
            notes.append(Spacer(1, page.look.extras * MM / 2))
        notes += [page.section_title(labels.notes), page.text([notes_text], widths[0] - PARTY_GAP)]
    details: list[Flowable] = []
    if payment:
        label_width = widths[1] * 0.34
        # The label paragraph is its column less the gap (version 3 on): version 4 wraps it to that width.
        label_room = label_width - LABEL_GAP if page.typeset else label_width
        rows = [
            page.row(
                [page.text([label], label_room, color=MUTED), page.text([value], widths[1] - label_width)]
            )
            for label, value in payment
        ]
        details = [
            page.section_title(labels.payment_details),
            _grid(
                rows,
                page.row([label_width, widths[1] - label_width]),
                [_label_gap(page)] if page.corrected else [],
            ),
        ]
    side = "LEFTPADDING" if page.rtl else "RIGHTPADDING"
    column = 1 if page.rtl else 0
    return _grid(
        [page.row([notes, details])], page.row(widths), [(side, (column, 0), (column, 0), PARTY_GAP)]
    )


def _story(page: _Page, logo: Flowable | None) -> list[Flowable]:
    context, look = page.context, page.look
    story = [
        *look.header(page, logo),
        Spacer(1, look.parties[0] * MM),
        _parties(page),
        Spacer(1, look.parties[1] * MM),
    ]
    if page.composed:
        return story + _closing(page)
    table = line_table(
        context["lines"],
        context["columns"],
        page.labels,
        page.frame,
        corrected=page.corrected,
        typeset=page.typeset,
    )
    return [*story, table, Spacer(1, look.summary * MM), _summary(page), *_extras(page)]


def _closing(page: _Page) -> list[Flowable]:
    """Layout version 5's line table and what follows it: the last ``CLOSING_LINES`` lines, the totals, the
    notes and the payment details kept on one page, so that neither the totals nor the payment details
    start a page of their own (version 4 printed the bench's 20-line invoice's IBAN alone on page 2).

    Where all of that would take more than ``CLOSING_SHARE`` of a page (notes of many lines), only the lines
    and the totals are kept together, the notes and payment details following as in version 4; where even
    those would not fit on one page (lines of a page's length), or there are no more lines than those, the
    table flows as in version 4. The heights do not depend on where a block lands, so this is decided here,
    measured at the frame's width, rather than while the page is laid out: rows kept with the totals that
    were then cut over pages would have no column headers on the next."""
    context, look = page.context, page.look
    rows = LineRows(
        context["lines"], context["columns"], page.labels, page.frame, corrected=True, typeset=True
    )
    summary, extras = _summary_grid(page), _extras_grid(page)
    after_extras = [] if extras is None else [Spacer(1, look.extras * MM), KeepTogether([extras])]
    if rows.count > CLOSING_LINES:
        last = ClosingRows(rows, rows.count - CLOSING_LINES)
        kept = [last, Spacer(1, look.summary * MM), summary]
        kept_height = _height(page, kept) + last.header_height(page.frame)
        if kept_height <= page.frame_height:
            head = rows.table(0, rows.count - CLOSING_LINES)
            if extras is None:
                return [head, KeepTogether(kept)]
            closing = [*kept, Spacer(1, look.extras * MM), extras]
            if kept_height + _height(page, closing[len(kept) :]) <= page.frame_height * CLOSING_SHARE:
                return [head, KeepTogether(closing)]
            return [head, KeepTogether(kept), *after_extras]
    return [rows.table(0, None), Spacer(1, look.summary * MM), KeepTogether([summary]), *after_extras]


# Layout version 5: the closing with its notes and payment details is kept on one page while it takes no more
# than this share of a page; a taller one would leave most of the page before it empty.
CLOSING_SHARE = 0.5


def _height(page: _Page, flowables: list[Flowable]) -> float:
    """The height ``flowables`` take one after another on a page of the frame's width."""
    return sum(flowable.wrap(page.frame, page.frame_height)[1] for flowable in flowables)


def _footer_painter(page: _Page, chosen: Layout) -> Callable[[Canvas, int, int], None]:
    """What paints a page's footer: the brand's lines, then the seller, title and number at the start and
    "Page X of Y" at the end over a thin rule, from the top of version 1's footer frame down."""
    context, labels = page.context, page.labels
    brand_lines: list[str] = context["footer_lines"]
    left = [f"{context['data'].seller.name} \N{MIDDLE DOT} {context['title']} {context['data'].number}"]
    bottom = max(6.0, chosen.bottom_margin - 12)
    top = (bottom + FOOTER_FRAME_MM + FOOTER_LINE_MM * len(brand_lines)) * MM
    x = chosen.frame_margin
    half = page.frame / 2
    # What every page's footer prints alike, built once; a paragraph is wrapped and drawn again per page.
    brand = [page.text(brand_lines, page.frame, size=FOOTER_SIZE, color=LABEL)] if brand_lines else []
    seller = page.text(left, half, size=FOOTER_SIZE, color=LABEL)

    def paint(canvas: Canvas, number: int, count: int) -> None:
        numbers = f"{labels.page} {number} {labels.page_of} {count}"
        blocks: list[Flowable] = list(brand)
        row = page.row([seller, page.text([numbers], half, size=FOOTER_SIZE, color=LABEL, end=True)])
        blocks.append(
            _grid(
                [row],
                [half, half],
                [("TOPPADDING", (0, 0), (-1, -1), 3), ("LINEABOVE", (0, 0), (-1, 0), 0.5, FOOTER_RULE)],
            )
        )
        canvas.saveState()
        y = top
        for block in blocks:
            _, height = block.wrapOn(canvas, page.frame, top)
            y -= height
            block.drawOn(canvas, x, y)
        canvas.restoreState()

    return paint


def build_native_pdf(
    context: dict[str, Any],
    fonts: tuple[str, str],
    chosen: Layout,
    *,
    logo: Callable[[], Flowable] | None,
    max_pages: int,
    policy: ResourceAccessPolicy,
) -> bytes:
    """The PDF of a layout drawn here (``Layout.native``) from the template context of ``pdf_context`` set
    in ``fonts``, the brand's ``logo`` built where the header needs it, under ``policy``'s render deadline
    (it reads no file or URL at all). RenderRefused past ``max_pages``."""
    register_fonts()
    page = _Page(context, fonts, LOOKS[chosen.name])
    data = context["data"]
    size = LETTER if context["page_size"] == "letter" else A4
    footer_mm = FOOTER_LINE_MM * len(context["footer_lines"])
    bottom = (chosen.bottom_margin + footer_mm) * MM
    top = chosen.top_margin * MM
    frame = Frame(
        chosen.frame_margin,
        bottom,
        page.frame,
        size[1] - top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    out = io.BytesIO()
    title = f"{context['title']} {data.number}"
    doc = _Doc(
        out,
        pagesize=size,
        title=title,
        author=data.seller.name,
        subject=f"{title}: {data.buyer.name}",
        lang=page.labels.language,  # as version 1's <html lang>
        initialFontName=BASE_FONT,
        max_pages=max_pages,
    )
    doc.addPageTemplates([PageTemplate(id="body", frames=[frame], pagesize=size)])
    paint = _footer_painter(page, chosen)
    with use_policy(policy), render_budget(policy):
        page.frame_height = frame._height
        story = _story(page, logo() if logo is not None else None)
        try:
            doc.build(story, canvasmaker=lambda *args, **kwargs: _HeldCanvas(*args, paint=paint, **kwargs))
        except _PastPageLimit:
            raise RenderRefused(f"The PDF would have more than {max_pages:,} pages.") from None
    return out.getvalue()


def printed_texts(context: dict[str, Any]) -> Iterator[str]:
    """Every text a native layout prints from ``context``, for the check that the text family draws them."""
    labels: Labels = context["labels"]
    data = context["data"]
    yield from (context["title"], data.number, data.notes, context["grand_label"], context["gross"])
    yield from (context["amount_in_words"], data.seller.name, *context["preceding"], *context["footer_lines"])
    # Every label of the invoice's language, the line table's headers among them: all in one script.
    yield from (value for value in vars(labels).values() if isinstance(value, str))
    for party in (context["seller"], context["buyer"], context["ship_to"]):
        if party is not None:
            yield from (party.name, *party.address, *party.ids)
            yield from (line for group in party.contacts for line in group)
    for pair in (*context["facts"], *context["payment"]):
        yield from pair
    for row in context["total_rows"]:
        yield from (row.label, row.amount)
    for tax in context["tax_rows"]:
        yield from (tax.rate, tax.base, tax.tax)
    for note in context["tax_notes"]:
        yield from (note.category, note.name, note.reason)
    for header in context["summary_columns"].headers:
        yield from header
