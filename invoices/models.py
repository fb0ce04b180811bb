"""Invoices as issued: a frozen copy of the validated input, its computed totals, and its renditions.

An ``Invoice`` is one legal document, issued once: its number is unique per owner and seller name, and it is
never edited or deleted through the API (pretix's rule: corrections are new documents, credit notes). Its
files are ``Rendition`` rows, one per format (PDF, XLSX, CSV, UBL, CII, Factur-X), each rendered from the
same stored input with the same totals. A rendition's status moves only forward, ``queued -> rendering ->
ready | failed``, through compare-and-set updates in ``invoices.services`` so that a duplicated or redelivered
job can never produce a second file; the invoice's ``status`` is the aggregate of its renditions' (see
``aggregate_status``).
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

MAX_SELLER_NAME_LENGTH = 200  # the document's party name limit (invoices.document)


class InvoiceStatus(models.TextChoices):
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


# A rendition goes through the same states as the invoice it belongs to.
RenditionStatus = InvoiceStatus
FINAL_STATUSES = (InvoiceStatus.READY, InvoiceStatus.FAILED)


class InvoiceFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"
    UBL = "ubl", "UBL 2.1"
    CII = "cii", "UN/CEFACT CII"
    FACTURX = "facturx", "Factur-X"


class InvoiceType(models.TextChoices):
    INVOICE = "invoice", "Invoice"  # UNTDID 1001 code 380
    CREDIT_NOTE = "credit_note", "Credit note"  # 381


def aggregate_status(statuses: Iterable[str]) -> InvoiceStatus:
    """The invoice's status from its renditions': does it have every file it asked for?

    ``failed`` as soon as one rendition failed (its owner is told at once; the others still render and
    can be downloaded), ``ready`` when every rendition is ready, ``queued`` while none has started, else
    ``rendering``. A rendition added later turns a ready invoice back to ``rendering`` until it is ready:
    the status always answers "are all of this invoice's files there?".
    """
    found = set(statuses)
    if InvoiceStatus.FAILED in found:
        return InvoiceStatus.FAILED
    if found and found == {InvoiceStatus.READY}:
        return InvoiceStatus.READY
    if not found or found == {InvoiceStatus.QUEUED}:
        return InvoiceStatus.QUEUED
    return InvoiceStatus.RENDERING


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=64)
    # With the number, what makes the invoice unique: one owner may invoice for several sellers (trading
    # names, subsidiaries), each with its own number sequence.
    seller_name = models.CharField(max_length=MAX_SELLER_NAME_LENGTH, blank=True)
    type = models.CharField(max_length=16, choices=InvoiceType.choices, default=InvoiceType.INVOICE)
    # The invoice a credit note corrects, when it is one of the same owner's (checked on upload).
    preceding_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    # True for an invoice uploaded before numbers were unique whose number an earlier invoice of the same
    # owner and seller already had (set by migration 0003): it keeps its files, but the number belongs to
    # the earlier one. Never set for a new invoice.
    duplicate_number = models.BooleanField(default=False)
    # The default rendition: the first of ``formats`` (what /download and /download?fid= serve).
    format = models.CharField(max_length=8, choices=InvoiceFormat.choices)
    # The renditions the upload asked for, in its order; renditions added later are not listed here.
    formats = models.JSONField(default=list)
    page_size = models.CharField(max_length=8, default="A4")
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.QUEUED)
    failure_reason = models.TextField(blank=True)  # the first failed rendition's reason

    # The request body as accepted, rendered only from this copy. Decimals are stored as strings
    # (DjangoJSONEncoder), which the schema reads back to the same exact values.
    input = models.JSONField(encoder=DjangoJSONEncoder)
    currency = models.CharField(max_length=3)
    total_net = models.DecimalField(max_digits=24, decimal_places=4)
    total_tax = models.DecimalField(max_digits=24, decimal_places=4)
    total_gross = models.DecimalField(max_digits=24, decimal_places=4)

    idempotency_key = models.CharField(max_length=255, blank=True)  # "" when the client sent none
    # The BCP 47 locale the upload resolved (invoices/i18n/locales.py); "" for invoices issued before locales.
    # A rendition added later is written in it, whatever the account's default locale has become since.
    locale = models.CharField(max_length=35, blank=True, default="")
    # The batch it was uploaded in (POST /api/invoice-batches/), and its index there; None for one upload.
    # An invoice of a batch sends no email of its own: the batch sends one when every invoice is final.
    batch = models.ForeignKey(
        "InvoiceBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    batch_index = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)  # when every rendition was last ready

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="invoice_idempotency_key_per_owner",
            ),
            models.UniqueConstraint(
                fields=["owner", "seller_name", "number"],
                condition=Q(duplicate_number=False),
                name="invoice_number_per_owner_and_seller",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="invoice_owner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.format}, {self.status})"


class Rendition(models.Model):
    """One file of an invoice, in one format: rendered by a render job, stored once, then immutable."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="renditions")
    format = models.CharField(max_length=8, choices=InvoiceFormat.choices)
    # The order the renditions are listed in: the upload's order, then those added later.
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=RenditionStatus.choices, default=RenditionStatus.QUEUED)
    failure_reason = models.TextField(blank=True)

    # The rendered file, set once when the rendition becomes ready.
    file_name = models.CharField(max_length=255, blank=True)  # the storage's name of the file
    download_name = models.CharField(max_length=120, blank=True)  # the safe name offered to the user
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "format"], name="rendition_once_per_invoice_format"),
        ]
        indexes = [
            # manage.py cleanup_files asks which stored names a rendition points at.
            models.Index(fields=["file_name"], name="rendition_file_name"),
        ]

    def __str__(self) -> str:
        return f"{self.format} of {self.invoice_id} ({self.status})"


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


