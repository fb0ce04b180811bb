"""manage.py verify_ledger against real chains: untouched ones pass; altering a stored file, an invoice's
input or an entry, or deleting an entry (in the middle, or the last) fails naming the entry.

Real PostgreSQL and the real GridFS storage; the tampering is done where an attacker with database or
storage access would do it (UPDATE/DELETE as the schema owner, a chunk rewritten in MongoDB).
"""

import hashlib
import itertools
import json
from datetime import UTC, timedelta

import pytest
from django.core.management.base import CommandError

from invoices.document.model import OWN_LAYOUT_VERSION
from invoices.ledger import GENESIS_HASH, RENDERER_VERSION, canonical_json, entry_hash, input_sha256
from invoices.models import Invoice, LedgerEntry, Rendition
from invoices.storage import mongo_client
from tests.batches.conftest import documents, post_batch
from tests.ledger.conftest import verify
from tests.payloads import sample_payload

pytestmark = [pytest.mark.security, pytest.mark.django_db]


@pytest.fixture
def ann_chain(user, issued):
    """Ann's chain: two invoices, the first in CSV and XLSX: 1 issued, 2 csv, 3 xlsx, 4 issued, 5 csv."""
    first = issued(user, ["csv", "xlsx"])
    second = issued(user, ["csv"])
    return first, second


def entry_at(owner, position: int) -> LedgerEntry:
    return LedgerEntry.objects.get(owner=owner, position=position)


def failure(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        verify(*args)
    return str(raised.value)


def test_entries_are_chained_per_owner_and_an_untouched_ledger_passes(user, make_user, ann_chain, issued):
    bob = make_user("bob@example.com")
    issued(bob, ["csv"])
    entries = list(LedgerEntry.objects.filter(owner=user).order_by("position"))
    assert [(e.position, e.kind, e.files.keys() and next(iter(e.files))) for e in entries] == [
        (1, "issued", {}.keys()),
        (2, "rendition", "csv"),
        (3, "rendition", "xlsx"),
        (4, "issued", {}.keys()),
        (5, "rendition", "csv"),
    ]
    assert entries[0].previous_hash == GENESIS_HASH
    for before, entry in itertools.pairwise(entries):
        assert entry.previous_hash == before.entry_hash
    first, _second = ann_chain
    csv = Rendition.objects.get(invoice=first, format="csv")
    assert entries[1].files == {"csv": csv.sha256}
    assert entries[0].input_sha256 == input_sha256(Invoice.objects.get(id=first.id).input)
    assert (entries[0].layout, entries[0].layout_version, entries[0].brand_version) == (
        "classic",
        OWN_LAYOUT_VERSION,
        None,
    )
    assert entries[0].renderer_version == RENDERER_VERSION
    # Bob's chain starts at 1 from the genesis hash: one chain per account.
    bobs = LedgerEntry.objects.get(owner=bob, position=1)
    assert bobs.previous_hash == GENESIS_HASH
    assert verify() == (
        "Ledger verified: 2 chain(s), 7 entries, 4 stored file(s) hashed; every link, hash, input and file "
        "holds.\n"
    )


def test_the_entry_hash_is_the_documented_canonical_form(ann_chain, user):
    """An auditor's recomputation, from the row alone, as docs/api.md "Proof" describes it."""
    entry = entry_at(user, 2)
    fields = {
        "owner": user.pk,
        "position": 2,
        "kind": "rendition",
        # ISO 8601 in UTC with microseconds and a Z.
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "invoice": str(entry.invoice_id),
        "number": entry.number,
        "input_sha256": entry.input_sha256,
        "brand_version": None,
        "layout": "classic",
        "layout_version": OWN_LAYOUT_VERSION,
        "renderer_version": RENDERER_VERSION,
        "files": entry.files,
        "previous_hash": entry.previous_hash,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == entry.entry_hash == entry_hash(entry)
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_a_stored_file_altered_in_the_storage_is_named(ann_chain, user, invoices_gridfs_storage):
    first, _ = ann_chain
    xlsx = Rendition.objects.get(invoice=first, format="xlsx")
    database = mongo_client(invoices_gridfs_storage.mongodb_url)[invoices_gridfs_storage.database_name]
    bucket = invoices_gridfs_storage.bucket_name
    stored = database[f"{bucket}.files"].find_one({"filename": xlsx.file_name})
    assert stored is not None
    chunk = database[f"{bucket}.chunks"].find_one({"files_id": stored["_id"], "n": 0})
    assert chunk is not None
    data = bytearray(chunk["data"])
    data[100] ^= 0xFF  # one byte flipped, the length kept: only its hash can tell
    database[f"{bucket}.chunks"].update_one({"_id": chunk["_id"]}, {"$set": {"data": bytes(data)}})
    entry = entry_at(user, 3)
    message = failure()
    assert f"entry #3 (id {entry.id}, rendition) of invoice {first.id} ({first.number!r})" in message
    assert f"the stored xlsx file {xlsx.file_name!r} hashes to " in message
    assert f"not {xlsx.sha256}" in message


def test_a_stored_file_removed_from_the_storage_is_named(ann_chain, user, invoices_gridfs_storage):
    _, second = ann_chain
    csv = Rendition.objects.get(invoice=second, format="csv")
    invoices_gridfs_storage.delete(csv.file_name)
    message = failure()
    assert f"entry #5 (id {entry_at(user, 5).id}, rendition) of invoice {second.id}" in message
    assert "is not in the storage" in message


def test_an_invoices_input_altered_is_named_at_its_issued_entry(ann_chain, user):
    _, second = ann_chain
    changed = Invoice.objects.get(id=second.id).input
    changed["invoice"]["lines"][0]["unit_price"] = "1.00"
    Invoice.objects.filter(id=second.id).update(input=changed)
    message = failure()
    assert f"entry #4 (id {entry_at(user, 4).id}, issued) of invoice {second.id}" in message
    assert "the invoice's stored input hashes to" in message


def test_an_invoices_number_altered_is_named(ann_chain, user):
    first, _ = ann_chain
    Invoice.objects.filter(id=first.id).update(number="FORGED-1")
    assert "entry #1 " in failure()
    assert "the invoice's number is now 'FORGED-1'" in failure()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "OTHER-1"),
        ("input_sha256", "0" * 64),
        ("files", {"csv": "f" * 64}),
        ("layout", "modern"),
        ("renderer_version", "1999.1.1"),
    ],
)
def test_an_entrys_field_altered_is_named(ann_chain, user, field, value):
    entry = entry_at(user, 2)
    LedgerEntry.objects.filter(id=entry.id).update(**{field: value})
    message = failure()
    assert f"entry #2 (id {entry.id}, rendition)" in message
    assert f"entry_hash {entry.entry_hash} is recorded, but the entry's fields hash to" in message


