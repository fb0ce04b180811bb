"""Invoice documents: validate a request body, compute every amount, hand renderers a frozen ``Document``.

options, document = build_document(payload)            # raises DocumentInvalid listing every error
rendered = render(document, options)                   # invoices.renderers
"""

from invoices.document.errors import DocumentInvalid
from invoices.document.model import Document, RenderOptions
from invoices.document.schema import read_request

__all__ = ["DocumentInvalid", "build_document"]


def build_document(payload: object, *, default_format: str | None = None) -> tuple[RenderOptions, Document]:
    """Parse the body (current or legacy format), compute the invoice and check the totals the client sent.

    ``payload`` is JSON parsed with Decimal numbers (``invoices.document.jsonio.loads_document_json``).
    ``default_format`` applies when the body names no format (the legacy ``/upload?format=`` contract).
    """
    return read_request(payload, default_format=default_format)
