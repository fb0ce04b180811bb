"""A month-end batch on the real services with the real workers: 1,000 CSV invoices, 10 of them invalid, are
accepted in one request, rendered by two `run_worker render` processes, completed exactly once, announced by
exactly one email (no per-invoice email), and downloaded as one streamed ZIP holding every file: through the
email's signed link without a token, and through the API."""

import hashlib
import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from invoices.models import DownloadLinkUse, Invoice, InvoiceBatch, Notification, Rendition
from tests.batches.conftest import documents
from tests.e2e.conftest import plain_body, wait_for
from tests.links.conftest import body_of
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

BATCH_SIZE = 1000
INVALID_AT = range(50, 1000, 100)  # ten items


@pytest.fixture
def owner(make_user):
    return make_user("month-end@example.com")


def test_a_batch_of_1000_is_rendered_completed_once_emailed_once_and_zipped(pipeline, owner, client_for):
    WebhookEndpoint.objects.create(
        owner=owner,
        url="https://erp.example/hooks",
        event_types=[EventType.BATCH_COMPLETED],
        secret="whsec_x",
    )
    pipeline.start("render")
    pipeline.start("render")
    pipeline.start("notify")
    client = client_for(owner)
    items = documents(BATCH_SIZE, prefix="ME")
    for index in INVALID_AT:
        items[index]["invoice"]["lines"][0]["quantity"] = "many"

    response = client.post("/api/invoice-batches/", data=json.dumps(items), content_type="application/json")

    assert response.status_code == 202, response.content[:1000]
    accepted = response.json()
    assert (accepted["accepted"], accepted["rejected"]) == (990, 10)
    assert [item["index"] for item in accepted["items"] if item["status"] == "rejected"] == list(INVALID_AT)
    batch_id = accepted["id"]

    batch = wait_for(
        lambda: InvoiceBatch.objects.filter(id=batch_id, email_sent_at__isnull=False).first(),
        "the batch to complete and its email to be sent",
        timeout=240,
    )
    assert Invoice.objects.filter(batch_id=batch_id, status="ready").count() == 990
    status = client.get(accepted["links"]["self"]).json()
    assert status["status"] == "completed"
    assert status["counts"] == {"queued": 0, "rendering": 0, "ready": 990, "failed": 0}

    # Completed exactly once: one batch.completed delivery, one email, and no invoice's own email.
    assert WebhookDelivery.objects.filter(event_type=EventType.BATCH_COMPLETED).count() == 1
    assert batch.email_attempts == 1
    assert not Notification.objects.exists()
    [mail] = pipeline.inbox.messages
    assert mail["To"] == owner.email
    assert mail["Subject"] == "Your batch of 990 invoices is done"
    assert f"/api/invoice-batches/{batch_id}/download/" in plain_body(mail)
    assert pipeline.logs().count(f"batch {batch_id} completed") == 1

    # The ZIP twice: through the email's signed link, with no Authorization header (a person reading the
    # email has no token), and through the API with one; the same 990 files, each its stored rendition.
    [link_url] = re.findall(r"https?://\S+/files/b1\.\S+", plain_body(mail))
    via_link = APIClient().get(urlsplit(link_url).path)  # no credentials
    download = client.get(accepted["links"]["download"])
    renditions = {r.download_name: r.sha256 for r in Rendition.objects.filter(invoice__batch_id=batch_id)}
    assert len(renditions) == 990
    for response in (via_link, download):
        assert response.status_code == 200
        assert response.streaming
        archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
        assert sorted(archive.namelist()) == sorted(renditions)
        assert sorted(archive.namelist())[:2] == ["ME-0000.csv", "ME-0001.csv"]
        for name in archive.namelist():
            assert hashlib.sha256(archive.read(name)).hexdigest() == renditions[name], name
    assert "HTTP_AUTHORIZATION" not in via_link.wsgi_request.META
    assert DownloadLinkUse.objects.filter(link__batch_id=batch_id).count() == 1
