"""An invoice is issued once: its number is unique per owner and seller name. The same number with the same
content is the invoice issued before (200, Idempotent-Replayed); with other content it is a 409 naming it;
and a credit note's preceding invoice must be one of the owner's own."""

import dataclasses
import json
import threading
import uuid

import pytest
from django.db import connections

from invoices import services
from invoices.document import DocumentInvalid
from invoices.document.model import InvoiceReference
from invoices.document.validation import read_request
from invoices.models import Invoice
from tests.payloads import credit_note_payload, einvoice_payload, sample_payload
from workers import outbox
from workers.models import OutboxMessage


@pytest.fixture
def auth(client_for, user):
    return client_for(user)


def upload(client, payload, path: str = "/api/invoices/", **headers):
    return client.post(path, data=json.dumps(payload), content_type="application/json", **headers)


def test_the_same_number_and_content_again_is_the_invoice_issued_before(auth):
    first = upload(auth, sample_payload()).json()

    again = upload(auth, sample_payload())

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Location"] == first["links"]["self"]
    body = again.json()
    assert body["id"] == first["id"]
    assert body["renditions"][0]["format"] == "pdf"  # the invoice as the status answer shows it
    assert Invoice.objects.count() == 1
    assert OutboxMessage.objects.count() == 1  # nothing rendered again


def test_the_same_content_with_keys_in_another_order_is_the_same_invoice(auth):
    first = upload(auth, sample_payload()).json()
    reordered = dict(reversed(list(sample_payload().items())))

    again = upload(auth, reordered)

    assert (again.status_code, again.json()["id"]) == (200, first["id"])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p["invoice"]["lines"][0].update(quantity="3"), id="another quantity"),
        pytest.param(lambda p: p["invoice"].update(notes="Corrected."), id="another note"),
        pytest.param(lambda p: p.update(format="csv"), id="another format"),
        pytest.param(lambda p: p.update(page_size="letter"), id="another page size"),
    ],
)
def test_the_same_number_with_other_content_is_409_naming_the_issued_invoice(auth, change):
    first = upload(auth, sample_payload()).json()
    payload = sample_payload()
    change(payload)
    payload["invoice"].pop("totals")

    response = upload(auth, payload)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "number_taken"
    assert error["invoice_id"] == first["id"]
    assert error["links"] == first["links"]
    assert first["id"] in error["message"]
    assert f"/api/invoices/{first['id']}/renditions/" in error["message"]
    assert Invoice.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_the_legacy_upload_with_another_format_for_the_same_invoice_is_409(auth, legacy_payload):
    first = upload(auth, legacy_payload, "/upload?format=pdf").json()

    again = upload(auth, legacy_payload, "/upload?format=pdf")
    other = upload(auth, legacy_payload, "/upload?format=csv")

    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    assert (other.status_code, other.json()["error"]["invoice_id"]) == (409, first["id"])


@pytest.mark.security
def test_another_seller_name_or_another_user_may_use_the_same_number(auth, client_for, make_user):
    mine = upload(auth, sample_payload()).json()
    other_seller = sample_payload()
    other_seller["invoice"]["seller"]["name"] = "Nuage Informatique Belgique SRL"
    bob = client_for(make_user("bob@example.com"))

    for response in (upload(auth, other_seller), upload(bob, sample_payload())):
        assert response.status_code == 202
        assert response.json()["id"] != mine["id"]
    assert Invoice.objects.filter(number="INV-2026-0042").count() == 3


SELLER = "Nuage Informatique SAS Caf\u00e9"
# docs/security.md case 48: the same seller as a zero-width space makes it, and in Unicode's NFD form.
SAME_SELLER = ["Nuage Informatique\u200b SAS Caf\u00e9", "Nuage Informatique SAS Cafe\u0301",
               "\ufeffNuage Informatique SAS Caf\u00e9\u2060"]  # fmt: skip


def with_seller_and_number(name: str, number: str = "INV-2026-0042") -> dict:
    payload = sample_payload()
    payload["invoice"]["seller"]["name"] = name
    payload["invoice"]["number"] = number
    return payload


@pytest.mark.security
@pytest.mark.parametrize("spelling", SAME_SELLER, ids=["zero-width space", "NFD", "BOM and word joiner"])
def test_another_spelling_of_the_same_seller_does_not_issue_the_number_again(auth, spelling):
    first = upload(auth, with_seller_and_number(SELLER)).json()

    response = upload(auth, with_seller_and_number(spelling))

    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "number_taken"
    assert response.json()["error"]["invoice_id"] == first["id"]
    assert list(Invoice.objects.values_list("seller_name", flat=True)) == [SELLER]


@pytest.mark.security
def test_the_same_number_in_nfc_and_nfd_is_one_number(auth):
    nfc, nfd = "FACTURE-\u00c9-1", "FACTURE-E\u0301-1"
    first = upload(auth, with_seller_and_number(SELLER, nfd)).json()

    again = upload(auth, with_seller_and_number(SELLER, nfd))  # the very same body: the replay still works
    other = upload(auth, with_seller_and_number(SELLER, nfc))

    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    assert (other.status_code, other.json()["error"]["invoice_id"]) == (409, first["id"])
    assert list(Invoice.objects.values_list("number", flat=True)) == [nfc]
    # The stored input is the body as sent (its fingerprint is what a replay is compared by).
    assert Invoice.objects.get().input["invoice"]["number"] == nfd


