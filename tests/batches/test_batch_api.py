"""POST /api/invoice-batches/ up to the queue: each item validated on its own, atomic all-or-none, JSON and
NDJSON bodies, limits, idempotency. Jobs are not dispatched here (the `db` fixture never commits); the
end-to-end test takes a batch through the real workers."""

import json

import pytest

from invoices.models import Invoice, InvoiceBatch, Rendition
from tests.batches.conftest import BATCHES, documents, numbered, post_batch, post_ndjson
from workers.models import OutboxMessage

# Ten ways an item can be invalid, each with the path its error has (the path one upload's error has).
INVALID = [
    ("invoice.lines[0].quantity", lambda p: p["invoice"]["lines"][0].update(quantity="abc")),
    ("invoice.currency", lambda p: p["invoice"].update(currency="EURO")),
    ("invoice.buyer.name", lambda p: p["invoice"]["buyer"].pop("name")),
    ("invoice.issue_date", lambda p: p["invoice"].update(issue_date="2026-13-45")),
    ("invoice.lines[1].unit_price", lambda p: p["invoice"]["lines"][1].update(unit_price="x")),
    ("invoice.totals.gross", lambda p: p["invoice"]["totals"].update(gross="1.00")),
    ("format", lambda p: p.update(format="docx")),
    ("invoice.lines", lambda p: p["invoice"].update(lines=[])),
    ("invoice.seller.country", lambda p: p["invoice"]["seller"].update(country="ZZ")),
    ("invoice.lines[2].tax_rate", lambda p: p["invoice"]["lines"][2].update(tax_rate="-5")),
]


def stored_rows() -> dict[str, int]:
    return {
        "invoices": Invoice.objects.count(),
        "renditions": Rendition.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "batches": InvoiceBatch.objects.count(),
    }


NOTHING = {"invoices": 0, "renditions": 0, "outbox": 0, "batches": 0}


def with_invalid(count: int, invalid_at: list[int]) -> list[dict]:
    items = documents(count)
    for index, (_path, spoil) in zip(invalid_at, INVALID, strict=False):
        spoil(items[index])
    return items


def test_a_batch_of_1000_with_10_invalid_accepts_990_and_names_each_error(auth, owner):
    invalid_at = [3, 97, 150, 333, 404, 500, 678, 801, 950, 999]

    response = post_batch(auth, with_invalid(1000, invalid_at))

    assert response.status_code == 202, response.content[:2000]
    body = response.json()
    assert body["accepted"] == 990
    assert body["rejected"] == 10
    assert body["status"] == "processing"
    assert body["atomic"] is False
    assert body["counts"] == {"queued": 990, "rendering": 0, "ready": 0, "failed": 0}
    assert len(body["items"]) == 1000
    assert [item["index"] for item in body["items"]] == list(range(1000))
    rejected = {item["index"]: item for item in body["items"] if item["status"] == "rejected"}
    assert sorted(rejected) == invalid_at
    for index, (path, _spoil) in zip(invalid_at, INVALID, strict=True):
        assert list(rejected[index]["errors"]) == [path], rejected[index]
    accepted = [item for item in body["items"] if item["status"] == "accepted"]
    invoices = {
        str(pk): (number, index)
        for pk, number, index in Invoice.objects.values_list("id", "number", "batch_index")
    }
    assert {item["id"]: (item["number"], item["index"]) for item in accepted} == invoices
    assert Invoice.objects.filter(owner=owner, batch_id=body["id"]).count() == 990
    assert Rendition.objects.count() == 990
    assert OutboxMessage.objects.filter(queue="render").count() == 990
    batch = InvoiceBatch.objects.get()
    assert (batch.item_count, batch.accepted_count, batch.owner) == (1000, 990, owner)
    assert response["Location"] == body["links"]["self"]
    assert body["links"]["self"].endswith(f"{BATCHES}{batch.id}/")
    assert body["links"]["download"].endswith(f"{BATCHES}{batch.id}/download/")


