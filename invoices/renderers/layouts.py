"""The PDF layouts shipped with the service, and what a brand's look (BrandStyle) makes of them.

A layout is a template of ours (``invoices/templates/invoices/pdf/layouts/``) or, for a ``native`` one, code
of ours that draws it with platypus directly (``pdf_native``), never markup a user supplied: a brand chooses
one by name and version, and its values reach the page only as data (escaped text, a colour checked here, a
font from our set, a logo drawn by ``pdf_logo``).

**A version once shipped is never edited.** An issued invoice keeps its brand version, and with it the
layout version it names, so re-rendering it years later must give the same look: a change to a layout is a
new version (``modern_v2.html`` next to ``modern_v1.html``, a new entry in ``LAYOUTS`` and ``CURRENT``
pointing at it), and the shared pieces a version includes (``_base_v1.html``, ``_party.html``) are part of
it: changing one means copying it to a new versioned name for the new layout versions; the same holds for
a native layout's code. The unbranded invoice is the classic layout in the version the invoice was issued
with (``Invoice.layout_version``): version 1, the invoice as it looked before brands, through the template
and xhtml2pdf, for invoices issued before version 2; version 2, the same page drawn natively, for those
issued on 2026-12-04; version 3, version 2 with its defects corrected (``Layout.corrected``), for those
issued earlier on 2026-12-05; version 4, version 3 with every text broken into its lines by ``pdf_breaks``
(Chinese and Japanese by the kinsoku rules, a code after its own separators, a cut word with a hyphen;
Arabic-script labels a quarter larger; ``Layout.typeset``), for those issued later on 2026-12-05; version 5,
version 4 with the invoice's closing kept on one page (its last lines, the totals, the notes and the payment
details; ``Layout.closing``), since (``DEFAULT_STYLE``).
"""

import re
from dataclasses import dataclass
from typing import Literal

from invoices.document.model import DEFAULT_STYLE, BrandStyle
from invoices.renderers import RenderRefused
from invoices.renderers.pdf_fonts import TEXT_FAMILIES

MM = 72 / 25.4  # points per millimetre

Side = Literal["start", "end"]


@dataclass(frozen=True)
class Layout:
    """One version of a layout: its template and the geometry the renderer needs outside the template
    (the frame the line table is measured for, the box the logo is fitted into)."""

    name: str
    version: int
    template: str
    side_margin: float  # mm, left and right (the @page margin the frame's width follows from)
    top_margin: float  # mm
    bottom_margin: float  # mm, without the brand's footer lines
    logo_box: tuple[float, float]  # mm, the largest width and height the logo is fitted into
    logo_side: Side  # where the logo sits in its cell, in reading order ("start" is the left in English)
    logo_space: float = 0.0  # mm between the logo and what follows it in its cell
    title_max: float | None = None  # pt, a cap on the title's size (the compact layout's smaller type)
    # The title's column as a share of the frame, and the padding inside it (mm, both sides together), for a
    # layout whose title is not in classic's 40 % column (pdf_context.title_size); 0 for classic's.
    title_share: float = 0.0
    title_padding: float = 0.0
    # Drawn with platypus directly (pdf_native) rather than through the template and xhtml2pdf.
    native: bool = False
    # Version 3's corrections of version 2 (2026-12-05), each where it is made: the tax breakdown's
    # headers get their room before the amounts, a label never runs into its value, Turkish and Greek
    # capitals as those languages write them, a seller's identifier never cut, bold right-to-left text
    # wrapped as drawn, a unit in a script of its own on its quantity's line. False for the versions
    # shipped before, which never change.
    corrected: bool = False
    # Version 4's corrections of version 3 (2026-12-05): every text wrapped by pdf_breaks before it reaches
    # its paragraph or label, so Chinese and Japanese break by their kinsoku rules (a number kept with its
    # counter), a code after its own separators, and a word cut for want of room is hyphenated; Arabic-script
    # labels and column headers a quarter larger (pdf_layout.label_scale); the header's facts sharing their
    # width values first, then the labels' longest word, a billing period broken at its dash only
    # (pdf_native._fact_labels_room); no list's middle dot left at a line's end. False for the versions
    # shipped before.
    typeset: bool = False
    # Version 5's corrections of version 4 (2026-12-05): the invoice's closing, its last two lines, the
    # totals, the notes and the payment details, kept on one page where they fit one, the lines under the
    # column headers when they start it (pdf_native._closing; version 4 moved the totals, or the notes and
    # payment details alone, on to a last page of their own: the bench's 20-line invoice printed its IBAN
    # alone on page 2); the exemption wording the service writes for a seller who gave none said in the
    # invoice's language alone (wording.tax_notes; version 4 printed "Steuerschuldnerschaft des
    # Leistungsempfängers: Reverse charge"); the buyer and the facts in two columns where there is no ship-to
    # party (pdf_native._bill_to_and_facts); payment terms of more than two lines printed with the notes
    # rather than as a narrow bold column in the header (pdf_native._header_facts). False for the versions
    # shipped before.
    composed: bool = False

    @property
    def frame_margin(self) -> float:
        """The side margin in points."""
        return self.side_margin * MM

    def title_room(self, frame: float) -> float:
        """The width in pt the title has in a frame ``frame`` pt wide."""
        return frame * self.title_share - self.title_padding * MM


