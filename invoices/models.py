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

from invoices.document.model import OWN_LAYOUT_VERSION

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
    # The brand version it is rendered with, for ever (None: the service's own look, the classic layout).
    brand_version = models.ForeignKey(
        "BrandVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    # The version of the service's own (classic) layout it is rendered with when it has no brand version, for
    # ever: 1 for invoices issued before classic version 2. A brand version names its own layout version.
    layout_version = models.PositiveSmallIntegerField(default=OWN_LAYOUT_VERSION)
    # The series its number came from and its place there (None for a number the client chose).
    series = models.ForeignKey(
        "NumberSeries", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    series_period = models.PositiveIntegerField(null=True, blank=True)
    series_value = models.PositiveBigIntegerField(null=True, blank=True)
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
        # Every format asked for (the admin's title), not only the first: "INV-1 (pdf, xlsx; ready)".
        return f"{self.number} ({', '.join(self.formats or [self.format])}; {self.status})"


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
        verbose_name_plural = "invoice batches"
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


# --- Brands, number series and the ledger (issue: the seller's own invoice) -----------------------------


class LayoutName(models.TextChoices):
    """The PDF layouts shipped with the service, each a template of ours (invoices/renderers/layouts.py
    lists their versions)."""

    CLASSIC = "classic", "Classic"
    MODERN = "modern", "Modern"
    COMPACT = "compact", "Compact"


class FontFamily(models.TextChoices):
    """The text fonts shipped with the service (invoices/static/invoices/fonts); Chinese, Japanese, Korean,
    Hindi and Arabic text keeps its own font whatever is chosen."""

    SANS = "sans", "DejaVu Sans"
    SERIF = "serif", "DejaVu Serif"
    CONDENSED = "condensed", "DejaVu Sans Condensed"


class BrandLogo(models.Model):
    """A logo as we re-encoded it (PNG or JPEG from a raster upload, our own sanitized SVG), stored once per
    content: brand versions that keep their logo share the row. Never the uploaded bytes."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=32)  # image/png, image/jpeg, image/svg+xml
    data = models.BinaryField()
    width = models.PositiveIntegerField()  # pixels (SVG: its user units)
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.content_type} {self.width}x{self.height} {self.sha256[:12]}"


class Brand(models.Model):
    """A seller's look: what ``current`` says now. Every change makes a new BrandVersion; an invoice keeps
    the version of the moment it was issued, so changing a brand never changes an issued invoice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="brands")
    name = models.CharField(max_length=100)
    # The account's default brand, used by an upload that names none (at most one per owner).
    is_default = models.BooleanField(default=False)
    current = models.ForeignKey(
        "BrandVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="brand_name_per_owner"),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_default=True), name="brand_one_default_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BrandVersion(models.Model):
    """One brand as it was between two changes: immutable once written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()  # 1, 2, ... per brand
    layout = models.CharField(max_length=16, choices=LayoutName.choices, default=LayoutName.CLASSIC)
    # The layout template's version at the moment this brand version was made: a later template changes
    # nothing for invoices issued with this one.
    layout_version = models.PositiveSmallIntegerField(default=1)
    accent_color = models.CharField(max_length=7, default="#1f4e79")  # "#rrggbb"
    font = models.CharField(max_length=16, choices=FontFamily.choices, default=FontFamily.SANS)
    footer = models.CharField(max_length=300, blank=True)
    logo = models.ForeignKey(BrandLogo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brand", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "version"], name="brand_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.brand_id} v{self.version}"


class SeriesReset(models.TextChoices):
    NEVER = "never", "Never"
    YEARLY = "yearly", "Every year"


class NumberSeries(models.Model):
    """An unbroken series of invoice numbers (invoices/numbering.py): ``INV-{YYYY}-{seq:05}``.

    An upload naming the series gets the next number in the very transaction that issues the invoice, so a
    number is taken only by an invoice that exists: no gap and no repeat."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="number_series"
    )
    code = models.CharField(max_length=32)  # what an upload names: "series": "INV"
    pattern = models.CharField(max_length=64)
    reset = models.CharField(max_length=8, choices=SeriesReset.choices, default=SeriesReset.YEARLY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "number series"
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="number_series_code_per_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.pattern})"


class NumberSeriesCounter(models.Model):
    """The last number a series gave in one period (a year, or 0 for a series that never resets). Its row is
    locked while a number is taken, until the issuing transaction ends."""

    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="counters")
    period = models.PositiveIntegerField()  # the year, or 0
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "period"], name="number_series_counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.period}: {self.last_value}"


class LedgerKind(models.TextChoices):
    ISSUED = "issued"  # the invoice as issued: its input's hash
    RENDITION = "rendition"  # one rendered file: its hash


class LedgerEntry(models.Model):
    """One entry of an owner's append-only, hash-chained ledger (invoices/ledger.py).

    ``entry_hash`` is the SHA-256 of the entry's canonical form, which includes ``previous_hash``: changing
    or removing any entry breaks every hash after it. The application's database role may INSERT and SELECT
    these rows, never UPDATE or DELETE them (manage.py grant_app_role)."""

    id = models.BigAutoField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveBigIntegerField()  # 1, 2, ... in the owner's chain
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    at = models.DateTimeField()
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="ledger_entries")
    number = models.CharField(max_length=64)
    input_sha256 = models.CharField(max_length=64)
    brand_version = models.UUIDField(null=True, blank=True)
    layout = models.CharField(max_length=16, blank=True)
    layout_version = models.PositiveSmallIntegerField(null=True, blank=True)
    renderer_version = models.CharField(max_length=32)
    # {"pdf": "<sha256>"} for a rendition entry; {} for an issued one.
    files = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["owner", "position"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["owner", "position"], name="ledger_position_once"),
        ]
        indexes = [models.Index(fields=["invoice", "position"], name="ledger_invoice")]

    def __str__(self) -> str:
        return f"#{self.position} {self.kind} {self.number}"
