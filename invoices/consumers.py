"""The invoices app's consumers and sweep, found by workers.registry: one small class per queue, calling
the same services the views call."""

from invoices.jobs import RenderInvoice, SendNotification
from invoices.notifications import notification_give_up, notification_send, notifications_requeue_due
from invoices.services import invoice_fail, invoice_render
from invoicesite.logs import invoice_logging
from workers.registry import Consumer, consumer, sweep


@consumer("render")
class RenderConsumer(Consumer[RenderInvoice]):
    job = RenderInvoice

    def handle(self, job: RenderInvoice) -> None:
        with invoice_logging(job.invoice_id):
            invoice_render(invoice_id=job.invoice_id, fmt=job.format)

    def fail(self, job: RenderInvoice, reason: str) -> None:
        with invoice_logging(job.invoice_id):
            invoice_fail(
                invoice_id=job.invoice_id,
                fmt=job.format,
                reason=f"The invoice could not be rendered: {reason}",
            )


@consumer("notify")
class NotifyConsumer(Consumer[SendNotification]):
    job = SendNotification

    def handle(self, job: SendNotification) -> None:
        with invoice_logging(job.invoice_id):
            notification_send(invoice_id=job.invoice_id, kind=job.kind)

    def fail(self, job: SendNotification, reason: str) -> None:
        with invoice_logging(job.invoice_id):
            notification_give_up(invoice_id=job.invoice_id, kind=job.kind, reason=reason)


@sweep("notifications")
def notifications_sweep() -> int:
    # Emails whose attempt is due: a dispatch a crash or an outage lost, or a retry after a sending failure.
    return notifications_requeue_due()
