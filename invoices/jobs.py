"""The invoices app's jobs. Their payloads are the wire format that queued messages already carry: keys,
value types and queue names must not change while any message written by an older release may be queued."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from invoices.models import InvoiceFormat, NotificationKind
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


@dataclass(frozen=True)
class SendNotification(Job):
    queue: ClassVar[str] = "notify"

    invoice_id: uuid.UUID
    kind: str  # a NotificationKind value

    def to_payload(self) -> dict[str, Any]:
        return {"invoice_id": str(self.invoice_id), "kind": str(self.kind)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            invoice_id=payload_uuid(payload, "invoice_id"),
            kind=payload_choice(payload, "kind", NotificationKind.values, "notification kind"),
        )
