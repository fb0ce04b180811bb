"""The seller's own invoice through the real path: a brand with a logo and a number series made through the
API, uploads that name neither a number nor a brand (the series gives the number, the default brand the look),
rendered by a real ``run_worker render`` on RabbitMQ, stored in GridFS, each step in the ledger, and
``verify_ledger`` re-reading every stored file.

The look of an issued invoice is its brand version's for ever: the brand changed afterwards gives later
invoices the new look, while a rendition added to the earlier invoice is drawn, and recorded, with the old
one.
"""

import hashlib
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from invoices.models import Brand, Invoice
from tests.e2e.test_pipeline import download, upload
from tests.invoices.brand_looks import ACCENT, FOOTER, PNG_COLOUR, png_logo
from tests.invoices.pdf_tools import colour_pixels, page_image, pdf_text
from tests.payloads import sample_payload


@pytest.fixture
def owner(make_user):
    return make_user("seller@example.com")


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


def series_payload(**top):
    payload = sample_payload(fmt="pdf")
    payload.pop("format", None)
    invoice = payload["invoice"]
    invoice.pop("number")
    invoice["series"] = "INV"
    return {**payload, "formats": ["pdf", "csv"], **top}


def proof(client, invoice_id):
    response = client.get(f"/api/invoices/{invoice_id}/proof/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_branded_invoice_numbered_by_its_series_is_rendered_stored_and_proven(
    pipeline, owner, owner_client, tmp_path
):
    response = owner_client.post(
        "/api/number-series/",
        {"code": "INV", "pattern": "INV-{YYYY}-{seq:05}", "reset": "yearly"},
        format="json",
    )
    assert response.status_code == 201, response.content
    logo = SimpleUploadedFile("logo.png", png_logo(), content_type="image/png")
    response = owner_client.post(
        "/api/brands/",
        {
            "name": "Acme",
            "is_default": "true",
            "layout": "modern",
            "accent_color": ACCENT,
            "footer": FOOTER,
            "logo": logo,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    brand = Brand.objects.get(id=response.json()["id"])
    first_version = brand.current_id

    issued = [upload(owner_client, series_payload()) for _ in range(3)]
    year = date.fromisoformat(sample_payload()["invoice"]["issue_date"]).year
    assert [each["number"] for each in issued] == [f"INV-{year}-{n:05d}" for n in (1, 2, 3)]

    pipeline.start_all()
    for each in issued:
        pipeline.wait_status(each["id"], "ready")

    first = issued[0]
    pdf = download(owner_client, f"/api/invoices/{first['id']}/download/?format=pdf")
    csv = download(owner_client, f"/api/invoices/{first['id']}/download/?format=csv")
    assert f"INV-{year}-00001" in pdf_text(pdf)
    assert f"INV-{year}-00001" in csv.decode()
    assert colour_pixels(page_image(pdf), PNG_COLOUR) > 50  # the logo is on the page

    entries = proof(owner_client, first["id"])
    assert entries["verified"] is True
    assert [entry["kind"] for entry in entries["entries"]] == ["issued", "rendition", "rendition"]
    assert {entry["brand_version"] for entry in entries["entries"]} == {str(first_version)}
    assert {entry["layout"] for entry in entries["entries"]} == {"modern"}
    files = {fmt: digest for entry in entries["entries"] for fmt, digest in entry["files"].items()}
    assert files == {"pdf": hashlib.sha256(pdf).hexdigest(), "csv": hashlib.sha256(csv).hexdigest()}

    # The brand changes: no logo any more, another layout. A later invoice gets the new look ...
    response = owner_client.patch(
        f"/api/brands/{brand.id}/", {"logo": None, "layout": "classic"}, format="json"
    )
    assert response.status_code == 200, response.content
    brand.refresh_from_db()
    assert brand.current_id != first_version
    later = upload(owner_client, series_payload())
    assert later["number"] == f"INV-{year}-00004"
    pipeline.wait_status(later["id"], "ready")
    later_pdf = download(owner_client, f"/api/invoices/{later['id']}/download/?format=pdf")
    assert colour_pixels(page_image(later_pdf), PNG_COLOUR) == 0
    # ... while the first invoice keeps its own: a rendition added now is drawn with the first version.
    response = owner_client.post(
        f"/api/invoices/{first['id']}/renditions/", {"format": "xlsx"}, format="json"
    )
    assert response.status_code == 202, response.content
    pipeline.wait_status(first["id"], "ready")
    assert Invoice.objects.get(id=first["id"]).brand_version_id == first_version
    entries = proof(owner_client, first["id"])["entries"]
    assert entries[-1]["files"].keys() == {"xlsx"}
    assert entries[-1]["brand_version"] == str(first_version)

    # Every chain, every input and every stored file (read back from GridFS) holds.
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert out.getvalue().startswith("Ledger verified: 1 chain(s), 13 entries, 9 stored file(s)"), (
        out.getvalue()
    )
