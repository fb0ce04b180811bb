"""The invoice API up to the queue: validation, idempotency, ownership, listing, limits.

Jobs are not dispatched here (the `db` fixture's transaction never commits, so no on_commit callback
runs); the end-to-end tests in tests/e2e/ take the invoices through the real workers.
"""

import json
import uuid

import pytest

from invoices.models import Invoice, InvoiceStatus
from tests.payloads import SAMPLE_TOTALS, sample_payload
from workers.models import OutboxMessage


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


def upload(client, payload, **headers):
    return client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json", **headers)


def numbered(number: str, fmt: str | None = None) -> dict:
    """The sample under another invoice number: numbers are unique per owner and seller."""
    payload = sample_payload(fmt=fmt)
    payload["invoice"]["number"] = number
    return payload


def test_upload_answers_202_with_id_links_and_location(auth, user):
    response = upload(auth, sample_payload())

    assert response.status_code == 202
    body = response.json()
    invoice = Invoice.objects.get(id=body["id"])
    assert invoice.owner == user
    assert body["status"] == "queued"
    assert body["format"] == "pdf"
    assert body["links"]["self"].endswith(f"/api/invoices/{invoice.id}/")
    assert body["links"]["download"].endswith(f"/api/invoices/{invoice.id}/download/")
    assert response["Location"] == body["links"]["self"]


def test_upload_writes_the_invoice_and_its_render_job_together(auth):
    body = upload(auth, sample_payload()).json()

    job = OutboxMessage.objects.get()
    assert job.queue == "render"
    assert job.payload == {"invoice_id": body["id"], "format": "pdf"}


def test_upload_stores_server_computed_totals(auth):
    body = upload(auth, sample_payload()).json()

    detail = auth.get(f"/api/invoices/{body['id']}/").json()
    assert detail["totals"] == {key: str(value) for key, value in SAMPLE_TOTALS.items()}
    assert detail["currency"] == "EUR"


@pytest.mark.security
def test_invalid_upload_is_400_with_field_paths_and_queues_nothing(auth):
    payload = sample_payload()
    payload["invoice"]["lines"][1]["unit_price"] = "NaN"
    payload["invoice"]["currency"] = "XXY"

    response = upload(auth, payload)

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "invoice.lines[1].unit_price" in fields
    assert "invoice.currency" in fields
    assert not Invoice.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_wrong_client_total_is_400_with_both_values(auth):
    payload = sample_payload()
    payload["invoice"]["totals"] = {
        "net": str(SAMPLE_TOTALS["net"]),
        "tax": str(SAMPLE_TOTALS["tax"]),
        "gross": "1.00",
    }

    response = upload(auth, payload)

    assert response.status_code == 400
    message = " ".join(response.json()["error"]["fields"]["invoice.totals.gross"])
    assert "1.00" in message
    assert str(SAMPLE_TOTALS["gross"]) in message


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"{not json", "Invalid JSON"), (b"", "empty"), (b"[1, 2]", ""), (b"\xff\xfe", "UTF-8")],
)
@pytest.mark.security
def test_unreadable_bodies_are_400_never_500(auth, body, reason):
    response = auth.post("/api/invoices/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert reason in json.dumps(response.json())


@pytest.mark.security
def test_deeply_nested_json_is_400(auth):
    body = "[" * 5000 + "]" * 5000

    response = auth.post("/api/invoices/", data=body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.security
def test_a_body_over_the_limit_is_413(auth, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    payload = sample_payload()
    payload["invoice"]["notes"] = "x" * 20_000

    response = upload(auth, payload)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.security
def test_a_non_json_content_type_is_415(auth):
    response = auth.post(
        "/api/invoices/", data="format=pdf", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415


@pytest.mark.security
def test_upload_needs_a_bearer_token(api, db):
    response = upload(api, sample_payload())

    assert response.status_code == 401
    assert not Invoice.objects.exists()


def test_idempotency_key_returns_the_first_invoice(auth):
    first = upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="order-42")
    again = upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="order-42")

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_idempotency_keys_are_per_user(auth, client_for, make_user):
    bob = client_for(make_user("bob@example.com"))
    mine = upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="k1").json()

    theirs = upload(bob, sample_payload(), HTTP_IDEMPOTENCY_KEY="k1")

    assert theirs.status_code == 202
    assert theirs.json()["id"] != mine["id"]


def test_an_idempotency_key_reused_with_another_body_is_422(auth):
    upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="k2")
    changed = sample_payload()
    changed["invoice"]["number"] = "INV-OTHER"

    response = upload(auth, changed, HTTP_IDEMPOTENCY_KEY="k2")

    assert response.status_code == 422
    assert Invoice.objects.count() == 1


