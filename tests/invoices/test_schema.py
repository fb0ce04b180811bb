"""The input contract: every bad input names its field path; good input becomes InvoiceData."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices.document import DocumentInvalid
from invoices.document.errors import MAX_REPORTED_PATHS
from invoices.document.model import Adjustment, ClaimedTotals, InvoiceData, RenderOptions
from invoices.document.validation import MAX_LINES, MAX_TEXT_CHARACTERS, read_request, text_length
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
    shipping = Adjustment(
        amount=D("15.00"), reason="Shipping", reason_code="FC", tax_category="S", tax_rate=D("20")
    )
    assert data.charges == (shipping,)
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
    assert "bg, cs, da, de, el, en, es" in message(errors_of(with_invoice(language="xx")), "invoice.language")


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
        # Not control characters: each named for what it is (a probe got "control character U+D800").
        ("a\ud800b", "invoice.notes", "U+D800, half of a UTF-16 surrogate pair"),
        ("a\uffffb", "invoice.notes", "U+FFFF, which is not a character"),
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
    errors = errors_of(with_invoice(number="INV\u200b1"))  # a zero-width space
    assert "printable" in message(errors, "invoice.number")


def test_a_tab_in_a_multiline_text_reads_as_a_space():
    payload = with_line(description="Item\tA\tB")
    payload["invoice"].update(notes="Bank:\tFR76\n\tRef 1", payment_terms="Net\t30")

    data = parse_request(payload)[1]

    assert data.lines[1].description == "Item A B"
    assert (data.notes, data.payment_terms) == ("Bank: FR76\n Ref 1", "Net 30")


def test_surrounding_tabs_of_a_multiline_text_are_trimmed():
    assert parse_request(with_line(description="\tItem\t"))[1].lines[1].description == "Item"


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


# --- Bidirectional controls (docs/security.md case 21) ------------------------------------------------

BIDI_CONTROLS = ["\u202e", "\u202d", "\u202b", "\u2067", "\u2066", "\u2068", "\u200f", "\u200e", "\u061c"]
# (where in the payload, the path in the error): every field that is a code.
CODE_FIELDS = [
    (("number",), "invoice.number"),
    (("payment", "iban"), "invoice.payment.iban"),
    (("payment", "bic"), "invoice.payment.bic"),
    (("payment", "reference"), "invoice.payment.reference"),
    (("seller", "tax_id"), "invoice.seller.tax_id"),
    (("seller", "phone"), "invoice.seller.phone"),
    (("buyer", "email"), "invoice.buyer.email"),
    (("buyer", "country"), "invoice.buyer.country"),
    (("lines", 1, "sku"), "invoice.lines[1].sku"),
]


def with_value(keys: tuple[Any, ...], change: Any) -> dict[str, Any]:
    """The sample with the value at ``keys`` under "invoice" replaced by ``change(old value)``."""
    payload = with_invoice()
    target = payload["invoice"]
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = change(target[keys[-1]])
    return payload


@pytest.mark.security
@pytest.mark.parametrize(("keys", "path"), CODE_FIELDS, ids=[path for _, path in CODE_FIELDS])
@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=[f"U+{ord(c):04X}" for c in BIDI_CONTROLS])
def test_a_bidi_control_in_a_code_is_refused_naming_the_field(keys, path, control):
    errors = errors_of(with_value(keys, lambda old: old[:2] + control + old[2:]))

    assert f"U+{ord(control):04X}" in message(errors, path)
    assert "bidirectional control" in message(errors, path)


@pytest.mark.security
def test_an_override_in_free_text_is_removed_so_the_stored_text_is_the_text_read():
    payload = with_invoice(
        buyer={"name": "Evil \u202egnp.exe", "address": ["\u2067Street 1"]}, notes="a\u202cb"
    )
    payload["invoice"]["lines"][0]["description"] = "\u202bBalanced\u202c and \u2068isolated\u2069"
    payload["invoice"]["lines"][0]["unit"] = "kg\u202e"

    data = parse_request(payload)[1]

    assert data.buyer.name == "Evil gnp.exe"
    assert data.buyer.address == ("Street 1",)
    assert data.notes == "ab"
    assert data.lines[0].description == "Balanced and isolated"
    assert data.lines[0].unit == "kg"


def test_marks_and_mixed_direction_text_without_controls_stay_as_sent():
    names = {"name": "\u200fعميل\u200f", "address": ["شارع INV-2026-0042 رقم 5", "רחוב 12 Tel Aviv"]}

    data = parse_request(with_invoice(buyer=names, notes="فاتورة رقم INV-2026-0042 \u061c\u0661\u0662"))[1]

    assert (data.buyer.name, data.buyer.address) == (names["name"], tuple(names["address"]))
    assert data.notes == "فاتورة رقم INV-2026-0042 \u061c\u0661\u0662"


def test_a_required_name_of_bidi_controls_only_is_blank():
    errors = errors_of(with_invoice(seller={"name": " \u202e\u202c "}))

    assert "blank" in message(errors, "invoice.seller.name")


# --- One spelling: NFC, no invisible format characters (docs/security.md case 48) ----------------------

INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e", "\U000e0041"]
CAFE_NFC, CAFE_NFD = "Caf\u00e9", "Cafe\u0301"


def test_the_list_of_format_characters_is_unicodes():
    import re
    import sys
    import unicodedata

    from invoices.document.invisible import FORMAT_CHARACTERS

    every = {chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"}
    listed = set(re.findall(FORMAT_CHARACTERS, "".join(chr(code) for code in range(sys.maxunicode + 1))))
    assert listed == every


def test_text_is_read_in_nfc():
    payload = with_invoice(number="FACTURE-\u0045\u0301-1", seller={"name": f"Nuage {CAFE_NFD}"})
    payload["invoice"]["lines"][0]["description"] = CAFE_NFD
    payload["invoice"]["lines"][0]["sku"] = f"SKU-{CAFE_NFD}"

    data = parse_request(payload)[1]

    assert data.number == "FACTURE-\u00c9-1"
    assert data.seller.name == f"Nuage {CAFE_NFC}"
    assert (data.lines[0].description, data.lines[0].sku) == (CAFE_NFC, f"SKU-{CAFE_NFC}")


@pytest.mark.security
@pytest.mark.parametrize(("keys", "path"), CODE_FIELDS, ids=[path for _, path in CODE_FIELDS])
@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_an_invisible_format_character_in_a_code_is_refused_naming_it(keys, path, char):
    errors = errors_of(with_value(keys, lambda old: old[:2] + char + old[2:]))

    assert f"U+{ord(char):04X}" in message(errors, path)
    assert "printable characters only" in message(errors, path)


@pytest.mark.security
@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_an_invisible_format_character_in_free_text_is_removed(char):
    payload = with_invoice(seller={"name": f"Nuage{char} {CAFE_NFD}{char}", "address": [f"{char}Rue 1"]})
    payload["invoice"]["lines"][0]["description"] = f"It{char}em"
    payload["invoice"]["notes"] = f"a{char}b"

    data = parse_request(payload)[1]

    assert data.seller.name == f"Nuage {CAFE_NFC}"
    assert data.seller.address == ("Rue 1",)
    assert (data.lines[0].description, data.notes) == ("Item", "ab")


def test_joiners_and_visible_format_characters_stay_in_free_text():
    # The zero-width non-joiner keeps two Persian letters apart, the joiner makes an emoji sequence, and
    # U+06DD (END OF AYAH) is drawn around the digits after it.
    names = {
        "name": "\u0646\u0631\u0645\u200c\u0627\u0641\u0632\u0627\u0631",
        "address": ["\U0001f469\u200d\U0001f4bb 5"],
    }
    data = parse_request(with_invoice(buyer=names, notes="\u06dd\u0661\u0662"))[1]

    assert (data.buyer.name, data.buyer.address) == (names["name"], tuple(names["address"]))
    assert data.notes == "\u06dd\u0661\u0662"


def test_a_required_name_of_invisible_characters_only_is_blank():
    errors = errors_of(with_invoice(seller={"name": " \u200b\ufeff "}))

    assert "blank" in message(errors, "invoice.seller.name")


# --- Codes: country, IBAN, BIC, tax ids ---------------------------------------------------------------


@pytest.mark.parametrize("country", ["ZZ", "EU", "UK", "AN"])
def test_an_unassigned_country_code_is_refused(country):
    errors = errors_of(with_invoice(buyer={"name": "B", "country": country}))

    assert "not an assigned ISO 3166-1 alpha-2" in message(errors, "invoice.buyer.country")


@pytest.mark.parametrize("country", ["FR", "US", "JP", "XK", "AX"])
def test_assigned_country_codes_and_kosovo_are_accepted(country):
    assert parse_request(with_invoice(buyer={"name": "B", "country": country}))[1].buyer.country == country


@pytest.mark.parametrize(
    ("iban", "reason"),
    [
        ("NOT AN IBAN", "Not an IBAN (ISO 13616)"),
        ("DE89 3704 0044 0532 0130 01", "check digits do not match"),
        ("FR76 3000 6000 0112 3456 7890 188", "check digits do not match"),
        ("XX09 1234 5678", "Not a valid IBAN for XX"),  # right check digits, no such country
        ("DE41 3704 0044 0532 013", "Not a valid IBAN for DE"),  # right check digits, too short
    ],
)
def test_an_invalid_iban_is_refused_with_its_reason(iban, reason):
    errors = errors_of(with_invoice(payment={"iban": iban}))

    assert reason in message(errors, "invoice.payment.iban")


def test_an_iban_is_stored_compact_in_capitals():
    payment = parse_request(with_invoice(payment={"iban": "fr76 3000-6000 0112 3456 7890 189"}))[1].payment

    assert payment is not None
    assert payment.iban == "FR7630006000011234567890189"


@pytest.mark.parametrize(
    ("bic", "reason"),
    [
        ("AGRIF2PP", "Not a BIC (ISO 9362)"),
        ("DEUTDEFF50", "8 or 11 characters"),
        ("DEUTZZFF", "'ZZ' is not an ISO 3166-1 country code"),
        ("1234DEFF", "Not a BIC"),
    ],
)
def test_an_invalid_bic_is_refused_with_its_reason(bic, reason):
    errors = errors_of(with_invoice(payment={"bic": bic}))

    assert reason in message(errors, "invoice.payment.bic")


def test_a_bic_is_stored_compact_in_capitals():
    payment = parse_request(with_invoice(payment={"bic": "deut de ff 500"}))[1].payment

    assert payment is not None
    assert payment.bic == "DEUTDEFF500"


@pytest.mark.parametrize(
    ("country", "tax_id", "reason"),
    [
        ("FR", "FR12345678901", "check digits of the VAT number FR12345678901 do not match"),
        ("FR", "FR1234", "FR1234 is not a valid FR VAT"),
        ("DE", "DE123456789", "check digits of the VAT number DE123456789 do not match"),
        ("", "DE123456789", "check digits"),  # no country: the prefix says it is a German VAT number
        ("GR", "EL123456789", "check digits"),
        ("US", "n/a", "at least one digit"),
        ("CH", "CHE-123.456.789 <b>", "letters, digits"),
    ],
)
def test_an_invalid_tax_id_is_refused_with_its_reason(country, tax_id, reason):
    party = {"name": "P", "tax_id": tax_id} | ({"country": country} if country else {})

    errors = errors_of(with_invoice(seller=party))

    assert reason in message(errors, "invoice.seller.tax_id")


@pytest.mark.parametrize(
    ("country", "tax_id", "stored"),
    [
        ("DE", "DE 136 695 976", "DE136695976"),
        ("DE", "136695976", "DE136695976"),  # the member state's prefix is added
        # A national tax number (a German Steuernummer, EN 16931 BT-32) is no VAT number: kept as written.
        ("DE", "12/345/67890", "12/345/67890"),
        ("FR", "fr 40 303 265 045", "FR40303265045"),
        ("GR", "094259216", "EL094259216"),  # Greece's VAT prefix is EL
        ("AT", "DE136695976", "DE136695976"),  # registered for VAT in another member state
        ("GB", "XI123456782", "XI123456782"),  # Northern Ireland
        ("GB", "GB 123 4567 89", "GB 123 4567 89"),  # outside the EU: kept as written
        ("US", "12-3456789", "12-3456789"),
        ("CH", "CHE-123.456.789 MWST", "CHE-123.456.789 MWST"),
        ("MX", "ATX010101AB1", "ATX010101AB1"),  # begins like an Austrian VAT number, but the party is in MX
        ("", "12345", "12345"),
    ],
)
def test_valid_tax_ids_are_accepted(country, tax_id, stored):
    party = {"name": "P", "tax_id": tax_id} | ({"country": country} if country else {})

    assert parse_request(with_invoice(seller=party))[1].seller.tax_id == stored


# --- The text budget ----------------------------------------------------------------------------------


@pytest.mark.security
def test_a_thousand_lines_of_the_longest_description_exceed_the_text_budget():
    line = {"description": "d" * 1_000, "quantity": "1", "unit_price": "1"}

    errors = errors_of(with_invoice(lines=[line] * MAX_LINES))

    assert "1,000,3" in message(errors, "invoice.lines")  # the total: 1,000,000 and the rest of the text
    assert f"{MAX_TEXT_CHARACTERS:,}" in message(errors, "invoice.lines")
    assert "the sum of every text field" in message(errors, "invoice.lines")
    assert "MAX_TEXT_CHARACTERS" not in message(errors, "invoice.lines")  # a name the client cannot change


def test_the_text_budget_itself_is_allowed():
    lines = [{"description": "d" * 990, "quantity": "1", "unit_price": "1"}] * 200
    document = read_request(with_invoice(lines=lines, notes="n"))[1]
    room = MAX_TEXT_CHARACTERS - text_length(document.data)

    assert text_length(read_request(with_invoice(lines=lines, notes="n" * (1 + room)))[1].data) == (
        MAX_TEXT_CHARACTERS
    )
    errors = errors_of(with_invoice(lines=lines, notes="n" * (2 + room)))
    assert f"{MAX_TEXT_CHARACTERS + 1:,}" in message(errors, "invoice.lines")
