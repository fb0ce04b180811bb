"""Webhooks as the Standard Webhooks specification describes them (standardwebhooks.com).

An account registers endpoints (a URL and the event types it wants). Each event an account's invoices go
through becomes one ``WebhookDelivery`` per subscribed endpoint, written in the same transaction as the
change it announces; its id is the ``webhook-id`` header, the same on every attempt, so a receiver can drop
a duplicate. Every attempt leaves a ``WebhookAttempt`` row (the endpoint's log of recent deliveries).

The events are the apps' own (``invoices`` emits them, ``webhooks.services.event_emit``): this app knows no
invoice, only an owner, an event type and the JSON the receiver gets.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    INVOICE_READY = "invoice.ready", "invoice.ready: every file of an invoice is ready"
    INVOICE_FAILED = "invoice.failed", "invoice.failed: a file of an invoice could not be made"
    RENDITION_READY = "invoice.rendition.ready", "invoice.rendition.ready: one file of an invoice is ready"
    BATCH_COMPLETED = "batch.completed", "batch.completed: every invoice of a batch is ready or failed"
    # Sent to one endpoint when its owner asks (POST /api/webhooks/{id}/test/), never subscribed to.
    WEBHOOK_TEST = "webhook.test", "webhook.test: a test event its owner asked for"


# The events an endpoint may subscribe to: every type but the test, which goes only where it is asked for.
SUBSCRIBABLE_EVENTS = [value for value in EventType.values if value != EventType.WEBHOOK_TEST]


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)  # EventType values
    # "whsec_" + base64 of 32 random bytes. Shown to the owner once, when it is made (create, rotate).
    secret = models.CharField(max_length=100)
    # The secret before the last rotation: deliveries carry a signature with each until it expires.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    # Why it is disabled: by its owner (""), or by us after failing for WEBHOOK_DISABLE_AFTER_SECONDS.
    disabled_reason = models.TextField(blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Set when an endpoint is disabled for failing; cleared once its owner has been told by email.
    disabled_email_due = models.BooleanField(default=False)
    # The first failed attempt since the last successful one; None while the endpoint answers.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["owner", "enabled"], name="webhook_endpoint_owner")]

    def __str__(self) -> str:
        return f"{self.url} ({'enabled' if self.enabled else 'disabled'})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # queued, or waiting for its next attempt
    SUCCEEDED = "succeeded"  # the endpoint answered 2xx
    FAILED = "failed"  # no more attempts: too old, the endpoint disabled or deleted, or refused by our checks


class WebhookDelivery(models.Model):
    """One event for one endpoint: the message, its signature id, and where its attempts stand."""

    # The ``webhook-id``: "msg_" + this id's hex.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # What the event is about, so the same event is recorded once per endpoint (the unique constraint):
    # "invoice.ready:<invoice id>", "invoice.rendition.ready:<invoice id>:pdf", "batch.completed:<batch id>".
    event_key = models.CharField(max_length=200)
    # The JSON body as sent, {"type", "timestamp", "data"}: the same bytes on every attempt.
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the relay queues the next attempt; None while one is queued or none is due (succeeded, failed).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_key"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent"),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status="pending", next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id} ({self.status})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"


class WebhookAttempt(models.Model):
    """One try at one delivery: what the endpoint answered, or why nothing was sent."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # None: no HTTP answer
    # Our own words for a failure without an answer: a refused address, a timeout, a TLS error.
    error = models.TextField(blank=True)
    response_body = models.TextField(blank=True)  # at most WEBHOOK_MAX_RESPONSE_BYTES, decoded leniently

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"attempt at {self.started_at}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
