"""The invoices app's jobs. Their payloads are the wire format that queued messages already carry: keys,
value types and queue names must not change while any message written by an older release may be queued."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from invoices.models import InvoiceFormat, NotificationKind
from workers.errors import PermanentError
from workers.jobs import Job, payload_choice, payload_uuid


@dataclass(frozen=True)
class RenderInvoice(Job):
    """Render one rendition of an invoice: ``{"invoice_id": "...", "format": "csv"}``.

    A message from the release before renditions has no ``format``: it means the invoice's first format
    (``None`` here), which is the one rendition such an invoice has.
    """

    queue: ClassVar[str] = "render"

    invoice_id: uuid.UUID
    format: str | None = None  # an InvoiceFormat value

    def to_payload(self) -> dict[str, Any]:
        payload = {"invoice_id": str(self.invoice_id)}
        if self.format is not None:
            payload["format"] = str(self.format)
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        fmt = None
        if "format" in payload:
            fmt = payload_choice(payload, "format", InvoiceFormat.values, "rendition format")
        return cls(invoice_id=payload_uuid(payload, "invoice_id"), format=fmt)


# The kind of the one email a batch sends when every invoice in it is final (invoices/batch_notifications.py).
BATCH_COMPLETED = "batch_completed"


@dataclass(frozen=True)
class SendNotification(Job):
    """Send one email: an invoice's ``{"invoice_id": "...", "kind": "ready"}``, or a batch's
    ``{"batch_id": "...", "kind": "batch_completed"}``.

    The notify queue has one job class, so its consumer stays one: exactly one of ``invoice_id`` and
    ``batch_id`` is set. Messages written before batches carry ``invoice_id`` and read as before.
    """

    queue: ClassVar[str] = "notify"

    invoice_id: uuid.UUID | None
    kind: str  # a NotificationKind value, or BATCH_COMPLETED with a batch_id
    batch_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.invoice_id is None) == (self.batch_id is None):
            raise ValueError("a notification is about an invoice or a batch: give exactly one of the two ids")

    def to_payload(self) -> dict[str, Any]:
        if self.batch_id is not None:
            return {"batch_id": str(self.batch_id), "kind": str(self.kind)}
        return {"invoice_id": str(self.invoice_id), "kind": str(self.kind)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        if "batch_id" in payload:
            if "invoice_id" in payload:
                raise PermanentError(f"The event names both an invoice and a batch: {dict(payload)!r}")
            return cls(
                invoice_id=None,
                batch_id=payload_uuid(payload, "batch_id"),
                kind=payload_choice(payload, "kind", (BATCH_COMPLETED,), "batch notification kind"),
            )
        return cls(
            invoice_id=payload_uuid(payload, "invoice_id"),
            kind=payload_choice(payload, "kind", NotificationKind.values, "notification kind"),
        )
