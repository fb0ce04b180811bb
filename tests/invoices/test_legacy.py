"""The original service's flat format, still accepted by /upload."""

import json
from decimal import Decimal

import pytest

from invoices.document import DocumentInvalid
from invoices.document.validation import read_request
from tests.payloads import LEGACY_SAMPLE, legacy_payload

D = Decimal


def errors_of(payload: object) -> dict[str, list[str]]:
    with pytest.raises(DocumentInvalid) as caught:
        read_request(payload)
    return caught.value.errors


def test_the_legacy_sample_validates_with_its_own_totals():
    options, document = read_request(legacy_payload())
    totals = document.totals
    assert (totals.net, totals.tax, totals.gross) == (D("1250.00"), D("106.25"), D("1356.25"))
    assert [(str(g.rate), g.base, g.tax) for g in totals.tax_groups] == [("8.5", D("1250.00"), D("106.25"))]
    assert options.format == "pdf"


def test_the_legacy_sample_maps_onto_the_invoice():
    data = read_request(legacy_payload())[1].data
    assert (data.number, data.issue_date.isoformat(), data.currency.code) == (
        "INV-2026-001",
        "2026-02-02",
        "USD",
    )
    assert data.seller.name == "Invoice Solutions"
    assert data.seller.address == ("123 Tech Lane", "Silicon Valley", "CA 94025")
    assert data.seller.phone == "555-0199"
    assert (data.buyer.name, data.buyer.company) == ("John Doe", "Future Corp")
    assert data.buyer.address == ("456 Innovation Blvd", "NY 10001")
    assert data.ship_to is not None
    assert (data.ship_to.company, data.ship_to.address) == (
        "Future Corp Warehouse",
        ("789 Logistics Way", "NJ 07001"),
    )
    assert [(line.sku, line.quantity, line.unit_price, line.tax_rate) for line in data.lines] == [
        ("Z345678", D("2"), D("500.00"), D("8.5")),
        ("Z342342", D("1"), D("250.00"), D("8.5")),
    ]


def test_the_query_format_applies_to_legacy_bodies():
    assert read_request(legacy_payload(), default_format="xlsx")[0].format == "xlsx"


def test_legacy_numbers_may_be_strings():
    payload = legacy_payload()
    payload["items"][0].update(qty="2", unit_price="500.00", total="1000.00")
    payload["total_amount"] = "1356.25"
    read_request(payload)


@pytest.mark.parametrize(
    ("key", "value", "sent", "computed"),
    [
        ("total_amount", "1356.24", "1356.24", "1356.25"),
        ("subtotal", "1250.01", "1250.01", "1250.00"),
        ("tax_amount", "106.26", "106.26", "106.25"),
    ],
)
def test_a_tampered_legacy_total_fails_on_its_field(key, value, sent, computed):
    payload = legacy_payload()
    payload[key] = D(value)
    errors = errors_of(payload)
    assert list(errors) == [key]
    assert f"sent {sent}, computed {computed}" in errors[key][0]


def test_a_tampered_item_total_fails_on_the_item():
    payload = legacy_payload()
    payload["items"][1]["total"] = D("260.00")
    errors = errors_of(payload)
    assert "sent 260.00, computed 250.00" in errors["items[1].total"][0]


def test_item_total_is_optional():
    payload = legacy_payload()
    del payload["items"][0]["total"]
    read_request(payload)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"colour": "red"}, "colour"),
        ({"due_date": "2026-03-01"}, "due_date"),
        ({"invoice_no": None}, "invoice_no"),
        ({"company_name": ""}, "company_name"),
        ({"date": "02/02/2026"}, "date"),
        ({"tax_rate": "101"}, "tax_rate"),
        ({"currency": "DOLLAR"}, "currency"),
        ({"items": []}, "items"),
        ({"bill_to_name": None, "bill_to_company": None, "bill_to_address": None}, "bill_to_name"),
    ],
)
def test_bad_legacy_fields(change, path):
    payload = legacy_payload()
    payload.update(change)
    assert path in errors_of(payload)


