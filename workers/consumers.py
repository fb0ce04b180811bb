"""The domain's consumers: one small class per queue, calling the same services the views call."""

import uuid
from typing import Any

from invoices.emails import notification_give_up, notification_send
from invoices.models import NotificationKind
from invoices.services import invoice_fail, invoice_render
from invoicesite.logs import invoice_logging
from workers.consumer import Consumer
from workers.errors import PermanentError


def _invoice_id(event: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(event["invoice_id"]))
    except (KeyError, ValueError):
        raise PermanentError(f"The event has no valid invoice_id: {event!r}") from None


def _kind(event: dict[str, Any]) -> str:
    kind = event.get("kind")
    if kind not in NotificationKind.values:
        raise PermanentError(f"The event has no valid notification kind: {event!r}")
    return str(kind)


class RenderConsumer(Consumer):
    queue = "render"

    def consume(self, event: dict[str, Any]) -> None:
        invoice_id = _invoice_id(event)
        with invoice_logging(invoice_id):
            invoice_render(invoice_id=invoice_id)

    def give_up(self, event: dict[str, Any], reason: str) -> None:
        try:
            invoice_id = _invoice_id(event)
        except PermanentError:
            return  # nothing to mark failed; the message itself goes to the dead-letter queue
        with invoice_logging(invoice_id):
            invoice_fail(invoice_id=invoice_id, reason=f"The invoice could not be rendered: {reason}")


class NotifyConsumer(Consumer):
    queue = "notify"

    def consume(self, event: dict[str, Any]) -> None:
        invoice_id, kind = _invoice_id(event), _kind(event)
        with invoice_logging(invoice_id):
            notification_send(invoice_id=invoice_id, kind=kind)

    def give_up(self, event: dict[str, Any], reason: str) -> None:
        try:
            invoice_id, kind = _invoice_id(event), _kind(event)
        except PermanentError:
            return
        with invoice_logging(invoice_id):
            notification_give_up(invoice_id=invoice_id, kind=kind, reason=reason)
