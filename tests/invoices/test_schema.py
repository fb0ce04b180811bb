"""The input contract: every bad input names its field path; good input becomes InvoiceData."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices.document import DocumentInvalid
from invoices.document.errors import MAX_REPORTED_PATHS
from invoices.document.model import Charge, ClaimedTotals, InvoiceData, RenderOptions
from invoices.document.validation import MAX_LINES, read_request
from tests.payloads import SAMPLE_TOTALS, sample_payload

D = Decimal


def errors_of(payload: object, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(DocumentInvalid) as caught:
        read_request(payload, **kwargs)
    return caught.value.errors


def parse_request(payload: object, **kwargs: Any) -> tuple[RenderOptions, InvoiceData]:
    options, document = read_request(payload, **kwargs)
    return options, document.data


def with_invoice(**changes: Any) -> dict[str, Any]:
    payload = sample_payload()
    payload["invoice"].pop("totals")
    payload["invoice"].update(changes)
    return payload


def with_line(**changes: Any) -> dict[str, Any]:
    payload = with_invoice()
    payload["invoice"]["lines"][1].update(changes)
    return payload


def message(errors: dict[str, list[str]], path: str) -> str:
    assert path in errors, f"no error on {path}: {errors}"
    return " ".join(errors[path])


# --- Good input ---------------------------------------------------------------------------------------


def test_sample_becomes_invoice_data():
    options, data = parse_request(sample_payload())
    assert (options.format, options.page_size) == ("pdf", "A4")
    assert data.number == "INV-2026-0042"
    assert (data.issue_date, data.due_date) == (date(2026, 11, 23), date(2026, 12, 23))
    assert (data.currency.code, data.currency.minor_units) == ("EUR", 2)
    assert data.seller.address == ("12 rue de la Paix", "75002 Paris")
    assert data.lines[1].quantity == D("3.5")
    assert data.lines[1].description == "Backup storage\nNovember 2026"
    assert data.lines[2].discount_percent == D("5")
    assert data.charges == (Charge(label="Shipping", amount=D("15.00"), tax_rate=D("20")),)
    assert data.claimed_totals == ClaimedTotals(**SAMPLE_TOTALS)


def test_sample_totals_are_computed():
    _, document = read_request(sample_payload())
    totals = document.totals
    assert {"net": totals.net, "tax": totals.tax, "gross": totals.gross} == SAMPLE_TOTALS


def test_optional_fields_may_be_left_out():
    payload = {
        "invoice": {
            "number": "1",
            "issue_date": "2026-01-01",
            "currency": "JPY",
            "seller": {"name": "S"},
            "buyer": {"name": "B"},
            "lines": [{"description": "d", "quantity": "1", "unit_price": "100"}],
        }
    }
    options, document = read_request(payload)
    assert options.format == "pdf"
    assert document.data.lines[0].tax_rate == 0
    assert document.totals.gross == D("100")


@pytest.mark.parametrize("value", [D("2"), 2, "2", "2.000", D("2.0")])
def test_quantity_accepts_decimal_int_and_string(value):
    _, data = parse_request(with_line(quantity=value))
    assert str(data.lines[1].quantity) == "2"


def test_exponent_notation_is_stored_plainly():
    _, data = parse_request(with_line(quantity="1E+3", unit_price=D("1E+1")))
    assert (str(data.lines[1].quantity), str(data.lines[1].unit_price)) == ("1000", "10")


@pytest.mark.parametrize("value", ["0", "-0", "0.00", "0e-9999", D("-0"), D("0E+99999")])
def test_every_zero_is_a_plain_zero(value):
    _, data = parse_request(with_line(unit_price=value))
    assert str(data.lines[1].unit_price) == "0"


def test_amounts_keep_the_decimals_sent():
    _, data = parse_request(with_line(unit_price="0.012500"))
    assert str(data.lines[1].unit_price) == "0.012500"


def test_trailing_zeros_beyond_the_currency_are_accepted():
    _, data = parse_request(with_invoice(currency="JPY", shipping={"amount": "15.00", "tax_rate": "10"}))
    assert data.charges[0].amount == 15


def test_windows_line_ends_in_notes_become_newlines():
    _, data = parse_request(with_invoice(notes="one\r\ntwo"))
    assert data.notes == "one\ntwo"


def test_format_names_are_case_insensitive_and_excel_means_xlsx():
    payload = sample_payload()
    payload.update(format="Excel", page_size="LETTER")
    options, _ = parse_request(payload)
    assert (options.format, options.page_size) == ("xlsx", "letter")


def test_default_format_applies_when_the_body_has_none():
    payload = sample_payload()
    del payload["format"]
    assert parse_request(payload, default_format="csv")[0].format == "csv"
    assert parse_request(payload)[0].format == "pdf"


def test_a_format_in_the_body_and_another_default_is_refused_naming_format():
    # /upload?format=csv with a body saying pdf: neither silently wins (issue "what a probe broke", item 9).
    with pytest.raises(DocumentInvalid) as refused:
        parse_request(sample_payload(), default_format="csv")
    assert "?format=" in " ".join(refused.value.errors["format"])
    assert parse_request(sample_payload(), default_format="PDF")[0].format == "pdf"


# --- One path per bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({**sample_payload(), "colour": "red"}, "colour"),
        (with_invoice(colour="red"), "invoice.colour"),
        (with_line(colour="red"), "invoice.lines[1].colour"),
        (with_invoice(seller={"name": "S", "vat": "x"}), "invoice.seller.vat"),
        (with_invoice(shipping={"amount": "1", "label": "x"}), "invoice.shipping.label"),
    ],
)
@pytest.mark.security
def test_unknown_fields_are_rejected(payload, path):
    assert "Unknown field" in message(errors_of(payload), path)


@pytest.mark.parametrize(
    "path",
    ["number", "issue_date", "currency", "seller", "buyer", "lines", "seller.name", "buyer.name"],
)
def test_missing_required_invoice_fields(path):
    payload = with_invoice()
    parent, _, key = path.rpartition(".")
    target = payload["invoice"][parent] if parent else payload["invoice"]
    del target[key]
    assert "required" in message(errors_of(payload), f"invoice.{path}")


@pytest.mark.parametrize("key", ["description", "quantity", "unit_price"])
def test_missing_required_line_fields(key):
    payload = with_invoice()
    del payload["invoice"]["lines"][2][key]
    assert "required" in message(errors_of(payload), f"invoice.lines[2].{key}")


def test_missing_invoice_object():
    assert "required" in message(errors_of({"format": "pdf"}), "invoice")


@pytest.mark.parametrize("payload", [[], "invoice", None, D(1)])
def test_non_object_body_is_an_error_on_the_body(payload):
    assert "object" in message(errors_of(payload), "")


def test_non_object_invoice():
    assert "object" in message(errors_of({"invoice": []}), "invoice")


def test_no_lines():
    assert "At least one line" in message(errors_of(with_invoice(lines=[])), "invoice.lines")


@pytest.mark.security
def test_too_many_lines_names_the_limit():
    line = {"description": "x", "quantity": "1", "unit_price": "1"}
    errors = errors_of(with_invoice(lines=[line] * (MAX_LINES + 1)))
    assert "1,000" in message(errors, "invoice.lines")


def test_the_line_limit_itself_is_allowed():
    line = {"description": "x", "quantity": "1", "unit_price": "1"}
    _, document = read_request(with_invoice(lines=[line] * MAX_LINES))
    assert document.totals.lines_net == D("1000.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NaN", "Not a number"),
        ("nan", "Not a number"),
        ("Infinity", "Not a number"),
        ("-Infinity", "Not a number"),
        (D("NaN"), "finite"),
        (D("Infinity"), "finite"),
        ("1e308", "exceed"),
        ("1E+400", "exceed"),
        (D("1E+308"), "exceed"),
        (10**400, "exceed"),
        ("1.1234567", "6 decimal places"),
        ("1e-7", "6 decimal places"),
        ("1e-999999999", "6 decimal places"),  # too small for Decimal's context: must not pass as zero
        (D("1E-999999999999999999"), "6 decimal places"),
        ("1234567890.123456", "15 significant digits"),
        ("-0.01", "negative"),
        (True, "true or false"),
        (False, "true or false"),
        (1.5, "strings or plain JSON numbers"),
        ("", "Not a number"),
        (" 1", "Not a number"),
        ("1_000", "Not a number"),
        ("1,5", "Not a number"),
        ("0x10", "Not a number"),
        ("١٢", "Not a number"),
        ("1" * 41, "Not a number"),
        ("1e999999999999999999999999999999999", "Out of range"),  # beyond Decimal's exponent: was a 500
        ("094.8e+39638" + "0" * 25, "Out of range"),
        ([], "Expected a number"),
        ({}, "Expected a number"),
    ],
)
@pytest.mark.security
def test_bad_unit_prices(value, expected):
    assert expected in message(errors_of(with_line(unit_price=value)), "invoice.lines[1].unit_price")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("quantity", "-1", "negative"),
        ("quantity", "0.0000001", "6 decimal places"),
        ("quantity", "1e13", "exceed"),
        ("tax_rate", "100.5", "exceed 100"),
        ("tax_rate", "-1", "negative"),
        ("tax_rate", "19.12345", "4 decimal places"),
        ("discount_percent", "101", "exceed 100"),
        ("discount_percent", "-5", "negative"),
        ("sku", 42, "string"),
    ],
)
@pytest.mark.security
def test_bad_line_values(key, value, expected):
    assert expected in message(errors_of(with_line(**{key: value})), f"invoice.lines[1].{key}")


@pytest.mark.security
def test_line_amount_ceiling():
    errors = errors_of(with_line(quantity="1000000", unit_price="1000000.01"))
    assert "Quantity x unit price" in message(errors, "invoice.lines[1].unit_price")


@pytest.mark.security
def test_invoice_total_ceiling():
    line = {"description": "x", "quantity": "1", "unit_price": "600000000000"}
    assert "invoice total" in message(errors_of(with_invoice(lines=[line, line])), "invoice.lines")


@pytest.mark.security
def test_currency_decimals_apply_to_shipping():
    errors = errors_of(with_invoice(shipping={"amount": "15.001", "tax_rate": "20"}))
    assert "2 decimal places" in message(errors, "invoice.shipping.amount")
    errors = errors_of(with_invoice(currency="JPY", shipping={"amount": "15.5"}))
    assert "whole number for JPY" in message(errors, "invoice.shipping.amount")


@pytest.mark.security
def test_currency_decimals_apply_to_totals():
    payload = sample_payload()
    payload["invoice"]["totals"]["gross"] = "1189.830"  # trailing zero: fine
    read_request(payload)
    payload["invoice"]["totals"]["gross"] = "1189.831"
    assert "2 decimal places" in message(errors_of(payload), "invoice.totals.gross")


@pytest.mark.parametrize(
    "value", ["2026-02-30", "23/11/2026", "2026-1-5", "2026-11-23T10:00", "20261123", 20261123, ""]
)
@pytest.mark.security
def test_bad_dates(value):
    assert "YYYY-MM-DD" in message(errors_of(with_invoice(issue_date=value)), "invoice.issue_date")


def test_due_date_before_issue_date():
    errors = errors_of(with_invoice(due_date="2026-11-22"))
    assert "2026-11-23" in message(errors, "invoice.due_date")


def test_due_date_on_issue_date_is_fine():
    read_request(with_invoice(due_date="2026-11-23"))


@pytest.mark.security
@pytest.mark.parametrize("code", ["XYZ", "EURO", "XAU", "XTS", "", 978])
def test_unknown_currency(code):
    text = message(errors_of(with_invoice(currency=code)), "invoice.currency")
    assert "not an ISO 4217 currency code" in text
    assert "EUR, USD or JPY" in text


def test_lower_case_currency_gets_a_hint():
    assert "capital letters: EUR" in message(errors_of(with_invoice(currency="eur")), "invoice.currency")


@pytest.mark.security
def test_unknown_format_lists_the_allowed_values():
    payload = sample_payload()
    payload["format"] = "docx"
    text = message(errors_of(payload), "format")
    assert "pdf, xlsx (or its synonym excel), csv" in text


def test_unknown_default_format_is_an_error_on_format():
    payload = sample_payload()
    del payload["format"]
    assert "pdf" in message(errors_of(payload, default_format="docx"), "format")


@pytest.mark.security
def test_unknown_page_size():
    payload = sample_payload()
    payload["page_size"] = "A3"
    assert "A4, letter" in message(errors_of(payload), "page_size")


def test_unknown_language_lists_the_allowed_values():
    assert "en, de, fr, es, it, nl, pt" in message(errors_of(with_invoice(language="xx")), "invoice.language")


@pytest.mark.parametrize("country", ["fr", "FRA", "F1", "Ü1"])
def test_bad_country(country):
    errors = errors_of(with_invoice(buyer={"name": "B", "country": country}))
    assert "two capital letters" in message(errors, "invoice.buyer.country")


def test_bad_email():
    errors = errors_of(with_invoice(seller={"name": "S", "email": "not-an-email"}))
    assert "email" in message(errors, "invoice.seller.email")


@pytest.mark.parametrize(
    ("value", "path", "expected"),
    [
        ("a\x00b", "invoice.notes", "U+0000"),
        ("a\x1bb", "invoice.notes", "U+001B"),
        ("a\x7fb", "invoice.notes", "U+007F"),
        ("a\rb", "invoice.notes", "U+000D"),
        ("a\ud800b", "invoice.notes", "U+D800"),
        ("a\uffffb", "invoice.notes", "U+FFFF"),
    ],
)
@pytest.mark.security
def test_control_characters_are_rejected(value, path, expected):
    assert expected in message(errors_of(with_invoice(notes=value)), path)


@pytest.mark.security
@pytest.mark.parametrize("value", ["INV\n1", "INV\t1", "INV\u20281"])
def test_single_line_fields_reject_line_breaks(value):
    assert "single line" in message(errors_of(with_invoice(number=value)), "invoice.number")


def test_invoice_number_must_be_printable():
    errors = errors_of(with_invoice(number="INV\u202e1"))  # a right-to-left override
    assert "printable" in message(errors, "invoice.number")


@pytest.mark.parametrize(
    ("changes", "path", "limit"),
    [
        ({"number": "N" * 65}, "invoice.number", "64"),
        ({"notes": "n" * 2001}, "invoice.notes", "2,000"),
        ({"seller": {"name": "s" * 201}}, "invoice.seller.name", "200"),
        ({"seller": {"name": "s", "address": ["a" * 201]}}, "invoice.seller.address[0]", "200"),
        ({"seller": {"name": "s", "address": ["a"] * 11}}, "invoice.seller.address", "10"),
    ],
)
def test_text_limits(changes, path, limit):
    assert limit in message(errors_of(with_invoice(**changes)), path)


def test_description_limit():
    assert "1,000" in message(errors_of(with_line(description="d" * 1001)), "invoice.lines[1].description")


def test_blank_required_text():
    assert "blank" in message(errors_of(with_line(description="   ")), "invoice.lines[1].description")


def test_all_errors_are_reported_together():
    payload = with_invoice(currency="XYZ", issue_date="yesterday")
    payload["invoice"]["lines"][0]["quantity"] = "-1"
    payload["invoice"]["lines"][2]["colour"] = "red"
    errors = errors_of(payload)
    expected = {
        "invoice.currency",
        "invoice.issue_date",
        "invoice.lines[0].quantity",
        "invoice.lines[2].colour",
    }
    assert set(errors) == expected


def test_error_reports_are_capped():
    line = {"description": "x", "quantity": "-1", "unit_price": "1"}
    errors = errors_of(with_invoice(lines=[line] * MAX_LINES))
    assert len(errors) == MAX_REPORTED_PATHS + 1
    assert "more errors are not shown" in message(errors, "")


def test_long_unknown_keys_are_shortened_in_paths():
    errors = errors_of(with_invoice(**{"k" * 10_000: 1}))
    assert all(len(path) < 100 for path in errors)


# --- Totals the client sent ---------------------------------------------------------------------------


def test_matching_totals_pass():
    read_request(sample_payload())


@pytest.mark.parametrize(
    ("key", "sent", "computed"),
    [("net", "996.12", "996.11"), ("tax", "193.7", "193.72"), ("gross", "1189.84", "1189.83")],
)
def test_totals_mismatch_names_both_values(key, sent, computed):
    payload = sample_payload()
    payload["invoice"]["totals"][key] = sent
    text = message(errors_of(payload), f"invoice.totals.{key}")
    assert f"sent {D(sent):.2f}, computed {computed}" in text


def test_totals_may_be_partial():
    payload = sample_payload()
    payload["invoice"]["totals"] = {"gross": "1189.83"}
    read_request(payload)


def test_totals_are_not_checked_when_the_input_is_invalid():
    payload = sample_payload()
    payload["invoice"]["totals"]["gross"] = "1.00"
    payload["invoice"]["lines"][0]["quantity"] = "-1"
    assert set(errors_of(payload)) == {"invoice.lines[0].quantity"}


# --- Anything at all: DocumentInvalid, never another exception ----------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats()
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELD_PATHS = [
    ("format",),
    ("invoice",),
    ("invoice", "number"),
    ("invoice", "issue_date"),
    ("invoice", "currency"),
    ("invoice", "seller"),
    ("invoice", "seller", "address"),
    ("invoice", "lines"),
    ("invoice", "lines", 0),
    ("invoice", "lines", 0, "quantity"),
    ("invoice", "lines", 1, "unit_price"),
    ("invoice", "lines", 2, "tax_rate"),
    ("invoice", "shipping"),
    ("invoice", "shipping", "amount"),
    ("invoice", "payment"),
    ("invoice", "totals"),
    ("invoice", "totals", "gross"),
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(FIELD_PATHS), value=json_values)
def test_any_value_in_any_field_is_valid_or_document_invalid(path, value):
    payload: Any = sample_payload()
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert_valid_or_reported(payload)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_body_is_valid_or_document_invalid(value):
    assert_valid_or_reported(value)


def assert_valid_or_reported(payload: object) -> None:
    """Any exception but DocumentInvalid fails the test; DocumentInvalid must carry readable errors."""
    try:
        read_request(payload)
    except DocumentInvalid as exc:
        errors = exc.errors
    else:
        return
    assert errors
    assert all(isinstance(message, str) and message for messages in errors.values() for message in messages)
