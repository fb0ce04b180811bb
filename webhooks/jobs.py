"""The webhook queue's job: ``{"delivery_id": "..."}``, one attempt at one delivery (webhooks.models)."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from workers.jobs import Job, payload_uuid


@dataclass(frozen=True)
class DeliverWebhook(Job):
    queue: ClassVar[str] = "webhook"

    delivery_id: uuid.UUID

    def to_payload(self) -> dict[str, Any]:
        return {"delivery_id": str(self.delivery_id)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(delivery_id=payload_uuid(payload, "delivery_id"))
