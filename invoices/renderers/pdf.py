"""The PDF renderer: the Document through a Django template, then xhtml2pdf, with the line table placed in.

Fonts are registered once per process (``pdf_fonts``), the template is compiled once by Django's cached
loader, and xhtml2pdf runs under a resource policy that lets it read nothing but our font files
(``pdf_resources``). xhtml2pdf has no timeout of its own beyond that policy's render deadline, so the size of
what reaches it is bounded: at most ``MAX_LINES`` lines here, and string lengths by the schema upstream.

Two things are done outside xhtml2pdf's own ``CreatePDF``, for speed (``pdf_build``):

- the line table, which is most of a long invoice, is a reportlab ``Table`` built in ``pdf_table`` and put
  where the template's ``{{ line_table }}`` placeholder is, instead of being parsed and laid out cell by cell;
- "Page X of Y" is drawn in one layout pass, not two: each page is held until the last one is known and the
  template's static frames (the footer) are painted then, with the page count.

Everything else on the page, the footer included, is the HTML template.
"""

import secrets

from django.template.loader import render_to_string
from reportlab.platypus import Flowable

from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.renderers import content_types
from invoices.renderers.naming import invoice_filename
from invoices.renderers.pdf_build import PDFRenderError, build_pdf
from invoices.renderers.pdf_context import invoice_context
from invoices.renderers.pdf_fonts import register_fonts
from invoices.renderers.pdf_layout import frame_width
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback
from invoices.renderers.pdf_table import line_table

TEMPLATE = "invoices/pdf/invoice.html"
CONTENT_TYPE = content_types.PDF
# The schema refuses more lines than this (docs/security.md case 7); checked again here because render
# time grows with the line count (docs/performance.md) and a PDF worker must never get an unbounded
# document.
MAX_LINES = 1000
# The last guard on a PDF's size, behind the schema's limits: 1,000 lines of 1,000-character descriptions made
# 2,004 pages before the text budget; descriptions of many short lines within it can still fill hundreds.
# The render stops as the page past it begins (pdf_build), and the invoice fails with the reason.
MAX_PAGES = 500

__all__ = ["CONTENT_TYPE", "MAX_LINES", "MAX_PAGES", "PDFRenderError", "render_pdf"]


def render_pdf(document: Document, options: RenderOptions) -> RenderedFile:
    """The invoice as a PDF file: A4 unless ``options.page_size`` is "letter"."""
    if len(document.lines) > MAX_LINES:
        raise ValueError(f"an invoice PDF holds at most {MAX_LINES} lines, not {len(document.lines)}")
    context = invoice_context(document, options)
    # The placeholder is a fresh random word, so no user text can stand in for it.
    placeholder = f"invoice-line-table-{secrets.token_hex(16)}"
    html = render_to_string(TEMPLATE, {**context, "line_table": placeholder})
    register_fonts()

    def table() -> Flowable:
        return line_table(
            context["lines"],  # type: ignore[arg-type]
            context["columns"],  # type: ignore[arg-type]
            context["labels"],  # type: ignore[arg-type]
            frame_width(str(context["page_size"])),
        )

    content = build_pdf(
        html,
        {placeholder: table},
        link_callback=link_callback,
        resource_policy=RESOURCE_POLICY,
        max_pages=MAX_PAGES,
    )
    return RenderedFile(
        filename=invoice_filename(document, "pdf"),
        content_type=CONTENT_TYPE,
        content=content,
    )
