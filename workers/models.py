"""The transactional outbox (docs/reliability.md rule 1).

A job is written here in the same database transaction as the row it is about; a relay publishes it to
RabbitMQ and marks it sent only after the broker's publisher confirm. A crash anywhere in between leaves
the row unsent, and it is published again: consumers are idempotent, so at-least-once is enough.
"""

import uuid

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    queue = models.CharField(max_length=64)  # the logical queue: "render" or "notify"
    payload = models.JSONField()  # ids and plain values only, never model objects
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    publish_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The relay's scan: unsent rows, oldest first.
            models.Index(fields=["created_at"], name="outbox_unsent", condition=Q(sent_at__isnull=True)),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "pending"
        return f"{self.queue} {self.message_id} ({state})"
