"""The PDF renderer: the Document through a Django template, then xhtml2pdf.

Fonts are registered once per process (``pdf_fonts``), the template is compiled once by Django's cached
loader, and xhtml2pdf runs under a resource policy that lets it read nothing but our font files
(``pdf_resources``). xhtml2pdf has no timeout of its own beyond that policy's render deadline, so the size of
what reaches it is bounded: at most ``MAX_LINES`` lines here, and string lengths by the schema upstream.
"""

import io

from django.template.loader import render_to_string
from xhtml2pdf import pisa

from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.renderers.naming import invoice_filename
from invoices.renderers.pdf_context import invoice_context
from invoices.renderers.pdf_fonts import register_fonts
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback

TEMPLATE = "invoices/pdf/invoice.html"
CONTENT_TYPE = "application/pdf"
# The schema refuses more lines than this (SECURITY.md 7); checked again here because render time grows
# with the line count (10 to 30 ms of CPU a line) and a PDF worker must never get an unbounded document.
MAX_LINES = 1000


class PDFRenderError(RuntimeError):
    """xhtml2pdf reported errors; the file it produced, if any, is not trusted."""


def render_pdf(document: Document, options: RenderOptions) -> RenderedFile:
    """The invoice as a PDF file: A4 unless ``options.page_size`` is "letter"."""
    if len(document.lines) > MAX_LINES:
        raise ValueError(f"an invoice PDF holds at most {MAX_LINES} lines, not {len(document.lines)}")
    html = render_invoice_html(document, options)
    return RenderedFile(
        filename=invoice_filename(document, "pdf"),
        content_type=CONTENT_TYPE,
        content=html_to_pdf(html),
    )


def render_invoice_html(document: Document, options: RenderOptions) -> str:
    """The HTML handed to xhtml2pdf (autoescaped: every user value is text, never markup)."""
    return render_to_string(TEMPLATE, invoice_context(document, options))


def html_to_pdf(html: str) -> bytes:
    register_fonts()
    out = io.BytesIO()
    status = pisa.CreatePDF(
        html,
        dest=out,
        encoding="utf-8",
        link_callback=link_callback,
        resource_policy=RESOURCE_POLICY,
    )
    if status.err:
        raise PDFRenderError(f"xhtml2pdf reported {status.err} error(s)")
    return out.getvalue()
