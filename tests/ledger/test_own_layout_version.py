"""An invoice without a brand keeps the version of the service's own layout it was issued with: version 1
(the template through xhtml2pdf) for invoices issued before classic version 2, version 2 (drawn natively)
after. Real PostgreSQL and GridFS: the stored file and the ledger entry say which."""

import pytest
from pypdf import PdfReader

from invoices import services
from invoices.document.model import OWN_LAYOUT_VERSION
from invoices.models import Invoice, LedgerEntry
from tests.payloads import sample_payload

pytestmark = pytest.mark.django_db


def _issue(owner) -> Invoice:
    payload = sample_payload()
    payload["format"] = "pdf"
    return services.invoice_submit(owner=owner, payload=payload).invoice


def _render(invoice: Invoice, storage) -> tuple[str, LedgerEntry]:
    """The PDF's producer, as stored, and the rendition's ledger entry."""
    services.invoice_render(invoice_id=invoice.id, fmt="pdf")
    rendition = Invoice.objects.get(id=invoice.id).renditions.get(format="pdf")
    with storage.open(rendition.file_name) as stored:
        metadata = PdfReader(stored).metadata
        assert metadata is not None
        producer = str(metadata.producer)
    entry = LedgerEntry.objects.get(invoice=invoice, kind="rendition")
    return producer, entry


def test_a_new_invoice_is_issued_in_today_s_version_and_drawn_natively(user, invoices_gridfs_storage):
    invoice = _issue(user)
    assert Invoice.objects.get(id=invoice.id).layout_version == OWN_LAYOUT_VERSION == 5
    issued = LedgerEntry.objects.get(invoice=invoice, kind="issued")
    producer, entry = _render(invoice, invoices_gridfs_storage)
    assert (issued.layout, issued.layout_version) == (entry.layout, entry.layout_version) == ("classic", 5)
    assert "ReportLab" in producer


def test_an_invoice_issued_in_version_4_is_rendered_in_version_4_for_ever(user, invoices_gridfs_storage):
    invoice = _issue(user)
    Invoice.objects.filter(id=invoice.id).update(layout_version=4)  # issued on 2026-12-05, before version 5
    producer, entry = _render(invoice, invoices_gridfs_storage)
    assert (entry.layout, entry.layout_version, entry.brand_version) == ("classic", 4, None)
    assert "ReportLab" in producer


def test_an_invoice_issued_in_version_3_is_rendered_in_version_3_for_ever(user, invoices_gridfs_storage):
    invoice = _issue(user)
    Invoice.objects.filter(id=invoice.id).update(layout_version=3)  # issued on 2026-12-05, before version 4
    producer, entry = _render(invoice, invoices_gridfs_storage)
    assert (entry.layout, entry.layout_version, entry.brand_version) == ("classic", 3, None)
    assert "ReportLab" in producer


def test_an_invoice_issued_in_version_2_is_rendered_in_version_2_for_ever(user, invoices_gridfs_storage):
    invoice = _issue(user)
    Invoice.objects.filter(id=invoice.id).update(layout_version=2)  # issued on 2026-12-04
    producer, entry = _render(invoice, invoices_gridfs_storage)
    assert (entry.layout, entry.layout_version, entry.brand_version) == ("classic", 2, None)
    assert "ReportLab" in producer


def test_an_invoice_issued_before_version_2_is_rendered_in_version_1_for_ever(user, invoices_gridfs_storage):
    invoice = _issue(user)
    # As the migration left every invoice issued before it.
    Invoice.objects.filter(id=invoice.id).update(layout_version=1)
    producer, entry = _render(invoice, invoices_gridfs_storage)
    assert (entry.layout, entry.layout_version, entry.brand_version) == ("classic", 1, None)
    assert "xhtml2pdf" in producer
