"""The PDF renderer: the Document through a Django template, then xhtml2pdf, with the line table placed in;
or, for a native layout (each layout's version 2; the unbranded invoice is classic version 2 since it
shipped), drawn with platypus directly from the same context (``pdf_native``).

Fonts are registered once per process, each when first needed (``pdf_fonts``), the template is compiled
once by Django's cached loader, and xhtml2pdf runs under a resource policy that lets it read nothing but our
font files (``pdf_resources``). xhtml2pdf has no timeout of its own beyond that policy's render deadline, so
the size of what reaches it is bounded: at most ``MAX_LINES`` lines here, and string lengths by the schema
upstream.

Two things are done outside xhtml2pdf's own ``CreatePDF``, for speed (``pdf_build``):

- the line table, which is most of a long invoice, is a reportlab ``Table`` built in ``pdf_table`` and put
  where the template's ``{{ line_table }}`` placeholder is, instead of being parsed and laid out cell by cell;
- "Page X of Y" is drawn in one layout pass, not two: each page is held until the last one is known and the
  template's static frames (the footer) are painted then, with the page count.

Everything else on the page, the footer included, is the HTML template: the one of the layout and version the
brand's look names (``layouts``; the service's own look is classic in the invoice's version), set in the
brand's text family (``pdf_fonts.text_family``), with the brand's logo drawn where the template holds its
placeholder (``pdf_logo``), never through xhtml2pdf.
"""

import dataclasses
import secrets
from collections.abc import Callable, Iterable, Iterator

from django.template.loader import render_to_string
from reportlab.platypus import Flowable

from invoices.document.model import BrandStyle, Document, RenderedFile, RenderOptions
from invoices.renderers import content_types
from invoices.renderers.layouts import MM, Layout, layout, layout_template, text_fonts_for
from invoices.renderers.naming import invoice_filename
from invoices.renderers.pdf_context import LineRow, invoice_context
from invoices.renderers.pdf_fonts import TEXT_FAMILIES, family_draws, register_fonts, text_family
from invoices.renderers.pdf_logo import Align, decoded_logo, logo_flowable
from invoices.renderers.pdf_native import build_native_pdf, printed_texts
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback
from invoices.renderers.pdf_table import line_table

# The template of classic version 1, the unbranded invoice before version 2.
TEMPLATE = layout_template("classic", 1)
CONTENT_TYPE = content_types.PDF
# The schema refuses more lines than this (docs/security.md case 7); checked again here because render
# time grows with the line count (docs/performance.md) and a PDF worker must never get an unbounded
# document.
MAX_LINES = 1000
# The last guard on a PDF's size, behind the schema's limits: 1,000 lines of 1,000-character descriptions made
# 2,004 pages before the text budget; descriptions of many short lines within it can still fill hundreds.
# The render stops as the page past it begins (pdf_build), and the invoice fails with the reason.
MAX_PAGES = 500

__all__ = ["CONTENT_TYPE", "MAX_LINES", "MAX_PAGES", "render_pdf"]


