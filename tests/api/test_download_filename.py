"""The download's file name keeps the invoice number's letters: ``filename*`` in UTF-8 (RFC 6266, 5987) beside
the ASCII ``filename`` every client reads (issue "what a probe broke", item 11)."""

import uuid
from urllib.parse import quote

import pytest

from invoices import services
from invoices.models import Invoice, InvoiceStatus
from tests.payloads import sample_payload


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


def ready_invoice(client, number: str, fmt: str = "csv") -> Invoice:
    payload = sample_payload(fmt=fmt)
    payload["invoice"]["number"] = number
    accepted = client.post("/api/invoices/", data=payload, format="json")
    assert accepted.status_code == 202, accepted.content
    services.invoice_render(invoice_id=uuid.UUID(accepted.json()["id"]))
    invoice = Invoice.objects.get(id=accepted.json()["id"])
    assert invoice.status == InvoiceStatus.READY, invoice.failure_reason
    return invoice


def test_a_non_ascii_number_is_sent_as_filename_star_beside_the_ascii_name(auth, invoices_gridfs_storage):
    invoice = ready_invoice(auth, "Rechnung-Größe-№1")

    for url in (f"/api/invoices/{invoice.id}/download/", f"/download?fid={invoice.id}"):
        response = auth.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            'attachment; filename="Rechnung-Gr_e-_1.csv"; '
            f"filename*=UTF-8''{quote('Rechnung-Größe-№1.csv', safe='')}"
        )
        b"".join(response.streaming_content)


def test_an_ascii_number_gets_the_plain_header(auth, invoices_gridfs_storage):
    invoice = ready_invoice(auth, "INV-2026-0042")

    response = auth.get(f"/api/invoices/{invoice.id}/download/")

    assert response["Content-Disposition"] == 'attachment; filename="INV-2026-0042.csv"'
    b"".join(response.streaming_content)
