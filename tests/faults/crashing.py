"""A render consumer whose renderer crashes on marked invoices, for ``WORKER_TEST_CONSUMERS`` (a subprocess
cannot be monkeypatched). Every other invoice goes through the real RenderConsumer."""

import uuid
from typing import Any

from invoices.models import Invoice
from workers.consumers import RenderConsumer

CRASH_MARK = "CRASH-"  # an invoice number starting with this makes the renderer crash, every time


class CrashingRenderConsumer(RenderConsumer):
    def consume(self, event: dict[str, Any]) -> None:
        try:
            invoice = Invoice.objects.filter(id=uuid.UUID(str(event["invoice_id"]))).first()
        except (KeyError, ValueError):
            invoice = None  # the real consumer says why
        if invoice is not None and invoice.number.startswith(CRASH_MARK):
            raise RuntimeError(f"the renderer crashed on {invoice.number}")
        super().consume(event)
