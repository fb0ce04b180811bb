"""A render consumer whose renderer crashes on marked invoices, for ``WORKER_TEST_CONSUMERS`` (a subprocess
cannot be monkeypatched). Every other invoice goes through the real RenderConsumer."""

from invoices.consumers import RenderConsumer
from invoices.jobs import RenderInvoice
from invoices.models import Invoice

CRASH_MARK = "CRASH-"  # an invoice number starting with this makes the renderer crash, every time


class CrashingRenderConsumer(RenderConsumer):
    def handle(self, job: RenderInvoice) -> None:
        invoice = Invoice.objects.filter(id=job.invoice_id).first()
        if invoice is not None and invoice.number.startswith(CRASH_MARK):
            raise RuntimeError(f"the renderer crashed on {invoice.number}")
        super().handle(job)