def test_an_item_errors_on_the_same_paths_as_one_upload(auth):
    item = numbered("SAME-1")
    INVALID[0][1](item)
    single = auth.post("/api/invoices/", data=json.dumps(item), content_type="application/json").json()

    body = post_batch(auth, [numbered("OK-1"), item]).json()

    assert body["items"][1]["errors"] == single["error"]["fields"]


@pytest.mark.security  # docs/security.md cases 32-33
def test_atomic_with_one_error_stores_nothing_and_lists_every_item(auth):
    items = with_invalid(20, [7])

    response = post_batch(auth, {"atomic": True, "invoices": items})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "No invoice was issued: 1 of 20 items has an error and the batch is atomic."
    assert error["accepted"] == 0
    assert error["rejected"] == 1
    assert [item["status"] for item in error["items"]].count("valid") == 19  # valid, yet not issued
    assert error["items"][0] == {"index": 0, "status": "valid", "number": "B-0000"}
    assert error["items"][7]["errors"] == {
        "invoice.lines[0].quantity": [error["items"][7]["errors"]["invoice.lines[0].quantity"][0]]
    }
    assert list(error["fields"]) == ["invoices[7].invoice.lines[0].quantity"]
    assert stored_rows() == NOTHING


def test_atomic_as_a_query_parameter_stores_nothing_either(auth):
    response = post_batch(auth, with_invalid(5, [3, 4]), query="?atomic=true")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "No invoice was issued: 2 of 5 items have errors and the batch is atomic."
    )
    assert stored_rows() == NOTHING


def test_atomic_all_valid_stores_all(auth):
    response = post_batch(auth, {"atomic": True, "invoices": documents(25)})

    assert response.status_code == 202
    body = response.json()
    assert body["atomic"] is True
    assert body["accepted"] == 25
    assert stored_rows() == {"invoices": 25, "renditions": 25, "outbox": 25, "batches": 1}


def test_every_item_invalid_stores_nothing(auth):
    items = documents(3)
    for item in items:
        item["invoice"]["currency"] = "EURO"

    response = post_batch(auth, items)

    assert response.status_code == 400
    assert response.json()["error"]["rejected"] == 3
    assert stored_rows() == NOTHING


def test_each_item_keeps_its_formats_and_renditions(auth):
    first, second = numbered("F-1", fmt="pdf"), numbered("F-2")
    second["formats"] = ["xlsx", "csv"]
    del second["format"]

    body = post_batch(auth, [first, second]).json()

    assert body["accepted"] == 2
    second_id = body["items"][1]["id"]
    assert list(Rendition.objects.filter(invoice_id=second_id).values_list("format", "position")) == [
        ("xlsx", 0),
        ("csv", 1),
    ]
    assert OutboxMessage.objects.filter(payload__invoice_id=second_id).count() == 2


def test_ndjson_is_read_line_by_line_with_options_in_the_query(auth):
    items = with_invalid(30, [2])

    response = post_ndjson(auth, items)

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (29, 1)
    assert list(body["items"][2]["errors"]) == ["invoice.lines[0].quantity"]

    atomic = post_ndjson(auth, with_invalid(3, [1]), query="?atomic=true")
    assert atomic.status_code == 400
    assert Invoice.objects.count() == 29


@pytest.mark.security  # docs/security.md cases 32-33
def test_ndjson_skips_blank_lines_and_names_a_line_that_is_not_json(auth):
    body = "\n" + json.dumps(numbered("N-1")) + "\n\n{not json}\n"

    response = auth.post(BATCHES, data=body, content_type="application/x-ndjson")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["invoices[1]"]
    assert fields["invoices[1]"][0].startswith("Line 4: Invalid JSON")
    assert stored_rows() == NOTHING


@pytest.mark.security  # docs/security.md cases 32-33
def test_more_items_than_the_limit_are_refused_and_nothing_stored(auth, settings):
    settings.BATCH_MAX_ITEMS = 5

    as_json = post_batch(auth, documents(6))
    as_ndjson = post_ndjson(auth, documents(6))

    for response in (as_json, as_ndjson):
        assert response.status_code == 400
        [message] = response.json()["error"]["fields"]["invoices"]
        assert message == "A batch holds at most 5 invoices; split it into several batches."
    assert stored_rows() == NOTHING
    assert post_batch(auth, documents(5)).status_code == 202


