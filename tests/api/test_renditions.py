"""``POST /api/invoices/{id}/renditions/`` and ``GET /api/invoices/{id}/download/?format=``: a format added
to an issued invoice, rendered from its stored input (in-process here; tests/e2e/ runs the real workers),
and each rendition downloaded by its format."""

import csv
import io
import json
import uuid

import openpyxl
import pytest

from invoices import services
from invoices.models import Invoice, InvoiceStatus
from invoices.serializers import DownloadQuerySerializer, RenditionRequestSerializer
from tests.payloads import EINVOICE_TOTALS, SAMPLE_TOTALS, einvoice_payload, sample_payload
from workers.models import OutboxMessage


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


@pytest.fixture
def invoice_id(auth) -> str:
    response = auth.post(
        "/api/invoices/", data=json.dumps(sample_payload(fmt="csv")), content_type="application/json"
    )
    assert response.status_code == 202
    return str(response.json()["id"])


def add(client, invoice_id: str, body: object):
    return client.post(
        f"/api/invoices/{invoice_id}/renditions/", data=json.dumps(body), content_type="application/json"
    )


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_format_added_is_202_queued_listed_and_downloaded_once_rendered(
    auth, invoice_id, local_invoice_storage
):
    response = add(auth, invoice_id, {"format": "excel"})  # excel is xlsx, as on upload

    assert response.status_code == 202
    body = response.json()
    invoice_url = auth.get(f"/api/invoices/{invoice_id}/").json()["links"]["self"]
    assert (body["format"], body["status"], body["name"]) == ("xlsx", "queued", None)
    assert body["links"]["invoice"] == response["Location"] == invoice_url
    assert body["links"]["download"].endswith(f"/api/invoices/{invoice_id}/download/?format=xlsx")
    assert OutboxMessage.objects.filter(payload={"invoice_id": invoice_id, "format": "xlsx"}).count() == 1

    services.invoice_render(invoice_id=uuid.UUID(invoice_id), fmt="csv")
    detail = auth.get(f"/api/invoices/{invoice_id}/").json()
    assert detail["status"] == "rendering"
    assert [(r["format"], r["status"]) for r in detail["renditions"]] == [
        ("csv", "ready"),
        ("xlsx", "queued"),
    ]
    assert detail["formats"] == ["csv"]  # what the upload asked for

    services.invoice_render(invoice_id=uuid.UUID(invoice_id), fmt="xlsx")
    detail = auth.get(f"/api/invoices/{invoice_id}/").json()
    assert detail["status"] == "ready"
    xlsx = detail["renditions"][1]
    assert xlsx["name"] == "INV-2026-0042.xlsx"
    assert xlsx["content_type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    download = auth.get(xlsx["links"]["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="INV-2026-0042.xlsx"'
    assert download["ETag"] == f'"{xlsx["sha256"]}"'
    sheet = openpyxl.load_workbook(io.BytesIO(content(download))).active
    numbers = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, int | float)}
    assert float(SAMPLE_TOTALS["gross"]) in numbers  # the same totals as the invoice's

    default = auth.get(f"/api/invoices/{invoice_id}/download/")  # the first format asked for
    assert default["Content-Disposition"] == 'attachment; filename="INV-2026-0042.csv"'
    rows = list(csv.reader(io.StringIO(content(default).decode())))
    assert any(str(SAMPLE_TOTALS["gross"]) in row for row in rows)
    assert content(auth.get(f"/download?fid={invoice_id}")) == content(
        auth.get(f"/api/invoices/{invoice_id}/download/?format=csv")
    )


