"""Query parameters: an endpoint that takes some refuses one it does not know and one given twice (400, by
name, nothing done), and the lists refuse a page with its reason (docs/security.md case 7).

Before, a misspelt filter was ignored (``?stauts=failed`` listed every invoice), ``?ids=`` on an invoice's
links revoked all of them, and ``?page=abc`` was the same 404 "Invalid page." as a page past the end.
"""

import json
import uuid

import pytest

from invoices import branding, services
from invoices.models import DownloadLink, Invoice, InvoiceBatch
from tests.payloads import sample_payload
from webhooks.models import WebhookEndpoint
from workers.models import OutboxMessage

pytestmark = pytest.mark.security


@pytest.fixture
def ann(make_user):
    return make_user("ann@example.com")


@pytest.fixture
def ann_api(client_for, ann):
    return client_for(ann)


@pytest.fixture
def invoice(invoices_gridfs_storage, ann) -> Invoice:
    """Ann's invoice, its CSV and PDF rendered into GridFS on the MongoDB-compatible server."""
    payload = sample_payload()
    del payload["format"]
    payload["formats"] = ["csv", "pdf"]
    made = services.invoice_submit(owner=ann, payload=payload).invoice
    for fmt in ("csv", "pdf"):
        services.invoice_render(invoice_id=made.id, fmt=fmt)
    return made


