"""Batches are their owner's only (docs/security.md cases 30-33): another account's batch is the 404 of a
made-up id on every route, lists and ZIPs hold only one's own, and an item cannot name another account's
invoice."""

import hashlib
import io
import json
import uuid
import zipfile

import pytest

from invoices import services
from invoices.models import Invoice, Rendition
from tests.batches.conftest import BATCHES, documents, numbered, post_batch
from tests.payloads import credit_note_payload

pytestmark = pytest.mark.security

ROUTES = ["{base}{id}/", "{base}{id}/download/", "{base}{id}/download/?format=pdf", "{base}{id}/?items=true"]


@pytest.fixture
def mallory(client_for, make_user):
    return client_for(make_user("mallory@example.com"))


@pytest.fixture
def rendered_batch(auth, local_invoice_storage):
    body = post_batch(auth, documents(2, prefix="OWN")).json()
    for invoice in Invoice.objects.filter(batch_id=body["id"]):
        services.invoice_render(invoice_id=invoice.id)
    return body


@pytest.mark.parametrize("route", ROUTES)
def test_another_accounts_batch_is_the_404_of_a_made_up_id(mallory, rendered_batch, route):
    theirs = mallory.get(route.format(base=BATCHES, id=rendered_batch["id"]))
    made_up = mallory.get(route.format(base=BATCHES, id=uuid.uuid4()))

    assert theirs.status_code == made_up.status_code == 404
    assert theirs.content == made_up.content


def test_the_list_shows_only_ones_own_batches(auth, mallory, rendered_batch):
    post_batch(mallory, documents(1, prefix="MAL"))

    mine = auth.get(BATCHES).json()
    theirs = mallory.get(BATCHES).json()

    assert [batch["id"] for batch in mine["results"]] == [rendered_batch["id"]]
    assert theirs["count"] == 1
    assert theirs["results"][0]["id"] != rendered_batch["id"]


def test_the_zip_holds_only_the_owners_files(auth, mallory, rendered_batch, local_invoice_storage):
    theirs = post_batch(mallory, documents(2, prefix="OWN")).json()  # the same numbers, another account
    for invoice in Invoice.objects.filter(batch_id=theirs["id"]):
        services.invoice_render(invoice_id=invoice.id)

    response = auth.get(rendered_batch["links"]["download"])

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    mine = Rendition.objects.filter(invoice__batch_id=rendered_batch["id"])
    assert (
        sorted(archive.namelist())
        == sorted(r.download_name for r in mine)
        == ["OWN-0000.csv", "OWN-0001.csv"]
    )
    for rendition in mine:
        assert hashlib.sha256(archive.read(rendition.download_name)).hexdigest() == rendition.sha256


def test_an_item_naming_another_accounts_invoice_gets_the_unknown_id_error(auth, mallory):
    theirs = mallory.post("/api/invoices/", data=json.dumps(numbered("M-1")), content_type="application/json")
    their_id, made_up = theirs.json()["id"], str(uuid.uuid4())

    def credit_note(number: str, preceding_id: str) -> dict:
        payload = credit_note_payload()
        payload["invoice"]["number"] = number
        payload["invoice"]["preceding_invoice"]["id"] = preceding_id
        return payload

    body = post_batch(
        auth, [credit_note("CN-1", their_id), credit_note("CN-2", made_up), numbered("OK-1")]
    ).json()

    first, second, third = body["items"]
    assert [first["status"], second["status"], third["status"]] == ["rejected", "rejected", "accepted"]
    assert first["errors"] == {
        "invoice.preceding_invoice.id": [f"No invoice of yours has the id {their_id}."]
    }
    assert second["errors"] == {
        "invoice.preceding_invoice.id": [f"No invoice of yours has the id {made_up}."]
    }


def test_an_item_naming_ones_own_invoice_is_linked_to_it(auth):
    own = auth.post("/api/invoices/", data=json.dumps(numbered("OWN-1")), content_type="application/json")
    payload = credit_note_payload()
    payload["invoice"]["preceding_invoice"]["id"] = own.json()["id"]

    body = post_batch(auth, [payload]).json()

    assert body["accepted"] == 1
    assert str(Invoice.objects.get(id=body["items"][0]["id"]).preceding_invoice_id) == own.json()["id"]


def test_an_idempotency_key_never_replays_another_accounts_batch(auth, mallory):
    items = documents(2)
    mine = post_batch(auth, items, HTTP_IDEMPOTENCY_KEY="shared-key").json()

    theirs = post_batch(mallory, items, HTTP_IDEMPOTENCY_KEY="shared-key")

    assert theirs.status_code == 202
    assert theirs.json()["id"] != mine["id"]
