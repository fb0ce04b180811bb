"""The download's file name keeps the invoice number's letters: ``filename*`` in UTF-8 (RFC 6266, 5987) beside
the ASCII ``filename`` every client reads (issue "what a probe broke", item 11)."""

import re
import uuid
from urllib.parse import quote

import pytest

from invoices import services
from invoices.models import Invoice, InvoiceStatus, Rendition
from invoices.renderers.naming import RENDITION_SUFFIXES, rendition_filename, unicode_download_name
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


# --- Each rendition's name (invoices/renderers/naming.py): the files of one invoice never collide --------


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("pdf", "INV-1.pdf"),
        ("xlsx", "INV-1.xlsx"),
        ("csv", "INV-1.csv"),
        ("ubl", "INV-1-ubl.xml"),
        ("cii", "INV-1-cii.xml"),
        ("facturx", "INV-1-facturx.pdf"),
    ],
)
def test_each_format_has_a_name_of_its_own(fmt, name):
    assert rendition_filename("INV-1", fmt) == name
    assert unicode_download_name("INV-1", fmt) == name


def test_the_names_of_one_invoices_renditions_are_all_different_and_safe():
    number = 'Rechnung "Größe" 5/1; ../x'
    names = [rendition_filename(number, fmt) for fmt in RENDITION_SUFFIXES]

    assert len(set(names)) == len(RENDITION_SUFFIXES)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) for name in names)
    longest = Rendition._meta.get_field("download_name").max_length
    assert longest is not None
    assert all(len(name) <= longest for name in names)
    assert unicode_download_name(number, "ubl") == "Rechnung_Größe_5_1_.._x-ubl.xml"  # no slash: no path


def test_an_unknown_format_has_no_name():
    with pytest.raises(ValueError, match="not a rendition format"):
        rendition_filename("INV-1", "docx")


def test_a_rendition_added_later_downloads_under_its_own_name_with_filename_star(
    auth, invoices_gridfs_storage
):
    invoice = ready_invoice(auth, "Rechnung-Größe-№1")
    auth.post(f"/api/invoices/{invoice.id}/renditions/", {"format": "xlsx"}, format="json")
    services.invoice_render(invoice_id=invoice.id, fmt="xlsx")

    response = auth.get(f"/api/invoices/{invoice.id}/download/?format=xlsx")

    assert response["Content-Disposition"] == (
        'attachment; filename="Rechnung-Gr_e-_1.xlsx"; '
        f"filename*=UTF-8''{quote('Rechnung-Größe-№1.xlsx', safe='')}"
    )
    b"".join(response.streaming_content)