@pytest.mark.parametrize(
    ("key", "value"), [("sku", "x"), ("qty", "-2"), ("unit_price", "NaN"), ("description", None), ("id", [1])]
)
def test_bad_legacy_item_fields(key, value):
    payload = legacy_payload()
    payload["items"][0][key] = value
    assert f"items[0].{key}" in errors_of(payload)


def test_numeric_item_ids_become_skus():
    payload = legacy_payload()
    payload["items"][0]["id"] = D("12345")
    assert read_request(payload)[1].data.lines[0].sku == "12345"


@pytest.mark.parametrize("digits", [29, 40, 64])
def test_numeric_item_ids_longer_than_decimals_precision_become_skus(digits):
    # Found by tests/fuzz/test_api_schema*.py: quantize() of a whole number with more digits than Decimal's
    # 28-digit context raised InvalidOperation, and the upload was a 500.
    payload = legacy_payload()
    payload["items"][0]["id"] = D("9" * digits + ".0")
    assert read_request(payload)[1].data.lines[0].sku == "9" * digits


def test_a_company_alone_is_the_buyer():
    payload = legacy_payload()
    del payload["bill_to_name"]
    buyer = read_request(payload)[1].data.buyer
    assert (buyer.name, buyer.company) == ("Future Corp", "")


def test_legacy_currency_may_be_given():
    payload = legacy_payload()
    payload["currency"] = "EUR"
    assert read_request(payload)[1].data.currency.code == "EUR"


def test_legacy_json_parsed_with_floats_is_refused_with_a_hint():
    payload = json.loads(LEGACY_SAMPLE.read_text())  # no Decimal hooks: 500.00 arrives as a float
    errors = errors_of(payload)
    assert "strings or plain JSON numbers" in errors["items[0].unit_price"][0]


def test_detection_needs_legacy_keys_and_no_invoice_object():
    assert read_request(legacy_payload())[1].data.number == "INV-2026-001"  # read as the flat format
    assert "invoice" in errors_of({"format": "pdf"})  # no legacy key: read as the current format
    assert "invoice" in errors_of([{"items": []}])[""][0]  # not an object at all


def test_a_body_with_both_formats_is_read_as_current_and_rejects_legacy_keys():
    errors = errors_of({"invoice": {}, "items": []})
    assert "Unknown field" in errors["items"][0]


@pytest.mark.security
@pytest.mark.parametrize(("key", "path"), [("invoice_no", "invoice_no"), ("company_phone", "company_phone")])
def test_a_bidi_control_in_a_legacy_code_is_refused(key, path):
    payload = legacy_payload()
    payload[key] = "INV\u202e-1"

    assert "bidirectional control U+202E" in " ".join(errors_of(payload)[path])


@pytest.mark.security
def test_a_bidi_control_in_a_legacy_item_id_is_refused():
    payload = legacy_payload()
    payload["items"][0]["id"] = "Z\u2067345"

    assert "bidirectional control U+2067" in " ".join(errors_of(payload)["items[0].id"])


@pytest.mark.security
def test_bidi_controls_in_legacy_free_text_are_removed():
    payload = legacy_payload()
    payload["company_name"] = "Evil \u202egnp.exe"
    payload["bill_to_address"] = "\u202b456 Innovation Blvd, NY 10001\u202c"
    payload["items"][0]["description"] = "Server \u2066x\u2069"

    data = read_request(payload)[1].data

    assert data.seller.name == "Evil gnp.exe"
    assert data.buyer.address == ("456 Innovation Blvd", "NY 10001")
    assert data.lines[0].description == "Server x"


@pytest.mark.security
def test_the_text_budget_applies_to_legacy_items():
    payload = legacy_payload()
    payload["items"] = [{"description": "d" * 1_000, "qty": 1, "unit_price": 1}] * 1_000
    for key in ("subtotal", "tax_amount", "total_amount"):
        del payload[key]

    assert "200,000" in " ".join(errors_of(payload)["items"])