def render_pdf(document: Document, options: RenderOptions) -> RenderedFile:
    """The invoice as a PDF file: A4 unless ``options.page_size`` is "letter", in the look of
    ``options.style`` (the service's own look unless a brand version gave one)."""
    if len(document.lines) > MAX_LINES:
        raise ValueError(f"an invoice PDF holds at most {MAX_LINES} lines, not {len(document.lines)}")
    style = options.style
    chosen = layout(style.layout, style.layout_version)
    if style.logo:
        # Decoded (or taken from the process's cache) before anything is laid out: a logo the renderer
        # refuses fails the rendition with its reason at once.
        decoded_logo(style.logo, style.logo_content_type)
    register_fonts()
    fonts = text_fonts_for(style)
    if chosen.native:
        return RenderedFile(
            filename=invoice_filename(document, "pdf"),
            content_type=CONTENT_TYPE,
            content=_native(document, options, chosen, fonts),
        )
    # xhtml2pdf's HTML and CSS machinery (some 30 MiB of a process) only for the layouts drawn through it.
    from invoices.renderers.pdf_build import build_pdf

    context, html, placeholders = _page(document, options, fonts)
    if not family_draws(_printed_texts([html], context), fonts):
        # DejaVu Serif lacks letters DejaVu Sans has (Hebrew): such an invoice is set in DejaVu Sans, the
        # same every time it is rendered, rather than with boxes where the letters should be.
        fonts = TEXT_FAMILIES["sans"]
        context, html, placeholders = _page(document, options, fonts)
    table_placeholder, logo_placeholder = placeholders

    def table() -> Flowable:
        return line_table(
            context["lines"],  # type: ignore[arg-type]
            context["columns"],  # type: ignore[arg-type]
            context["labels"],  # type: ignore[arg-type]
            float(context["frame"]),  # type: ignore[arg-type]
        )

    inline: dict[str, Callable[[], Flowable]] = {}
    if logo_placeholder:
        inline[logo_placeholder] = _logo(style, chosen, str(context["direction"]))
    with text_family(fonts):
        content = build_pdf(
            html,
            {table_placeholder: table},
            inline=inline,
            link_callback=link_callback,
            resource_policy=RESOURCE_POLICY,
            max_pages=MAX_PAGES,
        )
    return RenderedFile(
        filename=invoice_filename(document, "pdf"),
        content_type=CONTENT_TYPE,
        content=content,
    )


def _native(document: Document, options: RenderOptions, chosen: Layout, fonts: tuple[str, str]) -> bytes:
    """The PDF of a layout drawn with platypus directly (``pdf_native``)."""
    with text_family(fonts):
        context = invoice_context(document, options)
    if not family_draws(_printed_texts(printed_texts(context), context), fonts):
        fonts = TEXT_FAMILIES["sans"]  # as in render_pdf: DejaVu Serif lacks Hebrew
        with text_family(fonts):
            context = invoice_context(document, options)
    style = options.style
    logo = _logo(style, chosen, str(context["direction"])) if style.logo else None
    with text_family(fonts):
        return build_native_pdf(
            context, fonts, chosen, logo=logo, max_pages=MAX_PAGES, policy=RESOURCE_POLICY
        )


def _logo(style: BrandStyle, chosen: Layout, direction: str) -> Callable[[], Flowable]:
    """What builds the brand's logo, fitted into the layout's box on its side."""
    box = (chosen.logo_box[0] * MM, chosen.logo_box[1] * MM)
    align = _logo_align(chosen, direction)
    space = chosen.logo_space * MM
    return lambda: logo_flowable(style.logo, style.logo_content_type, box, align, space)


def _page(
    document: Document, options: RenderOptions, fonts: tuple[str, str]
) -> tuple[dict[str, object], str, tuple[str, str]]:
    """The template's context measured in ``fonts``, the page's HTML, and its placeholders (the line
    table's, the logo's or "" without a logo). Each placeholder is a fresh random word, so no user text can
    stand in for it."""
    with text_family(fonts):
        context = invoice_context(document, options)
    table = f"invoice-line-table-{secrets.token_hex(16)}"
    logo = f"invoice-logo-{secrets.token_hex(16)}" if options.style.logo else ""
    template = layout_template(options.style.layout, options.style.layout_version)
    html = render_to_string(template, {**context, "line_table": table, "logo": logo})
    return context, html, (table, logo)


def _printed_texts(page: Iterable[str], context: dict[str, object]) -> Iterator[str]:
    """Every text the page prints: ``page`` (the HTML, whose markup is ASCII, so only text is checked; or a
    native layout's texts) and the line table's cells, which are not in it."""
    yield from page
    lines: list[LineRow] = context["lines"]  # type: ignore[assignment]
    for line in lines:
        for value in dataclasses.astuple(line):
            if isinstance(value, str):
                yield value
            elif isinstance(value, tuple):
                yield from (item for item in value if isinstance(item, str))


def _logo_align(chosen: Layout, direction: str) -> Align:
    """The side of its cell the logo sits on: the layout's start or end, mirrored on a right-to-left page."""
    start_is_left = direction != "rtl"
    return "left" if (chosen.logo_side == "start") == start_is_left else "right"