def fields_of(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def get_urls(invoice: Invoice, owner) -> list[str]:
    """Every GET that takes query parameters, and one each takes."""
    batch = InvoiceBatch.objects.create(owner=owner, fingerprint="0" * 64)
    endpoint = WebhookEndpoint.objects.create(owner=owner, url="https://hooks.example.com/x", secret="s" * 32)
    brand = branding.brand_create(owner, name="Nuage")
    return [
        "/api/invoices/?status=ready&format=csv&page=1&page_size=10",
        f"/api/invoices/{invoice.id}/download/?format=pdf",
        f"/api/invoices/{invoice.id}/links/?page=1",
        "/api/invoice-batches/?page_size=5",
        f"/api/invoice-batches/{batch.id}/links/?page=1",
        f"/api/brands/{brand.id}/versions/?page=1",
        f"/api/brands/{brand.id}/preview/?layout=modern",
        f"/api/webhooks/{endpoint.id}/deliveries/?status=failed&page=1",
        f"/download?fid={invoice.id}",
    ]


def test_every_endpoint_with_parameters_answers_its_own_and_refuses_an_unknown_one(ann_api, ann, invoice):
    for url in get_urls(invoice, ann):
        assert ann_api.get(url).status_code == 200, url

        fields = fields_of(ann_api.get(f"{url}&stauts=failed"))

        assert list(fields) == ["stauts"], url
        taken = url.split("?", 1)[1].split("&")[0].split("=")[0]
        assert fields["stauts"][0].startswith("Unknown query parameter; this endpoint takes "), url
        assert taken in fields["stauts"][0], url


def test_a_misspelt_filter_no_longer_lists_everything(ann_api, invoice):
    response = ann_api.get("/api/invoices/?stauts=failed")

    assert fields_of(response) == {
        "stauts": ["Unknown query parameter; this endpoint takes status, format, page, page_size."]
    }
    assert ann_api.get("/api/invoices/?status=failed").json()["count"] == 0  # the filter it meant


def test_a_parameter_given_twice_is_refused_not_read_as_its_last_value(ann_api, invoice):
    fields = fields_of(ann_api.get("/api/invoices/?status=failed&status=ready"))
    assert fields == {"status": ["Given 2 times; give it once."]}

    fields = fields_of(ann_api.get(f"/api/invoices/{invoice.id}/download/?format=csv&format=pdf"))
    assert fields == {"format": ["Given 2 times; give it once."]}


def test_a_misspelt_or_repeated_id_on_revoke_revokes_nothing(ann_api, invoice):
    made = [
        ann_api.post(f"/api/invoices/{invoice.id}/links/", data="{}", content_type="application/json")
        for _ in range(2)
    ]
    first, second = (answer.json()["id"] for answer in made)

    assert list(fields_of(ann_api.delete(f"/api/invoices/{invoice.id}/links/?ids={first}"))) == ["ids"]
    assert list(fields_of(ann_api.delete(f"/api/invoices/{invoice.id}/links/?id={first}&id={second}"))) == [
        "id"
    ]
    assert DownloadLink.objects.filter(invoice=invoice, revoked_at__isnull=True).count() == 2

    assert ann_api.delete(f"/api/invoices/{invoice.id}/links/?id={first}").json() == {"revoked": 1}


def test_a_misspelt_option_on_a_batch_stores_nothing(ann_api, db):
    body = [sample_payload(fmt="csv")]
    response = ann_api.post(
        "/api/invoice-batches/?atomc=1", data=json.dumps(body), content_type="application/json"
    )

    assert fields_of(response) == {"atomc": ["Unknown query parameter; this endpoint takes atomic."]}
    assert not InvoiceBatch.objects.exists()
    assert not Invoice.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_original_upload_refuses_a_misspelt_format_and_a_repeated_one(ann_api, legacy_payload, db):
    for query, field in (("?fromat=pdf", "fromat"), ("?format=pdf&format=csv", "format")):
        response = ann_api.post(
            f"/upload{query}", data=json.dumps(legacy_payload), content_type="application/json"
        )
        assert list(fields_of(response)) == [field], query
    assert not Invoice.objects.exists()


def test_another_accounts_resource_is_the_same_404_whatever_the_query(client_for, make_user, invoice):
    eve = client_for(make_user("eve@example.com"))
    missing = uuid.uuid4()

    for base in (f"/api/invoices/{invoice.id}", f"/api/invoices/{missing}"):
        for suffix in ("/download/?nope=1", "/links/?nope=1", "/download/?format=pdf&format=csv"):
            assert eve.get(base + suffix).status_code == 404, base + suffix


def test_an_endpoint_without_parameters_ignores_the_query_string(ann_api, invoice):
    assert ann_api.get(f"/api/invoices/{invoice.id}/?_=1733390000").status_code == 200


def test_a_page_past_the_end_names_the_last_page(ann_api, invoice):
    response = ann_api.get("/api/invoices/?page=7")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Page 7 does not exist; the last page is 1."
    assert ann_api.get("/api/invoices/?page=last").json()["count"] == 1

    huge = "9" * 60  # past the end too, however many digits; shown cut short
    response = ann_api.get(f"/api/invoices/?page={huge}")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"Page {'9' * 40}... does not exist; the last page is 1."


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=abc", "page", "Give a page number from 1, or last, not 'abc'."),
        ("page=0", "page", "Give a page number from 1, or last, not '0'."),
        ("page=-1", "page", "Give a page number from 1, or last, not '-1'."),
        ("page=%D9%A1", "page", "Give a page number from 1, or last, not '\u0661'."),
        ("page_size=abc", "page_size", "Give a whole number from 1 to 200, not 'abc'."),
        ("page_size=0", "page_size", "Give a whole number from 1 to 200, not '0'."),
        ("page_size=1e3", "page_size", "Give a whole number from 1 to 200, not '1e3'."),
    ],
)
def test_a_page_that_is_not_a_whole_number_is_refused_by_name(ann_api, db, query, field, message):
    assert fields_of(ann_api.get(f"/api/invoices/?{query}")) == {field: [message]}


def test_a_page_size_over_the_maximum_is_capped_and_an_empty_one_is_the_default(ann_api, invoice):
    for query in ("page_size=5000", "page_size=", "page="):
        response = ann_api.get(f"/api/invoices/?{query}")
        assert response.status_code == 200, query
        assert response.json()["count"] == 1