def test_list_is_newest_first_and_filters_by_status_and_format(auth):
    ids = [upload(auth, numbered(f"INV-{fmt}", fmt)).json()["id"] for fmt in ("pdf", "csv", "xlsx")]
    Invoice.objects.filter(id=ids[1]).update(status=InvoiceStatus.READY)

    everything = auth.get("/api/invoices/").json()
    ready = auth.get("/api/invoices/?status=ready").json()
    xlsx = auth.get("/api/invoices/?format=xlsx").json()

    assert [item["id"] for item in everything["results"]] == ids[::-1]
    assert everything["count"] == 3
    assert [item["id"] for item in ready["results"]] == [ids[1]]
    assert [item["id"] for item in xlsx["results"]] == [ids[2]]


def test_each_listed_invoice_links_to_itself_as_the_urls_resolve(auth):
    # The list builds each URL once per request and puts every invoice's id in it: each invoice's links and
    # its renditions' must still be its own, absolute, on the host the request came to.
    payloads = [numbered(f"INV-L{n}", fmt) for n, fmt in enumerate(("pdf", "csv"))]
    del payloads[1]["format"]
    payloads[1]["formats"] = ["csv", "xlsx"]
    ids = [upload(auth, payload).json()["id"] for payload in payloads]

    listed = auth.get("/api/invoices/", HTTP_HOST="localhost:8000").json()["results"]

    assert [item["id"] for item in listed] == ids[::-1]
    for item in listed:
        base = f"http://localhost:8000/api/invoices/{item['id']}/"
        links = {"self": base, "download": f"{base}download/", "renditions": f"{base}renditions/"}
        assert item["links"] == links
        assert [rendition["links"]["download"] for rendition in item["renditions"]] == [
            f"{base}download/?format={rendition['format']}" for rendition in item["renditions"]
        ]
        assert item["created_at"].endswith("Z")
    assert [len(item["renditions"]) for item in listed] == [2, 1]


