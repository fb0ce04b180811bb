"""The webhook queue's consumer and this app's sweep, found by workers.registry."""

from webhooks.delivery import deliveries_requeue_due, delivery_attempt, delivery_give_up, disabled_emails_send
from webhooks.jobs import DeliverWebhook
from workers.registry import Consumer, consumer, sweep


@consumer("webhook")
class WebhookConsumer(Consumer[DeliverWebhook]):
    job = DeliverWebhook

    def handle(self, job: DeliverWebhook) -> None:
        delivery_attempt(delivery_id=job.delivery_id)

    def fail(self, job: DeliverWebhook, reason: str) -> None:
        delivery_give_up(delivery_id=job.delivery_id, reason=reason)


@sweep("webhooks")
def webhooks_sweep() -> int:
    # Attempts that are due (a retry after a failure, or a first attempt whose job was lost), and the
    # emails telling owners that an endpoint was disabled.
    return deliveries_requeue_due() + disabled_emails_send()
