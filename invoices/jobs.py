"""The invoices app's jobs. Their payloads are the wire format that queued messages already carry: keys,
value types and queue names must not change while any message written by an older release may be queued."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from invoices.models import NotificationKind
from workers.jobs import Job, payload_choice, payload_uuid


@dataclass(frozen=True)
class RenderInvoice(Job):
    queue: ClassVar[str] = "render"

    invoice_id: uuid.UUID

    def to_payload(self) -> dict[str, Any]:
        return {"invoice_id": str(self.invoice_id)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(invoice_id=payload_uuid(payload, "invoice_id"))


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
