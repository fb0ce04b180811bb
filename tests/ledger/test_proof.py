"""GET /api/invoices/{id}/proof/: the invoice's entries (every field, the hashes), the chain's length and head
now, and ``verified``; owner-only (docs/security.md case 40)."""

import uuid

import pytest

from invoices.document.model import OWN_LAYOUT_VERSION
from invoices.ledger import entry_hash
from invoices.models import LedgerEntry

pytestmark = pytest.mark.django_db


def proof_of(client, invoice_id):
    return client.get(f"/api/invoices/{invoice_id}/proof/")


def test_the_proof_lists_every_entry_of_the_invoice_and_the_chain_now(owner, auth, issued):
    first = issued(owner, ["csv", "xlsx"])
    issued(owner, ["csv"])  # the chain grows past the invoice: 5 entries
    response = proof_of(auth, first.id)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = list(LedgerEntry.objects.filter(invoice=first).order_by("position"))
    head = LedgerEntry.objects.get(owner=owner, position=5)
    assert body["invoice"] == str(first.id)
    assert body["chain"] == {"length": 5, "head_hash": head.entry_hash}
    assert body["verified"] is True
    assert [entry["position"] for entry in body["entries"]] == [1, 2, 3]
    assert [entry["kind"] for entry in body["entries"]] == ["issued", "rendition", "rendition"]
    shown = body["entries"][1]
    row = rows[1]
    assert shown == {
        "id": row.id,
        "owner": owner.pk,
        "position": 2,
        "kind": "rendition",
        "at": row.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "invoice": str(first.id),
        "number": first.number,
        "input_sha256": row.input_sha256,
        "brand_version": None,
        "layout": "classic",
        "layout_version": OWN_LAYOUT_VERSION,
        "renderer_version": row.renderer_version,
        "files": {"csv": first.renditions.get(format="csv").sha256},
        "previous_hash": rows[0].entry_hash,
        "entry_hash": entry_hash(row),
    }


def test_an_entry_altered_in_the_database_is_not_verified(owner, auth, issued):
    invoice = issued(owner, ["csv"])
    LedgerEntry.objects.filter(invoice=invoice, position=2).update(number="OTHER")
    assert proof_of(auth, invoice.id).json()["verified"] is False


@pytest.mark.security
def test_a_predecessor_altered_and_rehashed_breaks_the_link(owner, auth, issued):
    before = issued(owner, ["csv"])  # positions 1, 2
    invoice = issued(owner, ["csv"])  # positions 3, 4
    entry = LedgerEntry.objects.get(invoice=before, position=2)
    entry.layout = "modern"
    LedgerEntry.objects.filter(id=entry.id).update(layout="modern", entry_hash=entry_hash(entry))
    assert proof_of(auth, before.id).json()["verified"] is True  # its own entries recompute
    assert proof_of(auth, invoice.id).json()["verified"] is False  # its first no longer links


@pytest.mark.security
def test_anothers_invoice_is_the_404_of_a_made_up_id(owner, issued, make_user, client_for):
    invoice = issued(owner, ["csv"])
    bob = client_for(make_user("bob@example.com"))
    theirs = proof_of(bob, invoice.id)
    made_up = proof_of(bob, uuid.uuid4())
    assert theirs.status_code == 404
    assert (theirs.status_code, theirs.content) == (made_up.status_code, made_up.content)  # byte for byte


@pytest.mark.security
def test_without_a_login_it_is_401(owner, issued, api):
    invoice = issued(owner, ["csv"])
    assert proof_of(api, invoice.id).status_code == 401


def test_the_operation_is_in_the_openapi_schema(auth):
    schema = auth.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/invoices/{id}/proof/"]["get"]
    assert operation["operationId"] == "invoices_proof"
    assert set(operation["responses"]) == {"200", "401", "404"}