def test_a_format_the_invoice_has_is_200_with_that_rendition_and_queues_nothing(auth, invoice_id):
    jobs = OutboxMessage.objects.count()

    response = add(auth, invoice_id, {"format": "csv"})

    assert response.status_code == 200
    assert (response.json()["format"], response.json()["status"]) == ("csv", "queued")
    assert OutboxMessage.objects.count() == jobs


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "excel", "csv", "ubl", "cii", "facturx"])
def test_every_format_is_a_name_the_endpoint_and_the_download_take(fmt):
    # Whether the stored invoice can be rendered in an e-invoice format is validation's answer (a 400
    # naming the missing field); the name itself is known.
    assert RenditionRequestSerializer(data={"format": fmt}).is_valid()
    assert DownloadQuerySerializer(data={"format": fmt}).is_valid()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "docx"}, "format"),
        ({}, "format"),
        ({"format": "xlsx", "page_size": "A4"}, "page_size"),
        ({"format": ["xlsx"]}, "format"),
    ],
)
@pytest.mark.security
def test_a_bad_body_is_400_naming_the_field_and_queues_nothing(auth, invoice_id, body, field):
    jobs = OutboxMessage.objects.count()

    response = add(auth, invoice_id, body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert OutboxMessage.objects.count() == jobs


@pytest.mark.parametrize(("body", "status"), [(b"[1]", 400), (b"{not json", 400), (b"", 400)])
@pytest.mark.security
def test_an_unreadable_body_is_400(auth, invoice_id, body, status):
    response = auth.post(
        f"/api/invoices/{invoice_id}/renditions/", data=body, content_type="application/json"
    )

    assert response.status_code == status
    assert response.json()["error"]["code"] == "invalid"


def test_a_rendition_needs_a_token_and_a_json_body(api, auth, invoice_id):
    assert add(api, invoice_id, {"format": "xlsx"}).status_code == 401
    form = auth.post(
        f"/api/invoices/{invoice_id}/renditions/",
        data="format=xlsx",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415
    assert auth.get(f"/api/invoices/{invoice_id}/renditions/").status_code == 405


def test_a_download_in_a_format_not_asked_for_is_404_and_an_unknown_format_400(auth, invoice_id):
    Invoice.objects.filter(id=invoice_id).update(status=InvoiceStatus.READY)

    missing = auth.get(f"/api/invoices/{invoice_id}/download/?format=ubl")
    unknown = auth.get(f"/api/invoices/{invoice_id}/download/?format=docx")

    assert missing.status_code == 404
    assert "no ubl rendition" in missing.json()["error"]["message"]
    assert f"/api/invoices/{invoice_id}/renditions/" in missing.json()["error"]["message"]
    assert unknown.status_code == 400
    assert "format" in unknown.json()["error"]["fields"]


def test_a_download_of_a_rendition_not_ready_is_409_naming_it(auth, invoice_id):
    add(auth, invoice_id, {"format": "xlsx"})
    services.invoice_fail(invoice_id=uuid.UUID(invoice_id), fmt="xlsx", reason="The renderer crashed.")

    queued = auth.get(f"/api/invoices/{invoice_id}/download/")
    failed = auth.get(f"/api/invoices/{invoice_id}/download/?format=xlsx")

    assert (queued.status_code, queued.json()["error"]["message"]) == (
        409,
        "The invoice is queued, not ready yet.",
    )
    assert (failed.status_code, failed.json()["error"]["code"]) == (409, "not_ready")
    assert failed.json()["error"]["message"] == "The xlsx rendition failed: The renderer crashed."


# --- E-invoice renditions added later ----------------------------------------------------------------------


def upload_payload(client, payload) -> str:
    response = client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def test_a_ubl_rendition_added_to_a_pdf_invoice_renders_the_same_totals(auth, local_invoice_storage):
    invoice_id = upload_payload(auth, einvoice_payload(formats=["pdf"]))

    response = add(auth, invoice_id, {"format": "ubl"})
    assert response.status_code == 202, response.content
    services.invoice_render(invoice_id=uuid.UUID(invoice_id), fmt="ubl")

    [ubl] = [r for r in auth.get(f"/api/invoices/{invoice_id}/").json()["renditions"] if r["format"] == "ubl"]
    assert (ubl["status"], ubl["name"], ubl["content_type"]) == (
        "ready",
        "RE-2026-1001-ubl.xml",
        "application/xml",
    )
    download = auth.get(f"/api/invoices/{invoice_id}/download/?format=ubl")
    xml = content(download).decode()
    assert download["Content-Disposition"] == 'attachment; filename="RE-2026-1001-ubl.xml"'
    for name in ("net", "gross", "payable"):
        assert f">{EINVOICE_TOTALS[name]}</" in xml, name


def test_an_e_invoice_rendition_the_stored_invoice_cannot_give_is_400_naming_the_field(auth, invoice_id):
    jobs = OutboxMessage.objects.count()

    response = add(auth, invoice_id, {"format": "ubl"})  # the sample's addresses are lines, without a city

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert any("city" in path for path in fields), fields
    assert any("ubl" in message for messages in fields.values() for message in messages), fields
    assert OutboxMessage.objects.count() == jobs
    assert [r["format"] for r in auth.get(f"/api/invoices/{invoice_id}/").json()["renditions"]] == ["csv"]


def test_an_e_invoice_rendition_that_would_round_the_totals_again_is_400(auth):
    # KWD has 3 decimals; an e-invoice has at most 2 (BR-DEC), so the same document has other totals with one.
    payload = einvoice_payload(formats=["pdf"])
    payload["invoice"]["currency"] = "KWD"
    del payload["invoice"]["totals"]
    invoice_id = upload_payload(auth, payload)
    jobs = OutboxMessage.objects.count()

    response = add(auth, invoice_id, {"format": "ubl"})

    assert response.status_code == 400, response.content
    [message] = response.json()["error"]["fields"]["format"]
    assert "would change this invoice's totals" in message
    assert "credit note" in message
    assert OutboxMessage.objects.count() == jobs


def test_a_format_in_capitals_is_taken_as_the_upload_takes_it(auth, invoice_id):
    response = auth.post(f"/api/invoices/{invoice_id}/renditions/", {"format": "XLSX"}, format="json")

    assert response.status_code == 202
    assert response.json()["format"] == "xlsx"


def test_a_format_given_as_a_list_is_named_as_a_list(auth, invoice_id):
    response = auth.post(f"/api/invoices/{invoice_id}/renditions/", {"format": ["csv"]}, format="json")

    assert response.status_code == 400
    message = response.json()["error"]["fields"]["format"][0]
    assert message.startswith("Expected one of pdf, xlsx, csv")
    assert message.endswith("as a string, not a list.")


def test_an_empty_rendition_request_says_what_to_send(auth, invoice_id):
    empty = auth.post(f"/api/invoices/{invoice_id}/renditions/", data=b"", content_type="application/json")
    form = auth.post(f"/api/invoices/{invoice_id}/renditions/", data="format=xlsx", content_type="text/plain")

    assert empty.status_code == 400
    assert empty.json()["error"]["message"] == (
        'The request body is empty; send the format, such as {"format": "xlsx"}, as JSON.'
    )
    assert form.status_code == 415
    assert form.json()["error"]["message"] == (
        'Send the format, such as {"format": "xlsx"}, as application/json.'
    )
