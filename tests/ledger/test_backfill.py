"""Migration 0009 on a database holding invoices from before the ledger (the old-shape invoices of
tests/services/test_migration_renditions.py, migrated from 0002 to now): every invoice gets its issued entry
and every ready rendition its entry, chained per owner, so verify_ledger passes on an upgraded database and
new entries chain on."""

import pytest

from invoices import services
from invoices.models import Invoice, LedgerEntry, Rendition
from tests.ledger.conftest import verify
from tests.services.test_migration_renditions import old_shape  # noqa: F401  # the fixture

pytestmark = pytest.mark.usefixtures("old_shape")


def test_old_invoices_are_in_the_ledger_it_verifies_and_new_entries_chain_on(user):
    invoices = Invoice.objects.filter(owner=user)
    entries = list(LedgerEntry.objects.filter(owner=user).order_by("position"))
    issued = [entry for entry in entries if entry.kind == "issued"]
    assert {entry.invoice_id for entry in issued} == set(invoices.values_list("id", flat=True))
    ready = Rendition.objects.filter(invoice__owner=user, status="ready")
    renditions = [entry for entry in entries if entry.kind == "rendition"]
    assert sorted((e.invoice_id, e.files) for e in renditions) == sorted(
        (r.invoice_id, {r.format: r.sha256}) for r in ready
    )
    assert [entry.position for entry in entries] == list(range(1, len(entries) + 1))
    # Oldest first: the chain follows the order the invoices were issued in.
    order = [entry.invoice_id for entry in issued]
    assert order == list(invoices.order_by("created_at", "id").values_list("id", flat=True))
    assert "Ledger verified" in verify()
    # One test, not two: the fixture's migrations back to 0002 and forward again take about 5 s.
    head = LedgerEntry.objects.filter(owner=user).order_by("-position")[0]
    queued = Invoice.objects.get(owner=user, number="INV-2026-0043")
    services.invoice_render(invoice_id=queued.id)
    entry = LedgerEntry.objects.get(owner=user, position=head.position + 1)
    assert (entry.kind, entry.invoice_id, entry.previous_hash) == ("rendition", queued.id, head.entry_hash)
    assert "Ledger verified" in verify()
