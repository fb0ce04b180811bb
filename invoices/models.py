"""Invoices as issued: a frozen copy of the validated input, its computed totals and its rendered file.

Invoices are never edited or deleted through the API (pretix's rule: corrections are new documents). The
status moves only forward, ``queued -> rendering -> ready | failed``, through compare-and-set updates in
``invoices.services`` so that a duplicated or redelivered job can never produce a second file.
"""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class InvoiceStatus(models.TextChoices):
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


class InvoiceFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=64)
    format = models.CharField(max_length=8, choices=InvoiceFormat.choices)
    page_size = models.CharField(max_length=8, default="A4")
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.QUEUED)
    failure_reason = models.TextField(blank=True)

    # The request body as accepted, rendered only from this copy. Decimals are stored as strings
    # (DjangoJSONEncoder), which the schema reads back to the same exact values.
    input = models.JSONField(encoder=DjangoJSONEncoder)
    currency = models.CharField(max_length=3)
    total_net = models.DecimalField(max_digits=24, decimal_places=4)
    total_tax = models.DecimalField(max_digits=24, decimal_places=4)
    total_gross = models.DecimalField(max_digits=24, decimal_places=4)

    # The rendered file, set once when the invoice becomes ready.
    file_name = models.CharField(max_length=255, blank=True)  # the storage's name of the file
    download_name = models.CharField(max_length=120, blank=True)  # the safe name offered to the user
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    idempotency_key = models.CharField(max_length=255, blank=True)  # "" when the client sent none
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="invoice_idempotency_key_per_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="invoice_owner_recent"),
            models.Index(fields=["file_name"], name="invoice_file_name"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.format}, {self.status})"


class NotificationKind(models.TextChoices):
    READY = "ready"
    FAILED = "failed"


class Notification(models.Model):
    """One email per invoice and event: the unique constraint is what keeps it to one."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    recipient = models.EmailField(max_length=254)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the relay queues the job (again) if the email is still unsent: a new notification's job is
    # published after its commit and this is set NOTIFY_DISPATCH_GRACE_SECONDS ahead, in case that publish is
    # lost; after a sending failure it is the next attempt. Null: none scheduled (sent, failed, or queued).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set when no more attempts will be made (last_error says why); sent_at stays null.
    failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind"], name="notification_once_per_invoice_kind"),
        ]
        indexes = [
            # The relay's scan for retries that are due.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_retry_due",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} notification for {self.invoice_id}"
