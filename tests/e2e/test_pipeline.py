"""Upload -> queue -> render -> GridFS -> email -> download, on the real services with the real workers."""

import csv
import io
import json
import re
import signal
import subprocess
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from invoices.models import Invoice, Notification
from tests.amqp import dead_letters, publish_raw
from tests.e2e.conftest import plain_body, wait_for
from tests.payloads import SAMPLE_TOTALS, sample_payload
from workers.publisher import Publisher

GROSS_PRINTED = "1.189,83 €"  # SAMPLE_TOTALS' gross as the sample's locale (en-DE) prints it


def upload(client, payload, **headers):
    response = client.post(
        "/api/invoices/", data=json.dumps(payload), content_type="application/json", **headers
    )
    assert response.status_code == 202, response.content
    return response.json()


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    assert response["X-Content-Type-Options"] == "nosniff"
    return b"".join(response.streaming_content)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def xlsx_numbers(content: bytes) -> set[Decimal]:
    sheet = load_workbook(io.BytesIO(content), data_only=True).active
    return {
        Decimal(str(cell.value))
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float | Decimal)
    }


def csv_total_row(content: bytes) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    [total] = [row for row in rows if row["row_type"] == "total"]
    return total


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_an_upload_is_rendered_stored_announced_and_downloaded(pipeline, owner, owner_client, fmt, tmp_path):
    pipeline.start_all()

    accepted = upload(owner_client, sample_payload(fmt=fmt))
    invoice = pipeline.wait_status(accepted["id"], "ready")
    [mail] = pipeline.wait_emails(invoice.id)
    content = download(owner_client, accepted["links"]["download"])

    assert mail["To"] == owner.email
    assert "INV-2026-0042" in mail["Subject"]
    assert f"http://invoices.test/api/invoices/{invoice.id}/download/" in plain_body(mail)
    assert pipeline.stored_files(invoice.id) == 1
    assert invoice.renditions.get().size == len(content)
    if fmt == "pdf":
        assert content.startswith(b"%PDF")
        text = pdf_text(content, tmp_path)
        # The sample is English to a buyer in Germany: en-DE, "1.189,83 €".
        assert GROSS_PRINTED in text
        assert str(SAMPLE_TOTALS["tax"]).replace(".", ",") in text
    elif fmt == "xlsx":
        assert set(SAMPLE_TOTALS.values()) <= xlsx_numbers(content)
    else:
        total = csv_total_row(content)
        assert {key: Decimal(total[key]) for key in SAMPLE_TOTALS} == SAMPLE_TOTALS
    detail = owner_client.get(accepted["links"]["self"]).json()
    assert detail["status"] == "ready"
    assert {key: Decimal(value) for key, value in detail["totals"].items()} == SAMPLE_TOTALS
    assert detail["file"]["size"] == len(content)


def test_the_original_upload_and_download_contract_works_end_to_end(
    pipeline, owner_client, legacy_payload, client_for, make_user
):
    pipeline.start_all()
    file = SimpleUploadedFile("invoice.json", json.dumps(legacy_payload).encode(), "application/json")

    response = owner_client.post("/upload?format=csv", {"file": file}, format="multipart")
    assert response.status_code == 202, response.content
    invoice_id = response.json()["id"]
    pipeline.wait_status(invoice_id, "ready")
    content = download(owner_client, f"/download?fid={invoice_id}")

    assert csv_total_row(content)["gross"] == "1356.25"
    pipeline.wait_emails(invoice_id)
    stranger = client_for(make_user("stranger@example.com"))
    for url in (
        f"/download?fid={invoice_id}",
        f"/api/invoices/{invoice_id}/",
        f"/api/invoices/{invoice_id}/download/",
    ):
        assert stranger.get(url).status_code == 404
    assert stranger.get("/api/invoices/").json()["results"] == []


def test_a_worker_killed_mid_render_loses_nothing(pipeline, owner_client):
    # A long invoice keeps the render busy for seconds, long enough to kill the worker in the middle.
    renderer = pipeline.start("render")
    pipeline.start("notify")
    accepted = upload(owner_client, sample_payload(fmt="pdf", lines=300))
    pipeline.wait_status(accepted["id"], "rendering")

    renderer.stop(signal.SIGKILL)
    pipeline.start("render")
    invoice = pipeline.wait_status(accepted["id"], "ready", timeout=120)

    assert invoice.renditions.get().attempts >= 2
    assert pipeline.stored_files(invoice.id) == 1
    assert len(pipeline.wait_emails(invoice.id)) == 1
    assert download(owner_client, accepted["links"]["download"]).startswith(b"%PDF")


