"""Renditions: an invoice's files become ``Rendition`` rows; invoice numbers become unique.

Schema: the ``Rendition`` model, and the invoice's new columns (``seller_name``, ``type``,
``preceding_invoice``, ``formats``, ``duplicate_number``). Data (``move_files_to_renditions``), so that every
existing invoice stays downloadable exactly as it is:

- each invoice gets one rendition in its ``format`` with the invoice's own status, failure reason, file
  (``file_name``, ``download_name``, ``content_type``, ``size``, ``sha256``), attempts and timestamps: the
  same stored file, under the same download name, with the same ETag; a queued or rendering invoice's job
  (a message without ``format``) renders that rendition;
- ``formats`` is ``[format]``; ``type`` is ``invoice`` (credit notes did not exist);
- ``seller_name`` is the seller's name as validation reads it from the stored input (the same function a new
  upload goes through, so a new upload of the same invoice finds it); an input that no longer validates
  falls back to its raw seller name, trimmed.

Invoice numbers were not unique before, so an owner may have several invoices with one number and seller.
The unique constraint (migration 0004) applies only where ``duplicate_number`` is false: in each such group
the first invoice uploaded (by ``created_at``, then id) keeps the number, as the one issued first, and every
later one is marked ``duplicate_number``. Nothing is deleted or renumbered: the duplicates keep their files,
their ids and their download URLs; only a new upload with that number is compared with the first one.

The old file columns are dropped in 0004, a migration of its own: PostgreSQL refuses to alter a table in
the transaction that wrote rows with pending foreign-key checks into another table pointing at it.
"""

from collections import defaultdict
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 500
MAX_SELLER_NAME_LENGTH = 200


def seller_name_of(payload: Any) -> str:
    """The seller's name as an upload of this input computes it (``InvoiceData.seller.name``)."""
    from invoices.document.validation import read_request

    try:
        _options, document = read_request(payload)
        name = document.data.seller.name
    except Exception:  # refused by today's rules, or unreadable: one odd row must not stop a deploy
        name = _raw_seller_name(payload)
    return name[:MAX_SELLER_NAME_LENGTH]


def _raw_seller_name(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    invoice = payload.get("invoice")
    seller = invoice.get("seller") if isinstance(invoice, dict) else None
    name = seller.get("name") if isinstance(seller, dict) else payload.get("company_name")
    return name.strip() if isinstance(name, str) else ""


def move_files_to_renditions(apps: Any, schema_editor: Any) -> None:
    Invoice = apps.get_model("invoices", "Invoice")
    Rendition = apps.get_model("invoices", "Rendition")
    holders: dict[tuple[Any, str, str], bool] = defaultdict(bool)
    invoices = Invoice.objects.order_by("created_at", "id")
    batch: list[Any] = []
    for invoice in invoices.iterator(chunk_size=BATCH):
        invoice.seller_name = seller_name_of(invoice.input)
        invoice.formats = [invoice.format]
        key = (invoice.owner_id, invoice.seller_name, invoice.number)
        invoice.duplicate_number = holders[key]  # an earlier invoice holds this number
        holders[key] = True
        batch.append(invoice)
        if len(batch) == BATCH:
            _save(Invoice, Rendition, batch)
            batch = []
    _save(Invoice, Rendition, batch)


def _save(Invoice: Any, Rendition: Any, invoices: list[Any]) -> None:
    Invoice.objects.bulk_update(invoices, ["seller_name", "formats", "duplicate_number"])
    Rendition.objects.bulk_create(
        Rendition(
            invoice_id=invoice.id,
            format=invoice.format,
            position=0,
            status=invoice.status,
            failure_reason=invoice.failure_reason,
            file_name=invoice.file_name,
            download_name=invoice.download_name,
            content_type=invoice.content_type,
            size=invoice.size,
            sha256=invoice.sha256,
            attempts=invoice.attempts,
            rendered_at=invoice.rendered_at,
        )
        for invoice in invoices
    )
    # auto_now_add and auto_now overwrite what bulk_create is given: the invoice's times, set after.
    own = Invoice.objects.filter(id=OuterRef("invoice_id"))
    Rendition.objects.filter(invoice_id__in=[invoice.id for invoice in invoices]).update(
        created_at=Subquery(own.values("created_at")[:1]), updated_at=Subquery(own.values("updated_at")[:1])
    )


def files_back_to_invoices(apps: Any, schema_editor: Any) -> None:
    """The reverse: the default rendition's file back on its invoice (0004's reverse restored the columns)."""
    Invoice = apps.get_model("invoices", "Invoice")
    Rendition = apps.get_model("invoices", "Rendition")
    for rendition in Rendition.objects.filter(position=0).iterator(chunk_size=BATCH):
        Invoice.objects.filter(id=rendition.invoice_id, format=rendition.format).update(
            file_name=rendition.file_name,
            download_name=rendition.download_name,
            content_type=rendition.content_type,
            size=rendition.size,
            sha256=rendition.sha256,
            attempts=rendition.attempts,
        )


FORMAT_CHOICES = [
    ("pdf", "PDF"),
    ("xlsx", "XLSX"),
    ("csv", "CSV"),
    ("ubl", "UBL 2.1"),
    ("cii", "UN/CEFACT CII"),
    ("facturx", "Factur-X"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0002_notification_retries"),
    ]

    operations = [
        migrations.CreateModel(
            name="Rendition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("format", models.CharField(choices=FORMAT_CHOICES, max_length=8)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("rendering", "Rendering"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=16,
                    ),
                ),
                ("failure_reason", models.TextField(blank=True)),
                ("file_name", models.CharField(blank=True, max_length=255)),
                ("download_name", models.CharField(blank=True, max_length=120)),
                ("content_type", models.CharField(blank=True, max_length=100)),
                ("size", models.PositiveBigIntegerField(blank=True, null=True)),
                ("sha256", models.CharField(blank=True, max_length=64)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("rendered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="renditions",
                        to="invoices.invoice",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="rendition",
            index=models.Index(fields=["file_name"], name="rendition_file_name"),
        ),
        migrations.AddConstraint(
            model_name="rendition",
            constraint=models.UniqueConstraint(
                fields=("invoice", "format"), name="rendition_once_per_invoice_format"
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="duplicate_number",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="invoice",
            name="formats",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="invoice",
            name="preceding_invoice",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credit_notes",
                to="invoices.invoice",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="seller_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="invoice",
            name="type",
            field=models.CharField(
                choices=[("invoice", "Invoice"), ("credit_note", "Credit note")],
                default="invoice",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="format",
            field=models.CharField(choices=FORMAT_CHOICES, max_length=8),
        ),
        migrations.RunPython(move_files_to_renditions, files_back_to_invoices, elidable=False),
    ]