class InvoiceBatch(models.Model):
    """Up to BATCH_MAX_ITEMS invoices uploaded in one request, each validated and issued on its own (or, with
    ``atomic``, all or none). Complete once every invoice in it is ready or failed: then one email and one
    ``batch.completed`` webhook."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="batches")
    idempotency_key = models.CharField(max_length=255, blank=True)
    # The SHA-256 of the canonical request (items and options): a replay with the same Idempotency-Key must
    # be the same request.
    fingerprint = models.CharField(max_length=64)
    atomic = models.BooleanField(default=False)
    item_count = models.PositiveIntegerField(default=0)  # items in the request
    accepted_count = models.PositiveIntegerField(default=0)  # invoices issued (the others had errors)
    # The answer's per-item outcome, as first given (a replay answers the same).
    items = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)  # every invoice final

    # The one email when complete, retried like a Notification's (invoices/notifications.py).
    email_recipient = models.EmailField(max_length=254, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)
    email_last_error = models.TextField(blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="batch_idempotency_key_per_owner",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="batch_owner_recent")]

    def __str__(self) -> str:
        return f"batch {self.id} ({self.accepted_count} of {self.item_count})"


class LinkPurpose(models.TextChoices):
    SHARED = "shared"  # made by its owner through the API
    EMAIL = "email"  # in the ready email


class DownloadLink(models.Model):
    """A signed, expiring URL that downloads without a login (invoices/links.py): one rendition of an invoice,
    or the ZIP of a batch's ready files.

    The URL carries this row's id, the invoice (or the batch), the format and the expiry, signed with
    DOWNLOAD_LINK_KEY: it cannot be altered or extended, and the row is what a revocation marks and every
    download is logged on. Exactly one of ``invoice`` and ``batch`` is set.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="download_links"
    )
    batch = models.ForeignKey(
        InvoiceBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="download_links"
    )
    # An invoice link's file; a batch link's filter on the ZIP, blank for every format (never blank for an
    # invoice link: the constraint below).
    format = models.CharField(max_length=8, choices=InvoiceFormat.choices, blank=True)
    purpose = models.CharField(max_length=8, choices=LinkPurpose.choices, default=LinkPurpose.SHARED)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["invoice", "-created_at"], name="download_link_invoice"),
            models.Index(fields=["batch", "-created_at"], name="download_link_batch"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(invoice__isnull=False, batch__isnull=True) & ~Q(format="")
                    | Q(invoice__isnull=True, batch__isnull=False)
                ),
                name="download_link_invoice_or_batch",
            ),
        ]

    def __str__(self) -> str:
        target = f"batch {self.batch_id}" if self.batch_id else f"invoice {self.invoice_id}"
        return f"{self.format or 'zip'} link to {target} until {self.expires_at:%Y-%m-%d %H:%M}"


class DownloadLinkUse(models.Model):
    """One download through a link: when, and from where (shown in the admin)."""

    link = models.ForeignKey(DownloadLink, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(auto_now_add=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.link_id} at {self.at:%Y-%m-%d %H:%M} from {self.client_address}"