def test_an_entrys_time_altered_by_a_microsecond_is_named(ann_chain, user):
    entry = entry_at(user, 4)
    LedgerEntry.objects.filter(id=entry.id).update(at=entry.at + timedelta(microseconds=1))
    assert f"entry #4 (id {entry.id}, issued)" in failure()


def test_an_entry_rehashed_after_an_edit_breaks_the_link_of_the_next(ann_chain, user):
    """Whoever edits an entry and recomputes its hash still breaks the next entry's previous_hash."""
    entry = entry_at(user, 2)
    entry.layout = "modern"  # a field no other row vouches for: only the chain can tell
    new_hash = entry_hash(entry)
    LedgerEntry.objects.filter(id=entry.id).update(layout=entry.layout, entry_hash=new_hash)
    message = failure()
    following = entry_at(user, 3)
    assert f"entry #3 (id {following.id}, rendition)" in message
    assert f"is not the entry_hash {new_hash} of the entry before" in message


def test_an_entry_deleted_in_the_middle_is_named_by_the_one_after(ann_chain, user):
    LedgerEntry.objects.filter(owner=user, position=3).delete()
    message = failure()
    assert f"entry #4 (id {entry_at(user, 4).id}, issued)" in message
    assert "position 4 follows position 2: entries are missing" in message


def test_the_last_entry_deleted_is_named_as_missing(ann_chain, user):
    _, second = ann_chain
    last = entry_at(user, 5)
    head = entry_at(user, 4)
    last.delete()
    message = failure()
    assert f"missing rendition entry of invoice {second.id} ({second.number!r})" in message
    assert (
        f"its ready csv rendition has none; the chain ends at position 4 (entry_hash {head.entry_hash})"
        in (message)
    )


def test_an_issued_entry_deleted_at_the_end_is_named_as_missing(user, issued):
    invoice = issued(user, ["csv"])
    LedgerEntry.objects.filter(owner=user).delete()
    assert f"missing issued entry of invoice {invoice.id}" in failure()


def test_owner_selects_one_chain_and_another_accounts_break_does_not_hide(ann_chain, user, make_user, issued):
    bob = make_user("bob@example.com")
    issued(bob, ["csv"])
    LedgerEntry.objects.filter(owner=bob, position=2).update(number="X")
    assert "1 chain(s), 5 entries" in verify("--owner", user.email)
    assert "1 chain(s), 5 entries" in verify("--owner", str(user.pk))
    assert "Ledger of bob@example.com" in failure("--owner", "bob@example.com")
    assert "Ledger of bob@example.com" in failure()
    assert "No account 'nobody@example.com'" in failure("--owner", "nobody@example.com")


def test_storage_down_is_a_clear_error_not_a_traceback(ann_chain, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {
            "BACKEND": "invoices.storage.GridFSStorage",
            # Nothing listens on port 9 of loopback: the server is never found.
            "OPTIONS": {"url": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200", "database": "x"},
        },
    }
    message = failure()
    assert message.startswith("The file storage did not answer: ServerSelectionTimeoutError")
    assert message.endswith("The ledger was not verified.")


def test_a_batch_is_one_entry_per_invoice_at_consecutive_positions(owner, auth, issued):
    issued(owner, ["csv"])  # positions 1, 2
    response = post_batch(auth, documents(3, "LB"))
    assert response.status_code in (201, 202), response.content
    batch = list(LedgerEntry.objects.filter(owner=owner, position__gt=2).order_by("position"))
    assert [entry.kind for entry in batch[:3]] == ["issued"] * 3
    assert [entry.position for entry in batch[:3]] == [3, 4, 5]
    assert [entry.number for entry in batch[:3]] == ["LB-0000", "LB-0001", "LB-0002"]
    assert batch[0].previous_hash == entry_at(owner, 2).entry_hash
    assert "entries" in verify()


def test_an_upload_through_the_api_hashes_its_decimals_as_stored(owner, auth, invoices_gridfs_storage):
    """The API parses amounts as Decimals; the entry is hashed in the request and checked later from the
    stored JSON: both must be the same bytes."""
    body = json.dumps(sample_payload(fmt="csv")).replace('"12.345"', "12.345").replace('"39.90"', "39.90")
    assert "12.345," in body
    response = auth.post("/api/invoices/", data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    stored = Invoice.objects.get(id=response.json()["id"]).input
    assert "12.345" in json.dumps(stored)  # stored as the string DjangoJSONEncoder wrote
    entry = LedgerEntry.objects.get(owner=owner)
    assert entry.input_sha256 == input_sha256(stored)
    assert "1 chain(s), 1 entries" in verify()