@pytest.mark.security
def test_an_invisible_character_in_the_number_is_a_400_naming_it(auth):
    response = upload(auth, with_seller_and_number(SELLER, "INV\u200b-2026-0042"))

    assert response.status_code == 400
    [reason] = response.json()["error"]["fields"]["invoice.number"]
    assert "U+200B (ZERO WIDTH SPACE)" in reason
    assert not Invoice.objects.exists()


def test_an_idempotency_key_replay_still_answers_202_and_a_new_key_on_an_issued_number_200(auth):
    first = upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="k1").json()

    by_key = upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="k1")
    by_number = upload(auth, sample_payload(), HTTP_IDEMPOTENCY_KEY="k2")

    assert (by_key.status_code, by_key.json()["id"]) == (202, first["id"])
    assert (by_number.status_code, by_number.json()["id"]) == (200, first["id"])
    assert by_key["Idempotent-Replayed"] == by_number["Idempotent-Replayed"] == "true"


def test_an_old_duplicate_number_does_not_hold_it(auth, user):
    # Invoices uploaded before numbers were unique: migration 0003 marked every later copy a duplicate.
    first = upload(auth, sample_payload()).json()
    Invoice.objects.filter(id=first["id"]).update(duplicate_number=True)

    response = upload(auth, sample_payload())

    assert response.status_code == 202
    assert response.json()["id"] != first["id"]


def test_two_uploads_of_one_new_number_at_once_make_one_invoice(transactional_db, user, monkeypatch):
    # Both requests are past validation and about to insert: the unique constraint holds the second insert
    # until the first commits, then refuses it, and the second request finds the first's invoice.
    both = threading.Barrier(2, timeout=10)
    create = services._invoice_create

    def create_together(*args):
        both.wait()
        return create(*args)

    monkeypatch.setattr(services, "_invoice_create", create_together)
    monkeypatch.setattr(outbox, "_dispatch", lambda *args: None)  # nothing to render here
    submissions: list[services.Submission] = []

    def submit() -> None:
        try:
            submissions.append(services.invoice_submit(owner=user, payload=sample_payload()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted((s.created, s.by_number) for s in submissions) == [(False, True), (True, False)]
    assert len({s.invoice.id for s in submissions}) == 1
    assert Invoice.objects.count() == 1


# --- Credit notes: the preceding invoice's id ----------------------------------------------------------


def credit_note_naming(invoice_id: object) -> dict:
    """The e-invoice sample's credit note, naming ``invoice_id`` as the invoice it corrects."""
    payload = credit_note_payload()
    payload["invoice"]["preceding_invoice"]["id"] = str(invoice_id)
    return payload


def test_a_credit_note_naming_one_of_the_owners_invoices_is_linked_to_it(auth):
    invoice_id = upload(auth, einvoice_payload()).json()["id"]

    response = upload(auth, credit_note_naming(invoice_id))

    assert response.status_code == 202, response.content
    detail = auth.get(response.json()["links"]["self"]).json()
    assert (detail["type"], detail["preceding_invoice"]) == ("credit_note", invoice_id)
    assert list(Invoice.objects.get(id=invoice_id).credit_notes.values_list("number", flat=True)) == [
        "GS-2026-0007"
    ]


def test_a_credit_note_naming_no_id_is_stored_without_a_link(auth):
    response = upload(auth, credit_note_payload())

    assert response.status_code == 202, response.content
    invoice = Invoice.objects.get(id=response.json()["id"])
    assert (invoice.type, invoice.preceding_invoice_id) == ("credit_note", None)


@pytest.mark.security
def test_a_credit_note_naming_another_owners_invoice_is_the_400_of_an_unknown_id(auth, client_for, make_user):
    theirs = upload(client_for(make_user("eve@example.com")), einvoice_payload()).json()["id"]
    made_up = str(uuid.uuid4())

    answers = {invoice_id: upload(auth, credit_note_naming(invoice_id)) for invoice_id in (theirs, made_up)}

    for invoice_id, response in answers.items():
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {
            "invoice.preceding_invoice.id": [f"No invoice of yours has the id {invoice_id}."]
        }
    assert not Invoice.objects.filter(number="GS-2026-0007").exists()
    assert OutboxMessage.objects.filter(payload__invoice_id=theirs).count() == 3  # only Eve's own jobs


@pytest.mark.security
def test_the_preceding_invoice_check_reads_only_the_owners_invoices(user, make_user):
    eve = make_user("eve@example.com")
    theirs = services.invoice_submit(owner=eve, payload=sample_payload()).invoice
    _options, document = read_request(sample_payload())
    reference = InvoiceReference(number=theirs.number, invoice_id=theirs.id)
    data = dataclasses.replace(document.data, preceding=(reference,))

    with pytest.raises(DocumentInvalid) as refused:
        services._preceding_invoice(user, data)

    assert list(refused.value.errors) == [services.PRECEDING_ID_PATH]
    assert services._preceding_invoice(eve, data) == theirs
    assert services._preceding_invoice(user, document.data) is None  # no id: nothing to check
