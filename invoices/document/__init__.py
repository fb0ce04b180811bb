"""Invoice documents: validate a request body, compute every amount, hand renderers a frozen ``Document``.

options, document = read_request(payload)    # invoices.document.validation; raises DocumentInvalid
rendered = render(document, options)         # invoices.renderers
"""

from invoices.document.errors import DocumentInvalid

__all__ = ["DocumentInvalid"]