def test_the_same_message_delivered_twice_gives_one_file_and_one_email(pipeline, owner_client):
    pipeline.start_all()
    accepted = upload(owner_client, sample_payload(fmt="csv"))
    invoice = pipeline.wait_status(accepted["id"], "ready")
    pipeline.wait_emails(invoice.id)

    with Publisher() as publisher:
        publisher.publish("render", {"invoice_id": str(invoice.id)}, f"dup-render-{uuid.uuid4()}")
        publisher.publish(
            "render", {"invoice_id": str(invoice.id), "format": "csv"}, f"dup-render-csv-{uuid.uuid4()}"
        )
        publisher.publish(
            "notify", {"invoice_id": str(invoice.id), "kind": "ready"}, f"dup-notify-{uuid.uuid4()}"
        )
    wait_for(lambda: pipeline.logs().count("duplicate job ignored") >= 3, "the duplicates to be handled")

    assert pipeline.stored_files(invoice.id) == 1
    assert len(pipeline.inbox.about(invoice.id)) == 1
    assert Notification.objects.get(invoice=invoice, kind="ready").sent_at is not None


def test_poison_messages_are_dead_lettered_and_the_next_invoice_still_renders(pipeline, owner_client):
    broken = upload(owner_client, sample_payload(fmt="pdf"))
    # Stored input that no longer validates: the renderer refuses it permanently.
    Invoice.objects.filter(id=broken["id"]).update(input={"invoice": {"number": "X"}})
    pipeline.start_all()
    publish_raw("render", b"this is not json")
    with Publisher() as publisher:
        publisher.publish("render", {"invoice_id": str(uuid.uuid4())}, "unknown-invoice")

    failed = pipeline.wait_status(broken["id"], "failed")
    dead = dead_letters("render", count=3, timeout=30)
    good_payload = sample_payload(fmt="csv")
    good_payload["invoice"]["number"] = "INV-2026-0043"  # a number is issued once
    good = upload(owner_client, good_payload)

    assert pipeline.wait_status(good["id"], "ready")
    assert "no longer valid" in failed.failure_reason
    assert len(dead) == 3
    [failure_mail] = pipeline.wait_emails(broken["id"])
    assert "could not be created" in failure_mail["Subject"]
    detail = owner_client.get(broken["links"]["self"]).json()
    assert detail["status"] == "failed"
    assert detail["failure_reason"]
    assert owner_client.get(broken["links"]["download"]).status_code == 409


def test_an_upload_accepted_while_no_worker_runs_completes_when_one_starts(pipeline, owner_client):
    accepted = upload(owner_client, sample_payload(fmt="xlsx"))

    assert Invoice.objects.get(id=accepted["id"]).status == "queued"
    pipeline.start_all()
    pipeline.wait_status(accepted["id"], "ready")


def rendition_file(client, invoice: dict, fmt: str) -> tuple[dict, bytes]:
    """The invoice's rendition in ``fmt`` as its status answer lists it, and the file it downloads."""
    detail = client.get(invoice["links"]["self"]).json()
    [rendition] = [r for r in detail["renditions"] if r["format"] == fmt]
    return rendition, download(client, rendition["links"]["download"])


def test_an_upload_with_two_formats_renders_both_and_each_downloads(pipeline, owner, owner_client, tmp_path):
    pipeline.start_all()
    payload = sample_payload()
    del payload["format"]
    payload["formats"] = ["pdf", "csv"]

    accepted = upload(owner_client, payload)
    invoice = pipeline.wait_status(accepted["id"], "ready")
    [mail] = pipeline.wait_emails(invoice.id)  # one email for the invoice, when both files are there

    assert accepted["formats"] == ["pdf", "csv"]
    assert pipeline.stored_files(invoice.id) == 2
    pdf, pdf_content = rendition_file(owner_client, accepted, "pdf")
    csv_rendition, csv_content = rendition_file(owner_client, accepted, "csv")
    assert (pdf["status"], pdf["name"], pdf["size"]) == ("ready", "INV-2026-0042.pdf", len(pdf_content))
    assert (csv_rendition["name"], csv_rendition["size"]) == ("INV-2026-0042.csv", len(csv_content))
    assert GROSS_PRINTED in pdf_text(pdf_content, tmp_path)
    assert {key: Decimal(csv_total_row(csv_content)[key]) for key in SAMPLE_TOTALS} == SAMPLE_TOTALS
    assert download(owner_client, accepted["links"]["download"]) == pdf_content  # the first is the default
    body = plain_body(mail)
    # A download link per file, opening without a login (tests/links), and the API download for after.
    assert re.search(
        rf"^PDF: http://invoices\.test/files/1\.\w+\.{invoice.id.hex}\.pdf\.", body, re.MULTILINE
    )
    assert re.search(
        rf"^CSV: http://invoices\.test/files/1\.\w+\.{invoice.id.hex}\.csv\.", body, re.MULTILINE
    )
    assert f"http://invoices.test/api/invoices/{invoice.id}/download/" in body


