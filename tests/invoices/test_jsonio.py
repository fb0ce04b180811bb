"""Reading request bodies: Decimal numbers, and clear errors on the whole body for anything else."""

from decimal import Decimal

import pytest

from invoices.document.errors import DocumentInvalid
from invoices.document.jsonio import MAX_JSON_DEPTH, loads_document_json


def body_error(raw: bytes | str) -> str:
    with pytest.raises(DocumentInvalid) as caught:
        loads_document_json(raw)
    assert list(caught.value.errors) == [""]
    return caught.value.errors[""][0]


def test_numbers_become_decimals_without_float():
    value = loads_document_json(b'{"a": 2.675, "b": 10, "c": 1e2, "d": "x"}')
    assert value == {"a": Decimal("2.675"), "b": Decimal(10), "c": Decimal("1E+2"), "d": "x"}
    assert str(value["a"]) == "2.675"


def test_str_input_and_a_byte_order_mark_are_accepted():
    assert loads_document_json('\ufeff{"a": 1}') == {"a": Decimal(1)}
    assert loads_document_json(b'\xef\xbb\xbf{"a": 1}') == {"a": Decimal(1)}


def test_invalid_json_names_line_and_column():
    assert (
        body_error(b'{\n  "a": 1,\n}')
        == "Invalid JSON: Expecting property name enclosed in double quotes at line 3, column 1."
    )


@pytest.mark.security
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_constants_are_refused(constant):
    assert constant in body_error(f'{{"a": {constant}}}')


@pytest.mark.security
def test_duplicate_keys_are_refused():
    assert "'totals' appears twice" in body_error(b'{"totals": 1, "totals": 2}')


@pytest.mark.security
def test_invalid_utf8_is_refused():
    assert "UTF-8" in body_error(b'{"a": "\xff"}')


@pytest.mark.security
def test_nesting_limit():
    assert loads_document_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    deeper = MAX_JSON_DEPTH + 1
    assert "nested too deeply" in body_error("[" * deeper + "]" * deeper)


@pytest.mark.security
def test_very_deep_nesting_is_refused_without_crashing():
    assert "nested too deeply" in body_error("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in body_error('{"a":' * 50_000 + "1" + "}" * 50_000)


@pytest.mark.security
def test_huge_integers_do_not_hit_the_int_digit_limit():
    value = loads_document_json('{"a": ' + "9" * 5000 + "}")
    assert value["a"] == Decimal("9" * 5000)  # type: ignore[index]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a": "x\x01"}', "Invalid JSON: Invalid control character at line 1, column 9."),
        (b'{"a": "x', "Invalid JSON: Unterminated string starting at line 1, column 7."),
    ],
)
def test_a_reason_ending_in_at_is_not_followed_by_a_second_at(raw, message):
    assert body_error(raw) == message