@pytest.mark.security  # docs/security.md cases 32-33
def test_a_body_over_the_byte_limit_is_413_and_nothing_stored(auth, settings):
    items = documents(3)
    # The NDJSON body (one line each) is a few bytes over, the JSON array (with its separators) more.
    settings.BATCH_MAX_BYTES = sum(len(json.dumps(item)) for item in items) + 1

    as_json = post_batch(auth, items)
    as_ndjson = post_ndjson(auth, items)

    for response in (as_json, as_ndjson):
        assert response.status_code == 413
        assert response.json()["error"]["message"] == (
            f"The batch is larger than {settings.BATCH_MAX_BYTES:,} bytes; split it into several batches."
        )
    assert stored_rows() == NOTHING


def test_a_batch_may_exceed_the_one_invoice_request_limit(auth, settings):
    items = documents(10)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(json.dumps(items[0])) + 100  # one invoice fits, ten do not

    response = post_batch(auth, items)

    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == 10


@pytest.mark.security  # docs/security.md cases 32-33
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "invoices"),
        ({"invoices": []}, "invoices"),
        ({"atomic": True}, "invoices"),
        ({"invoices": {"a": 1}}, "invoices"),
        ({"invoices": [], "extra": 1}, "extra"),
        ({"invoices": [{}], "atomic": "yes"}, "atomic"),
        ("a string", "message"),
        (42, "message"),
    ],
)
def test_empty_or_malformed_bodies_are_400_naming_the_field(auth, body, field):
    response = post_batch(auth, body)

    assert response.status_code == 400
    error = response.json()["error"]
    if field == "message":  # about the whole body
        assert error["message"].startswith("Send a JSON array of invoices")
    else:
        assert field in error["fields"]
    assert stored_rows() == NOTHING


@pytest.mark.security  # docs/security.md cases 32-33
def test_an_empty_body_a_bad_query_and_another_media_type_are_refused(auth):
    assert auth.post(BATCHES, data="", content_type="application/json").status_code == 400
    assert auth.post(BATCHES, data="", content_type="application/x-ndjson").status_code == 400
    assert post_batch(auth, documents(1), query="?atomic=maybe").json()["error"]["fields"] == {
        "atomic": ["Give ?atomic=true or ?atomic=false, not 'maybe'."]
    }
    assert auth.post(BATCHES, data="x", content_type="text/plain").status_code == 415
    assert stored_rows() == NOTHING


def test_a_number_twice_in_the_batch_rejects_the_second(auth):
    items = [numbered("DUP-1"), numbered("DUP-2"), numbered("DUP-1")]

    body = post_batch(auth, items).json()

    assert [item["status"] for item in body["items"]] == ["accepted", "accepted", "rejected"]
    [message] = body["items"][2]["errors"]["invoice.number"]
    assert "item 0" in message
    assert Invoice.objects.filter(number="DUP-1").count() == 1


def test_the_same_number_for_another_seller_is_another_invoice(auth):
    other = numbered("SELLER-1")
    other["invoice"]["seller"]["name"] = "Another Seller Ltd"

    body = post_batch(auth, [numbered("SELLER-1"), other]).json()

    assert body["accepted"] == 2


@pytest.mark.security  # docs/security.md case 48
def test_another_spelling_of_a_number_or_seller_in_the_batch_is_the_same_number(auth):
    nfd = numbered("FACTURE-E\u0301-1")
    zero_width = numbered("FACTURE-\u00c9-1")
    zero_width["invoice"]["seller"]["name"] = "Nuage\u200b " + zero_width["invoice"]["seller"]["name"][6:]

    body = post_batch(auth, [numbered("FACTURE-\u00c9-1"), nfd, zero_width]).json()

    assert [item["status"] for item in body["items"]] == ["accepted", "rejected", "rejected"]
    assert all("item 0" in item["errors"]["invoice.number"][0] for item in body["items"][1:])
    assert Invoice.objects.count() == 1