def test_a_rendition_added_later_is_rendered_with_the_same_totals_and_sends_no_second_email(
    pipeline, owner_client
):
    pipeline.start_all()
    accepted = upload(owner_client, sample_payload(fmt="csv"))
    pipeline.wait_status(accepted["id"], "ready")
    pipeline.wait_emails(accepted["id"])

    added = owner_client.post(accepted["links"]["renditions"], {"format": "xlsx"}, format="json")
    assert added.status_code == 202, added.content
    invoice = pipeline.wait_status(accepted["id"], "ready")
    xlsx, content = rendition_file(owner_client, accepted, "xlsx")

    assert xlsx["name"] == "INV-2026-0042.xlsx"
    assert set(SAMPLE_TOTALS.values()) <= xlsx_numbers(content)
    assert pipeline.stored_files(invoice.id) == 2
    again = owner_client.post(accepted["links"]["renditions"], {"format": "xlsx"}, format="json")
    assert (again.status_code, again.json()["sha256"]) == (200, xlsx["sha256"])
    _, csv_content = rendition_file(owner_client, accepted, "csv")
    assert {key: Decimal(csv_total_row(csv_content)[key]) for key in SAMPLE_TOTALS} == SAMPLE_TOTALS
    assert len(pipeline.inbox.about(invoice.id)) == 1
    assert Notification.objects.filter(invoice=invoice).count() == 1


def test_an_einvoice_is_rendered_in_every_format_that_the_official_rules_accept(
    pipeline, owner_client, tmp_path
):
    """The EN 16931 sample as PDF, UBL, CII and Factur-X through the real workers and services: each XML
    passes its XSD and schematron, the Factur-X carries the CII rendition byte for byte, and every file
    shows the amounts the server computed; then a credit note for it, linked by its id."""
    from lxml import etree  # type: ignore[import-untyped]

    from invoices.einvoice.validate import fatal_findings, validate_einvoice
    from invoices.renderers.pdfa import attached_xml, pdfa_problems
    from tests.payloads import EINVOICE_TOTALS, credit_note_payload, einvoice_payload

    pipeline.start_all()
    accepted = upload(owner_client, einvoice_payload(formats=["pdf", "ubl", "cii", "facturx"]))
    invoice = pipeline.wait_status(accepted["id"], "ready")
    files = {fmt: rendition_file(owner_client, accepted, fmt)[1] for fmt in ("pdf", "ubl", "cii", "facturx")}

    assert pipeline.stored_files(invoice.id) == 4
    for fmt in ("ubl", "cii"):
        assert fatal_findings(validate_einvoice(fmt, files[fmt])) == [], fmt
    name, carried = attached_xml(files["facturx"])
    assert (name, carried) == ("xrechnung.xml", files["cii"])  # the sample's cii_profile is XRechnung
    assert pdfa_problems(files["facturx"]) == []
    payable = "1.588,78 €"  # EINVOICE_TOTALS' payable in the sample's locale: German to a buyer in Germany
    assert payable in pdf_text(files["pdf"], tmp_path)
    assert payable in pdf_text(files["facturx"], tmp_path)
    ubl = etree.fromstring(files["ubl"])
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    assert Decimal(ubl.findtext(".//cbc:PayableAmount", namespaces=ns)) == EINVOICE_TOTALS["payable"]
    assert Decimal(ubl.findtext(".//cbc:PrepaidAmount", namespaces=ns)) == Decimal("500.00")

    credit_note = credit_note_payload()
    credit_note["formats"] = ["ubl"]
    credit_note["invoice"]["preceding_invoice"]["id"] = accepted["id"]
    credited = upload(owner_client, credit_note)
    pipeline.wait_status(credited["id"], "ready")
    _, content = rendition_file(owner_client, credited, "ubl")
    root = etree.fromstring(content)
    assert root.tag.endswith("}CreditNote")
    assert root.findtext(".//cbc:CreditNoteTypeCode", namespaces=ns) == "381"
    assert "RE-2026-1001" in [node.text for node in root.iter() if node.tag.endswith("}ID")]
    assert fatal_findings(validate_einvoice("ubl", content)) == []
