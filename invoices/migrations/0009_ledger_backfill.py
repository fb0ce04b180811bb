"""The ledger for invoices issued before it: one ``issued`` entry per invoice (oldest first) and one
``rendition`` entry per ready rendition, with the hash its row recorded, chained per owner as
invoices/ledger.py chains new ones; so ``manage.py verify_ledger`` passes on an upgraded database. Their
time is the migration's: when the ledger recorded them. Invoices that already have entries are left alone.
"""

from itertools import islice
from typing import Any

from django.db import migrations
from django.utils import timezone

from invoices.ledger import GENESIS_HASH, RENDERER_VERSION, entry_hash, input_sha256

BATCH = 1000


def backfill(apps: Any, schema_editor: Any) -> None:
    Invoice = apps.get_model("invoices", "Invoice")
    LedgerEntry = apps.get_model("invoices", "LedgerEntry")
    Rendition = apps.get_model("invoices", "Rendition")
    recorded = set(LedgerEntry.objects.values_list("invoice_id", flat=True).distinct())
    now = timezone.now()
    owner_ids = Invoice.objects.values_list("owner_id", flat=True).distinct().order_by("owner_id")
    for owner_id in list(owner_ids):
        head = LedgerEntry.objects.filter(owner_id=owner_id).order_by("-position").first()
        position, previous = (head.position, head.entry_hash) if head is not None else (0, GENESIS_HASH)
        invoices = (
            Invoice.objects.filter(owner_id=owner_id).exclude(id__in=recorded).order_by("created_at", "id")
        )
        iterator = invoices.iterator(chunk_size=BATCH)
        while chunk := list(islice(iterator, BATCH)):
            ready: dict[Any, list[Any]] = {}
            for rendition in Rendition.objects.filter(
                invoice_id__in=[invoice.id for invoice in chunk], status="ready"
            ).order_by("position"):
                ready.setdefault(rendition.invoice_id, []).append(rendition)
            entries = []
            for invoice in chunk:
                kinds = [("issued", {})] + [
                    ("rendition", {rendition.format: rendition.sha256})
                    for rendition in ready.get(invoice.id, [])
                ]
                for kind, files in kinds:
                    position += 1
                    entry = LedgerEntry(
                        owner_id=owner_id,
                        position=position,
                        kind=kind,
                        at=now,
                        invoice_id=invoice.id,
                        number=invoice.number,
                        input_sha256=input_sha256(invoice.input),
                        brand_version=None,  # before brands: the service's own look
                        layout="classic",
                        layout_version=1,
                        renderer_version=RENDERER_VERSION,
                        files=files,
                        previous_hash=previous,
                    )
                    entry.entry_hash = previous = entry_hash(entry)
                    entries.append(entry)
            LedgerEntry.objects.bulk_create(entries)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0008_brands_series_ledger")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