def test_a_number_already_issued_is_the_item_error(auth):
    issued = auth.post(
        "/api/invoices/", data=json.dumps(numbered("TAKEN-1")), content_type="application/json"
    )
    assert issued.status_code == 202

    body = post_batch(auth, [numbered("TAKEN-1"), numbered("FREE-1")]).json()

    assert [item["status"] for item in body["items"]] == ["rejected", "accepted"]
    [message] = body["items"][0]["errors"]["invoice.number"]
    assert issued.json()["id"] in message


def test_a_legacy_item_is_accepted_and_its_number_error_has_the_legacy_path(auth, legacy_payload):
    body = post_batch(auth, [legacy_payload, legacy_payload]).json()

    assert [item["status"] for item in body["items"]] == ["accepted", "rejected"]
    assert list(body["items"][1]["errors"]) == ["invoice_no"]


@pytest.mark.security  # docs/security.md cases 32-33
def test_idempotency_key_replays_the_first_answer(auth):
    items = with_invalid(10, [4])
    first = post_batch(auth, items, HTTP_IDEMPOTENCY_KEY="month-end-2026-11")

    again = post_batch(auth, items, HTTP_IDEMPOTENCY_KEY="month-end-2026-11")

    assert first.status_code == 202
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["items"] == first.json()["items"]
    assert stored_rows() == {"invoices": 9, "renditions": 9, "outbox": 9, "batches": 1}


@pytest.mark.security  # docs/security.md cases 32-33
def test_idempotency_key_with_another_body_or_option_is_422(auth):
    items = documents(3)
    assert post_batch(auth, items, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 202

    other_body = post_batch(auth, documents(3, prefix="C"), HTTP_IDEMPOTENCY_KEY="k-1")
    other_option = post_batch(auth, {"atomic": True, "invoices": items}, HTTP_IDEMPOTENCY_KEY="k-1")

    for response in (other_body, other_option):
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert InvoiceBatch.objects.count() == 1


def test_an_idempotency_key_is_per_owner_and_bounded(auth, client_for, make_user):
    other = client_for(make_user("other@example.com"))
    assert post_batch(auth, documents(2), HTTP_IDEMPOTENCY_KEY="shared").status_code == 202
    assert post_batch(other, documents(2), HTTP_IDEMPOTENCY_KEY="shared").status_code == 202
    too_long = post_batch(auth, documents(1), HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert too_long.status_code == 400
    assert "Idempotency-Key" in too_long.json()["error"]["fields"]


def test_an_ndjson_replay_is_the_same_request_as_its_json_array(auth):
    items = documents(4)
    first = post_ndjson(auth, items, HTTP_IDEMPOTENCY_KEY="same")

    again = post_batch(auth, items, HTTP_IDEMPOTENCY_KEY="same")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.security  # docs/security.md cases 32-33
def test_a_concurrently_taken_number_costs_only_its_item(auth, owner, monkeypatch):
    from invoices import batches

    real_check = batches._check_numbers

    def check_then_race(owner_, items):
        real_check(owner_, items)
        # Another upload takes RACE-2 after the check, before the batch's insert.
        Invoice.objects.create(
            owner=owner,
            number="RACE-2",
            seller_name="Nuage Informatique SAS",
            format="csv",
            input={},
            currency="EUR",
            total_net=0,
            total_tax=0,
            total_gross=0,
        )

    monkeypatch.setattr(batches, "_check_numbers", check_then_race)

    body = post_batch(auth, [numbered("RACE-1"), numbered("RACE-2"), numbered("RACE-3")]).json()

    assert [item["status"] for item in body["items"]] == ["accepted", "rejected", "accepted"]
    assert "another request" in body["items"][1]["errors"]["invoice.number"][0]
    assert Invoice.objects.filter(batch_id=body["id"]).count() == 2
    assert OutboxMessage.objects.count() == 2