_DIR = "invoices/pdf/layouts"

LAYOUTS: dict[str, dict[int, Layout]] = {
    # Today's invoice, with the logo top left above the seller's name, the accent on the title and total.
    # Each layout's version 2 is its version 1's page drawn with platypus directly, several times faster
    # (pdf_native).
    "classic": {
        1: Layout("classic", 1, f"{_DIR}/classic_v1.html", 16, 16, 20, (60, 16), "start", 3),
        2: Layout("classic", 2, "", 16, 16, 20, (60, 16), "start", 3, native=True),
        3: Layout("classic", 3, "", 16, 16, 20, (60, 16), "start", 3, native=True, corrected=True),
        **{
            version: Layout(
                "classic",
                version,
                "",
                16,
                16,
                20,
                (60, 16),
                "start",
                3,
                native=True,
                corrected=True,
                typeset=True,
                composed=version >= 5,
            )
            for version in (4, 5)
        },
    },
    # A band in the accent colour with the logo at its start and the title in it; more air around blocks.
    "modern": {
        version: Layout(
            "modern",
            version,
            f"{_DIR}/modern_v1.html" if version == 1 else "",
            16,
            14,
            20,
            (62, 15),
            "start",
            0,
            title_share=0.5,
            title_padding=10,
            native=version >= 2,
            corrected=version >= 3,
            typeset=version >= 4,
            composed=version >= 5,
        )
        for version in (1, 2, 3, 4, 5)
    },
    # Smaller type and margins for long invoices; the logo small at the top, at the end of the line.
    "compact": {
        1: Layout("compact", 1, f"{_DIR}/compact_v1.html", 10, 10, 16, (36, 9), "end", 2, 15.0),
        2: Layout("compact", 2, "", 10, 10, 16, (36, 9), "end", 2, 15.0, native=True),
        3: Layout("compact", 3, "", 10, 10, 16, (36, 9), "end", 2, 15.0, native=True, corrected=True),
        **{
            version: Layout(
                "compact",
                version,
                "",
                10,
                10,
                16,
                (36, 9),
                "end",
                2,
                15.0,
                native=True,
                corrected=True,
                typeset=True,
                composed=version >= 5,
            )
            for version in (4, 5)
        },
    },
}
# The version a new brand version gets: the newest of each layout.
CURRENT = {"classic": 5, "modern": 5, "compact": 5}

ACCENT_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_ACCENT = DEFAULT_STYLE.accent_color
FOOTER_MAX_LINES = 3
FOOTER_MAX_CHARS = 300
# The footer's lines, at the page footer's 7pt with line-height 1.35, in mm, and the frame's own height.
FOOTER_LINE_MM = 3.4
FOOTER_FRAME_MM = 8.0


