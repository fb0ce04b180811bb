"""The invoices app's consumers and sweep, found by workers.registry: one small class per queue, calling
the same services the views call."""

from invoices.batch_notifications import batch_email_give_up, batch_email_send, batch_emails_requeue_due
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
    """One email: an invoice's (ready, failed) or a batch's (batch_completed), by which id the job has."""

    job = SendNotification

    def handle(self, job: SendNotification) -> None:
        if job.batch_id is not None:
            batch_email_send(batch_id=job.batch_id)
        elif job.invoice_id is not None:
            with invoice_logging(job.invoice_id):
                notification_send(invoice_id=job.invoice_id, kind=job.kind)

    def fail(self, job: SendNotification, reason: str) -> None:
        if job.batch_id is not None:
            batch_email_give_up(batch_id=job.batch_id, reason=reason)
        elif job.invoice_id is not None:
            with invoice_logging(job.invoice_id):
                notification_give_up(invoice_id=job.invoice_id, kind=job.kind, reason=reason)


@sweep("notifications")
def notifications_sweep() -> int:
    # Emails whose attempt is due: a dispatch a crash or an outage lost, or a retry after a sending failure.
    return notifications_requeue_due()


@sweep("batch_emails")
def batch_emails_sweep() -> int:
    # The same for the one email of each completed batch.
    return batch_emails_requeue_due()
