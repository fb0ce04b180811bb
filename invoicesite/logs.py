"""Every log line about an invoice carries its id, as a field of its own (``invoice_id`` in JSON logs)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_invoice_id: ContextVar[str | None] = ContextVar("invoice_id", default=None)


@contextmanager
def invoice_logging(invoice_id: object) -> Iterator[None]:
    """Within this block (and the threads' own contexts), log records name the invoice."""
    token = _invoice_id.set(str(invoice_id))
    try:
        yield
    finally:
        _invoice_id.reset(token)


class InvoiceContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        invoice_id = getattr(record, "invoice_id", None) or _invoice_id.get()
        record.invoice_id = invoice_id
        record.invoice_label = f"[invoice {invoice_id}] " if invoice_id else ""
        return True