def layout(name: str, version: int) -> Layout:
    """The layout ``name`` at ``version``. RenderRefused for one we never shipped: a brand version names
    only layouts validated against ``LAYOUTS``, so this is a stored value gone wrong, not a user's typo,
    and drawing the invoice in another look would misrepresent it."""
    found = LAYOUTS.get(name, {}).get(version)
    if found is None:
        raise RenderRefused(f"The brand's layout {name!r} version {version} is not one this service ships.")
    return found


def layout_template(name: str, version: int) -> str:
    """The template of the layout ``name`` at ``version``."""
    return layout(name, version).template


def accent_color(value: str) -> str:
    """``value`` when it is a colour "#rrggbb" (lower case), else the default accent: checked again here,
    though brands are validated on the way in, because it is written into a stylesheet and must never be
    anything but a colour there."""
    return value.lower() if ACCENT_PATTERN.fullmatch(value) else DEFAULT_ACCENT


def _luminance(colour: str) -> float:
    """The WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def on_accent(accent: str) -> str:
    """The text colour that reads on ``accent`` (a checked "#rrggbb"): white on a dark accent, ink on a
    light one (WCAG contrast ratio, whichever is higher)."""
    luminance = _luminance(accent)
    white = 1.05 / (luminance + 0.05)
    ink = (luminance + 0.05) / 0.05
    return "#ffffff" if white >= ink else "#102a43"


# WCAG's contrast for large text (the title is 15 pt bold and up): 3 to 1 against the white page.
MIN_TITLE_CONTRAST = 3.0


def accent_text(accent: str) -> str:
    """``accent`` as the colour of text on the white page: itself when it reads (MIN_TITLE_CONTRAST), else
    darkened in steps until it does (a pale yellow brand gets a deep ochre title, not an invisible one)."""
    red, green, blue = (int(accent[i : i + 2], 16) for i in (1, 3, 5))
    colour = accent
    while 1.05 / (_luminance(colour) + 0.05) < MIN_TITLE_CONTRAST:
        red, green, blue = (int(c * 0.9) for c in (red, green, blue))
        colour = f"#{red:02x}{green:02x}{blue:02x}"
    return colour


def footer_lines(text: str) -> list[str]:
    """The brand's footer as printed lines: at most FOOTER_MAX_LINES non-blank lines of what the brand
    says, FOOTER_MAX_CHARS in all (the brand's validation holds it to both; a stored value past them is
    cut here rather than pushing the page's text off the page)."""
    lines = [line.strip() for line in text[:FOOTER_MAX_CHARS].splitlines()]
    return [line for line in lines if line][:FOOTER_MAX_LINES]


def text_fonts_for(style: BrandStyle) -> tuple[str, str]:
    """The (regular, bold) text fonts of the brand's family; DejaVu Sans for any name we do not ship."""
    return TEXT_FAMILIES.get(style.font, TEXT_FAMILIES["sans"])


def layout_context(style: BrandStyle, chosen: Layout, fonts: tuple[str, str]) -> dict[str, object]:
    """What the layout templates read of the brand, every value checked or escaped by the template."""
    accent = accent_color(style.accent_color)
    lines = footer_lines(style.footer)
    footer_mm = FOOTER_LINE_MM * len(lines)
    return {
        "layout": chosen,
        "accent": accent,
        "accent_text": accent_text(accent),
        "on_accent": on_accent(accent),
        "font_family": fonts[0],
        "footer_lines": lines,
        "margin": f"{chosen.top_margin}mm {chosen.side_margin}mm {chosen.bottom_margin + footer_mm:g}mm "
        f"{chosen.side_margin}mm",
        "side_margin": f"{chosen.side_margin}mm",
        "footer_bottom": f"{max(6.0, chosen.bottom_margin - 12):g}mm",
        "footer_height": f"{FOOTER_FRAME_MM + footer_mm:g}mm",
    }
