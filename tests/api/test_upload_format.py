"""``/upload?format=``: the query string shapes the invoice, so it is part of the request an Idempotency-Key
names, and a request that names two formats is refused rather than guessed (issue "what a probe broke",
item 9)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoices.models import Invoice
from tests.payloads import LEGACY_SAMPLE, sample_payload


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


def upload_file(client, query: str, key: str = "", content: bytes | None = None):
    """The legacy contract: one JSON file, multipart, the format in the query string."""
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    file = SimpleUploadedFile("invoice.json", content or LEGACY_SAMPLE.read_bytes(), "application/json")
    return client.post(f"/upload?{query}", {"file": file}, format="multipart", **headers)


def test_the_same_key_and_file_with_another_format_is_422(auth):
    first = upload_file(auth, "format=pdf", key="order-9")

    other = upload_file(auth, "format=csv", key="order-9")

    assert first.status_code == 202
    assert other.status_code == 422, other.content
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert list(Invoice.objects.values_list("format", flat=True)) == ["pdf"]


def test_the_same_key_file_and_format_replays_the_first_invoice(auth):
    first = upload_file(auth, "format=excel", key="order-10").json()

    # excel and xlsx are one format: the same file would be made, so it is the same request.
    again = upload_file(auth, "format=xlsx", key="order-10")

    assert again.status_code == 202
    assert again.json()["id"] == first["id"]
    assert again["Idempotent-Replayed"] == "true"


def test_the_same_key_and_file_with_an_unknown_format_is_400(auth):
    upload_file(auth, "format=pdf", key="order-11")

    response = upload_file(auth, "format=docx", key="order-11")

    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_a_body_format_and_another_query_format_is_400_naming_format(auth):
    body = json.dumps(sample_payload(fmt="pdf")).encode()

    response = upload_file(auth, "format=csv", content=body)

    assert response.status_code == 400, response.content
    assert "?format=" in " ".join(response.json()["error"]["fields"]["format"])
    assert not Invoice.objects.exists()


def test_a_body_format_and_the_same_query_format_is_accepted(auth):
    body = json.dumps(sample_payload(fmt="xlsx")).encode()

    response = upload_file(auth, "format=excel", content=body)

    assert response.status_code == 202, response.content
    assert response.json()["format"] == "xlsx"


def test_two_query_formats_are_400(auth):
    response = upload_file(auth, "format=pdf&format=csv")

    assert response.status_code == 400, response.content
    assert "once" in " ".join(response.json()["error"]["fields"]["format"])
    assert not Invoice.objects.exists()