def test_list_rejects_unknown_filter_values(auth):
    response = auth.get("/api/invoices/?status=lost")

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_list_is_paginated(auth):
    for n in range(3):
        upload(auth, numbered(f"INV-{n}"))

    page = auth.get("/api/invoices/?page_size=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] is not None


def test_detail_shows_status_totals_and_no_file_until_ready(auth):
    body = upload(auth, sample_payload()).json()

    detail = auth.get(body["links"]["self"]).json()

    assert detail["status"] == "queued"
    assert detail["file"] is None
    assert detail["failure_reason"] is None
    assert detail["number"] == sample_payload()["invoice"]["number"]
    assert (detail["type"], detail["preceding_invoice"]) == ("invoice", None)
    assert (detail["format"], detail["formats"]) == ("pdf", ["pdf"])
    [rendition] = detail["renditions"]
    assert rendition["format"] == "pdf"
    assert rendition["status"] == "queued"
    assert rendition["name"] is rendition["size"] is rendition["sha256"] is None
    assert rendition["links"]["download"] == body["links"]["download"] + "?format=pdf"


def test_download_while_queued_is_409_with_the_status(auth):
    body = upload(auth, sample_payload()).json()

    response = auth.get(body["links"]["download"])

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"
    assert "queued" in response.json()["error"]["message"]


@pytest.mark.security
def test_another_users_invoice_is_404_everywhere_and_never_listed(auth, client_for, make_user):
    invoice_id = upload(auth, sample_payload()).json()["id"]
    Invoice.objects.filter(id=invoice_id).update(status=InvoiceStatus.READY)
    eve = client_for(make_user("eve@example.com"))

    answers = [
        eve.get(f"/api/invoices/{invoice_id}/"),
        eve.get(f"/api/invoices/{invoice_id}/download/"),
        eve.get(f"/download?fid={invoice_id}"),
    ]
    missing = eve.get(f"/api/invoices/{uuid.uuid4()}/")

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert all(answer.json() == missing.json() for answer in answers)
    assert eve.get("/api/invoices/").json()["results"] == []


def test_delete_is_not_offered(auth):
    invoice_id = upload(auth, sample_payload()).json()["id"]

    response = auth.delete(f"/api/invoices/{invoice_id}/")

    assert response.status_code == 405
    assert Invoice.objects.filter(id=invoice_id).exists()


# --- The original service's contract ------------------------------------------------------------------


def test_legacy_upload_takes_one_json_file_and_a_format_parameter(auth, legacy_payload):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("invoice.json", json.dumps(legacy_payload).encode(), "application/json")

    response = auth.post("/upload?format=excel", {"file": file}, format="multipart")

    assert response.status_code == 202, response.content
    invoice = Invoice.objects.get(id=response.json()["id"])
    assert invoice.format == "xlsx"
    assert str(invoice.total_gross) == "1356.2500"


def test_legacy_upload_accepts_a_json_body(auth, legacy_payload):
    response = auth.post(
        "/upload?format=csv", data=json.dumps(legacy_payload), content_type="application/json"
    )

    assert response.status_code == 202
    assert response.json()["format"] == "csv"


def test_legacy_upload_with_two_files_is_400(auth, legacy_payload):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = {
        name: SimpleUploadedFile(f"{name}.json", json.dumps(legacy_payload).encode(), "application/json")
        for name in ("a", "b")
    }

    response = auth.post("/upload?format=pdf", files, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


@pytest.mark.security
def test_legacy_upload_with_an_unknown_format_is_400_naming_it(auth, legacy_payload):
    response = auth.post(
        "/upload?format=docx", data=json.dumps(legacy_payload), content_type="application/json"
    )

    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_legacy_download_needs_the_fid(auth):
    response = auth.get("/download")

    assert response.status_code == 400
    assert "fid" in response.json()["error"]["fields"]


@pytest.mark.security
def test_legacy_download_with_a_malformed_fid_is_404(auth):
    assert auth.get("/download?fid=../../etc/passwd").status_code == 404


def test_a_download_asking_for_the_file_type_is_not_refused(auth):
    body = upload(auth, sample_payload()).json()

    response = auth.get(body["links"]["download"], HTTP_ACCEPT="application/pdf")

    assert response.status_code == 409  # not ready yet: a JSON error, not a 406
    assert response.json()["error"]["code"] == "not_ready"


def test_the_list_filter_takes_excel_like_the_upload(auth):
    xlsx = upload(auth, numbered("INV-X", fmt="excel")).json()
    upload(auth, numbered("INV-C", fmt="csv"))

    response = auth.get("/api/invoices/?format=excel")

    assert [item["id"] for item in response.json()["results"]] == [xlsx["id"]]


@pytest.mark.security
def test_a_malformed_multipart_upload_is_400(auth):
    response = auth.post("/upload?format=pdf", data=b"garbage", content_type="multipart/form-data")

    assert response.status_code == 400


HUGE_EXPONENTS = ["1e999999999999999999999999999999999", '"1e-999999999999999999999999999999"']


@pytest.mark.parametrize("path", ["/api/invoices/", "/upload"])
@pytest.mark.parametrize("number", HUGE_EXPONENTS)
def test_a_number_beyond_decimals_exponent_range_is_400_naming_the_field(auth, path, number):
    # Found by tests/fuzz/test_api_schema*.py: Decimal() raised InvalidOperation and the upload was a 500,
    # whether the number came as a JSON number or as text.
    body = json.dumps(sample_payload()).replace('"quantity": "2"', f'"quantity": {number}', 1)

    response = auth.post(path, data=body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert "Out of range" in response.json()["error"]["fields"]["invoice.lines[0].quantity"][0]


def test_a_legacy_number_beyond_decimals_exponent_range_is_400_naming_the_field(auth, legacy_payload):
    body = json.dumps(legacy_payload).replace('"qty": 2', '"qty": 1e999999999999999999999999999999999', 1)

    response = auth.post("/upload", data=body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert "items[0].qty" in response.json()["error"]["fields"]


def test_the_original_upload_in_another_media_type_names_both_it_takes(auth):
    response = auth.post("/upload?format=pdf", data="invoice", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["error"]["message"] == (
        "Send the invoice as application/json, or as multipart/form-data with one JSON file."
    )
