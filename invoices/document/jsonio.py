"""Read a request body as JSON without ever turning a number into a float.

Shared by the API and ``manage.py render_invoice`` so both accept exactly the same bytes. Every failure is a
``DocumentInvalid`` on the path ``""`` (the whole body), never a 500.
"""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from invoices.document.errors import DocumentInvalid

# Invoices nest four levels deep ({"invoice": {"lines": [{...}]}}); anything far deeper is an attack or a bug.
MAX_JSON_DEPTH = 20


@dataclass(frozen=True)
class NumberOutOfRange:
    """A JSON number whose exponent is beyond what a Decimal can hold (``1e999999999999999999999``).

    Parsed to this marker instead of failing the whole body, so the field reader names the field."""

    text: str


def _number(text: str) -> Decimal | NumberOutOfRange:
    try:
        return Decimal(text)
    except InvalidOperation:
        return NumberOutOfRange(text)


class _Rejected(ValueError):
    """Raised from inside the JSON parser's hooks; turned into DocumentInvalid below."""


def loads_document_json(raw: bytes | str) -> object:
    """The body as plain Python values, with every number as ``Decimal``."""
    text = _decode(raw) if isinstance(raw, bytes) else raw
    try:
        value = json.loads(
            text.removeprefix("\ufeff"),  # a UTF-8 byte-order mark, as Windows editors write it
            parse_float=_number,
            parse_int=_number,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except json.JSONDecodeError as exc:
        _fail(json_error_message(exc))
    except _Rejected as exc:
        _fail(str(exc))
    except RecursionError:
        _fail(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
    if _depth(value) > MAX_JSON_DEPTH:
        _fail(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
    return value


def json_error_message(exc: json.JSONDecodeError) -> str:
    """The parser's reason with the position where it stopped: "Invalid JSON: Expecting value at line 1,
    column 7." Some of json's reasons end in "at" already ("Invalid control character at", "Unterminated
    string starting at"): that word is dropped so the message never reads "at at line"."""
    return f"Invalid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}."


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"The body is not valid UTF-8 (byte {exc.start}).")


def _reject_constant(name: str) -> NoReturn:
    raise _Rejected(f'Invalid JSON: {name} is not a JSON number; send amounts as strings such as "12.50".')


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently; a second "totals" or "unit_price" must not slip past.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Rejected(f"Invalid JSON: the key {key!r} appears twice in one object.")
        result[key] = value
    return result


def _depth(value: object) -> int:
    """Nesting depth, iteratively: a scalar is 0, ``[]`` is 1, ``[[1]]`` is 2. Only containers are visited."""
    if not isinstance(value, dict | list):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                return deepest
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return deepest


def _fail(message: str) -> NoReturn:
    raise DocumentInvalid({"": [message]})
