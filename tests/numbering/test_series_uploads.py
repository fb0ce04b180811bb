"""Uploads and batches that name a series: numbers taken in order, in the issuing transaction, given back
by a rollback, never twice in the account (the concurrent proof is tests/faults/test_numbering_kills.py)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from invoices import batches, numbering, services
from invoices.models import Invoice, NumberSeries, NumberSeriesCounter
from tests.batches.conftest import numbered, post_batch
from tests.numbering.conftest import post_invoice, series_payload


def numbers() -> list[str]:
    return list(Invoice.objects.order_by("created_at").values_list("number", flat=True))


def test_uploads_take_the_series_numbers_in_order(auth, series):
    answers = [post_invoice(auth, series_payload()) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [202] * 3
    assert [answer.json()["number"] for answer in answers] == [f"INV-2026-0000{n}" for n in (1, 2, 3)]
    invoice = Invoice.objects.get(number="INV-2026-00002")
    assert (invoice.series_id, invoice.series_period, invoice.series_value) == (series.id, 2026, 2)


def test_a_yearly_series_starts_at_1_for_an_invoice_dated_in_a_new_year(auth, series):
    post_invoice(auth, series_payload(issue_date="2026-12-31"))
    post_invoice(auth, series_payload(issue_date="2026-12-31"))

    new_year = post_invoice(auth, series_payload(issue_date="2027-01-01"))
    late = post_invoice(auth, series_payload(issue_date="2026-12-30"))  # dated in the old year

    assert new_year.json()["number"] == "INV-2027-00001"
    assert late.json()["number"] == "INV-2026-00003"


def test_a_series_that_never_resets_goes_on_across_years(auth, owner):
    NumberSeries.objects.create(owner=owner, code="ALL", pattern="{YY}/{seq}", reset="never")

    first = post_invoice(auth, series_payload("ALL", issue_date="2026-12-31"))
    second = post_invoice(auth, series_payload("ALL", issue_date="2027-01-01"))

    assert [first.json()["number"], second.json()["number"]] == ["26/1", "27/2"]


def test_the_rendered_document_carries_the_number_the_series_gave(auth, series):
    invoice_id = post_invoice(auth, series_payload()).json()["id"]
    invoice = Invoice.objects.get(id=invoice_id)

    _options, document = services._stored_request(invoice, ["csv"])

    assert document.data.number == "INV-2026-00001"


def test_an_unknown_series_and_another_accounts_series_are_the_same_400(auth, client_for, make_user):
    other = make_user("other@example.com")
    NumberSeries.objects.create(owner=other, code="THEIRS", pattern="T-{YYYY}-{seq}")

    unknown = post_invoice(auth, series_payload("NOPE")).json()["error"]["fields"]
    theirs = post_invoice(auth, series_payload("THEIRS")).json()["error"]["fields"]

    assert unknown == {
        "invoice.series": ["You have no number series 'NOPE'; create it at /api/number-series/ first."]
    }
    assert theirs == {
        "invoice.series": ["You have no number series 'THEIRS'; create it at /api/number-series/ first."]
    }
    assert not Invoice.objects.exists()


def test_a_number_and_a_series_together_is_400_on_the_series(auth, series):
    payload = series_payload()
    payload["invoice"]["number"] = "MINE-1"

    response = post_invoice(auth, payload)

    assert response.status_code == 400
    assert "either a number or a series" in response.json()["error"]["fields"]["invoice.series"][0]


def test_neither_number_nor_series_says_a_series_can_be_named(auth):
    payload = series_payload()
    del payload["invoice"]["series"]

    response = post_invoice(auth, payload)

    assert response.status_code == 400
    message = response.json()["error"]["fields"]["invoice.number"][0]
    assert message.startswith("This field is required")
    assert '("series")' in message


def test_a_replayed_idempotency_key_returns_the_invoice_and_takes_no_number(auth, series):
    first = post_invoice(auth, series_payload(), HTTP_IDEMPOTENCY_KEY="order-1")
    again = post_invoice(auth, series_payload(), HTTP_IDEMPOTENCY_KEY="order-1")
    following = post_invoice(auth, series_payload())

    assert again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert following.json()["number"] == "INV-2026-00002"


def test_a_rolled_back_transaction_gives_its_number_back(owner, series):
    taken: list[str] = []

    def fail_after_taking() -> None:
        with transaction.atomic():
            taken.append(services.invoice_submit(owner=owner, payload=series_payload()).invoice.number)
            raise RuntimeError("the request failed after its number was taken")

    with pytest.raises(RuntimeError):
        fail_after_taking()

    again = services.invoice_submit(owner=owner, payload=series_payload()).invoice

    assert taken == [again.number] == ["INV-2026-00001"]
    assert NumberSeriesCounter.objects.get(series=series).last_value == 1


def test_a_client_number_that_collides_with_a_series_number_is_409(auth, series):
    post_invoice(auth, series_payload())
    payload = series_payload()
    del payload["invoice"]["series"]
    payload["invoice"]["number"] = "INV-2026-00001"

    response = post_invoice(auth, payload)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "number_taken"


def test_the_series_passes_over_a_number_given_by_hand_for_any_seller(auth, series):
    by_hand = series_payload()
    del by_hand["invoice"]["series"]
    by_hand["invoice"]["number"] = "INV-2026-00001"
    by_hand["invoice"]["seller"]["name"] = "Another trading name"
    assert post_invoice(auth, by_hand).status_code == 202

    response = post_invoice(auth, series_payload())

    assert response.json()["number"] == "INV-2026-00002"
    # No gap in the account's numbers: 00001 is held by the hand-numbered invoice.
    assert sorted(numbers()) == ["INV-2026-00001", "INV-2026-00002"]


def test_two_series_with_overlapping_patterns_never_give_one_number_twice(auth, owner):
    NumberSeries.objects.create(owner=owner, code="A", pattern="A-{seq}", reset="never")
    NumberSeries.objects.create(owner=owner, code="B", pattern="A-{seq:01}", reset="never")

    from_a = post_invoice(auth, series_payload("A")).json()["number"]
    from_b = post_invoice(auth, series_payload("B")).json()["number"]

    assert (from_a, from_b) == ("A-1", "A-2")


def test_a_batch_takes_numbers_in_item_order_and_passes_over_its_own_hand_numbers(auth, series):
    items = [series_payload(), numbered("INV-2026-00002"), series_payload(), series_payload()]

    response = post_batch(auth, {"invoices": items})

    assert response.status_code == 202, response.content
    assert [item["number"] for item in response.json()["items"]] == [
        "INV-2026-00001",
        "INV-2026-00002",
        "INV-2026-00003",
        "INV-2026-00004",
    ]
    assert NumberSeriesCounter.objects.get(series=series).last_value == 4


def test_an_atomic_batch_with_an_invalid_item_takes_no_number(auth, series):
    invalid = series_payload()
    invalid["invoice"]["currency"] = "XYZ"

    response = post_batch(auth, {"atomic": True, "invoices": [series_payload(), invalid]})

    assert response.status_code == 400
    assert response.json()["error"]["items"][0] == {"index": 0, "status": "valid", "number": None}
    assert not NumberSeriesCounter.objects.filter(last_value__gt=0).exists()
    assert post_invoice(auth, series_payload()).json()["number"] == "INV-2026-00001"


def test_an_atomic_batch_failing_after_taking_numbers_gives_them_all_back(auth, series, monkeypatch):
    # A number issued since the batch was checked (as by a concurrent upload): the check is skipped, so
    # the taken number fails at the INSERT, after the series items took theirs.
    assert post_invoice(auth, numbered("HAND-1")).status_code == 202
    monkeypatch.setattr(batches, "_check_numbers", lambda owner, items: None)
    items = [series_payload(), series_payload(), numbered("HAND-1")]

    response = post_batch(auth, {"atomic": True, "invoices": items})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["items"][2]["status"] == "rejected"
    assert not NumberSeriesCounter.objects.filter(last_value__gt=0).exists()
    assert post_invoice(auth, series_payload()).json()["number"] == "INV-2026-00001"


def test_a_batch_item_naming_an_unknown_series_is_rejected_on_its_series(auth, series):
    response = post_batch(auth, {"invoices": [series_payload("NOPE"), series_payload()]})

    items = response.json()["items"]
    assert items[0]["errors"] == {
        "invoice.series": ["You have no number series 'NOPE'; create it at /api/number-series/ first."]
    }
    assert items[1]["number"] == "INV-2026-00001"


def test_a_hand_number_committed_in_the_same_moment_makes_the_upload_take_the_next(auth, series, monkeypatch):
    # The race, replayed: the hand-numbered invoice commits between the series' check and its INSERT. The
    # first take does not see it (as it could not, a moment earlier); the INSERT fails on the unique number,
    # and the upload takes again, passing over it.
    by_hand = series_payload()
    del by_hand["invoice"]["series"]
    by_hand["invoice"]["number"] = "INV-2026-00001"
    assert post_invoice(auth, by_hand).status_code == 202
    real_issued = numbering.NumberTaker._issued
    blind = [True]

    def issued_blind_once(taker, numbers):
        if blind:
            blind.pop()
            return set()
        return real_issued(taker, numbers)

    monkeypatch.setattr(numbering.NumberTaker, "_issued", issued_blind_once)

    response = post_invoice(auth, series_payload())

    assert response.status_code == 202, response.content
    assert response.json()["number"] == "INV-2026-00002"
    assert not blind  # the blind take did happen


def test_a_batch_takes_its_numbers_in_a_few_queries_whatever_its_size(auth, series):
    # One lock, one series lookup, one counter row locked and written once, and the "issued already?"
    # check in runs that double: 20 times the items cost a handful of queries more, not 20 times as many.
    def queries_for(count: int, year: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = post_batch(auth, {"invoices": [series_payload(issue_date=f"{year}-03-01")] * count})
        assert response.status_code == 202, response.content
        return len(captured)

    few, many = queries_for(10, "2026"), queries_for(200, "2027")

    assert many - few <= 6, (few, many)
    assert Invoice.objects.filter(series=series).count() == 210
