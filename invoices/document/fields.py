"""Field readers shared by the current and the legacy input format.

Each reader takes one JSON value, records what is wrong with it under its field path and returns a typed
value. On error it returns a harmless default, so reading goes on and every error in the payload is found
in one pass; the caller raises them all before the defaults can be used.
"""

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from invoices.document.bidi import bidi_control_problem, neutralise_bidi
from invoices.document.codes import CheckResult, check_country
from invoices.document.errors import ErrorCollector
from invoices.document.invisible import format_character_problem, nfc, strip_invisible
from invoices.document.jsonio import NumberOutOfRange

T = TypeVar("T")

# A number sent as text: JSON's own number grammar, ASCII digits only. Decimal() alone would also take
# "NaN", "Infinity", "1_000", " 7" and Arabic-Indic digits.
_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)
_MAX_NUMBER_TEXT = 40

# C0 and C1 control characters except tab and newline, lone surrogates (they cannot be encoded as UTF-8)
# and U+FFFE/U+FFFF (not allowed in XML, so not in an XLSX file).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("[\t\n\u2028\u2029]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_SHOWN_KEY_LENGTH = 64
OUT_OF_RANGE = "Out of range: the exponent is far too large or too small for an amount."


def _control_problem(char: str) -> str:
    """Why ``char`` (a match of ``_CONTROL``) is refused, in words that fit it: a lone surrogate is no
    control character but half of a pair JSON's "\\ud800" escape left alone."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"Contains U+{code:04X}, half of a UTF-16 surrogate pair without its other half: no character."
    if code in (0xFFFE, 0xFFFF):
        return f"Contains U+{code:04X}, which is not a character (no XML file, so no e-invoice, can hold it)."
    return f"Contains the control character U+{code:04X}."


@dataclass(frozen=True)
class NumberRule:
    """What a numeric field accepts. All numbers are >= 0 in this version (corrections are credit notes)."""

    max_decimals: int
    maximum: Decimal
    max_digits: int  # significant digits; a spreadsheet cell holds 15 exactly
    strip_zeros: bool = False  # quantities and rates: "2.500" -> 2.5
    unit: str = ""  # named in the decimals message, e.g. "EUR"


def join(path: str, key: str) -> str:
    shown = key if len(key) <= _SHOWN_KEY_LENGTH else key[:_SHOWN_KEY_LENGTH] + "..."
    return f"{path}.{shown}" if path else shown


def item_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


def to_decimal(value: object) -> Decimal | str:
    """The value as a finite Decimal, or the message saying why it is not one. Never goes through float."""
    if type(value) is Decimal:  # what the request parser gives for every JSON number: checked first
        return value if value.is_finite() else "Must be a finite number."
    if isinstance(value, bool):
        return "Expected a number, not true or false."
    if isinstance(value, float):
        return "Send amounts as strings or plain JSON numbers; this value arrived as a binary float."
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else "Must be a finite number."
    if isinstance(value, str):
        if len(value) <= _MAX_NUMBER_TEXT and _NUMBER_TEXT.fullmatch(value):
            try:
                return Decimal(value)
            except InvalidOperation:  # an exponent beyond Decimal's range: "1e999999999999999999999"
                return OUT_OF_RANGE
        return 'Not a number: write digits with an optional decimal point, such as "12.50".'
    if isinstance(value, NumberOutOfRange):
        return OUT_OF_RANGE
    return 'Expected a number: a string such as "12.50" or a JSON number.'


def number_problem(value: Decimal, rule: NumberRule) -> str | None:
    """Why the number breaks the rule, checked in an order that never overflows a Decimal context."""
    if value < 0:
        return "Must not be negative."
    if value > rule.maximum:
        return f"Must not exceed {rule.maximum:,}."
    digits, exponent = _digits_and_exponent(value)
    if -exponent > rule.max_decimals:
        suffix = f" for {rule.unit}" if rule.unit else ""
        if rule.max_decimals == 0:
            return f"Must be a whole number{suffix}."
        return f"At most {rule.max_decimals} decimal places are allowed{suffix}."
    if digits > rule.max_digits:
        return f"At most {rule.max_digits} significant digits are allowed."
    return None


def _digits_and_exponent(value: Decimal) -> tuple[int, int]:
    """Significant digits and exponent without trailing zeros, so "500.00" counts as 500 (fine for JPY).

    Counted from the digit tuple: normalize() would round a tiny value such as 1E-999999999 to zero in the
    default context and let it pass as having no decimals. One as_tuple() call: this runs for every number
    of every line, at upload and again in the render worker.
    """
    if value.is_zero():
        return 1, 0
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN and Infinity, refused before this is called
        exponent = 0
    significant = len(digits)
    while digits[significant - 1] == 0:
        significant -= 1
    return significant, exponent + len(digits) - significant


def exponent_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0  # a str only for NaN and Infinity, refused earlier


def canonical(value: Decimal, *, strip_zeros: bool) -> Decimal:
    """No exponent notation (1E+3 -> 1000) and no negative zero, so str() and templates print it plainly."""
    if value.is_zero():
        return Decimal(0)  # "-0", "0E-9999" and "0.00" alike
    if strip_zeros:
        value = value.normalize()
    if exponent_of(value) > 0:
        value = value.quantize(Decimal(1))
    return value


def clean_text(value: str, *, multiline: bool, code: bool = False) -> tuple[str, str | None]:
    """The text in NFC with surrounding blanks removed, and why it is unacceptable (or None).

    A ``code`` (invoice number, IBAN, SKU...) with a bidirectional control or another invisible format
    character is refused; free text loses its embeddings, overrides and isolates (``invoices.document.bidi``
    says why) and its other invisible format characters (``invoices.document.invisible``)."""
    value = nfc(value)
    if multiline:
        # A tab reads as a space. No output gives it a meaning: the PDF has no tab stops (its paragraphs
        # printed a space, the line table's cells a missing-glyph box), and a tab inside a spreadsheet cell
        # or an XML element is not a column. One text for the PDF, the XLSX, the CSV and the e-invoices, in
        # descriptions as in notes and payment terms. (A single-line text refuses a tab, as before.)
        value = value.replace("\r\n", "\n").replace("\t", " ")
    control = _CONTROL.search(value)
    if control:
        return "", _control_problem(control.group())
    if not multiline and _LINE_BREAK.search(value):
        return "", "Must be a single line (no line breaks or tabs)."
    if code:
        problem = bidi_control_problem(value) or format_character_problem(value)
        return ("", problem) if problem else (value.strip(), None)
    return strip_invisible(neutralise_bidi(value)).strip(), None


class ObjectReader:
    """Reads the fields of one JSON object, recording errors under ``path.field``."""

    def __init__(self, errors: ErrorCollector, path: str, value: Mapping[str, object]) -> None:
        self.errors = errors
        self.path = path
        self.value = value

    @classmethod
    def of(
        cls, errors: ErrorCollector, path: str, value: object, allowed: Collection[str]
    ) -> "ObjectReader | None":
        """A reader for ``value`` if it is an object; every key not in ``allowed`` is an error."""
        if not isinstance(value, dict):
            errors.add(path, "Expected an object.")
            return None
        for key in value:
            if key not in allowed:
                errors.add(join(path, str(key)), f"Unknown field. Allowed here: {', '.join(allowed)}.")
        return cls(errors, path, value)

    def field_path(self, key: str) -> str:
        return join(self.path, key)

    def error(self, key: str, message: str) -> None:
        self.errors.add(self.field_path(key), message)

    def raw(self, key: str, *, required: bool = False) -> object:
        """The value, or None when absent or null (and an error if it is required)."""
        value = self.value.get(key)
        if value is None and required:
            self.error(key, "This field is required.")
        return value

    def text(
        self,
        key: str,
        *,
        max_length: int,
        required: bool = False,
        multiline: bool = False,
        code: bool = False,
    ) -> str:
        """Free text, or with ``code`` a code read character by character (see ``clean_text``)."""
        value = self.raw(key, required=required)
        if value is None:
            return ""
        return self._text_value(
            key, value, max_length=max_length, required=required, multiline=multiline, code=code
        )

    def _text_value(
        self, key: str, value: object, *, max_length: int, required: bool, multiline: bool, code: bool = False
    ) -> str:
        if not isinstance(value, str):
            self.error(key, "Expected a string.")
            return ""
        text, problem = clean_text(value, multiline=multiline, code=code)
        if problem is None and required and not text:
            problem = "Must not be blank."
        if problem is None and len(text) > max_length:
            problem = f"At most {max_length:,} characters are allowed (got {len(text):,})."
        if problem:
            self.error(key, problem)
            return ""
        return text

    def text_lines(self, key: str, *, max_lines: int, max_length: int) -> tuple[str, ...]:
        """A list of single-line strings, such as an address."""
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(key, "Expected a list of strings.")
            return ()
        if len(value) > max_lines:
            self.error(key, f"At most {max_lines} lines are allowed (got {len(value)}).")
            return ()
        lines = (
            self._text_value(f"{key}[{index}]", line, max_length=max_length, required=False, multiline=False)
            for index, line in enumerate(value)
        )
        return tuple(line for line in lines if line)

    def number(self, key: str, rule: NumberRule, *, required: bool = False) -> Decimal | None:
        """A Decimal that meets the rule; None when absent or invalid (the error is recorded)."""
        value = self.raw(key, required=required)
        if value is None:
            return None
        parsed = to_decimal(value)
        if isinstance(parsed, str):
            self.error(key, parsed)
            return None
        problem = number_problem(parsed, rule)
        if problem:
            self.error(key, problem)
            return None
        return canonical(parsed, strip_zeros=rule.strip_zeros)

    def signed_number(self, key: str, rule: NumberRule) -> Decimal | None:
        """Like ``number``, for the rare field that may be negative: the rule applies to its magnitude."""
        value = self.raw(key)
        if value is None:
            return None
        parsed = to_decimal(value)
        if isinstance(parsed, str):
            self.error(key, parsed)
            return None
        problem = number_problem(abs(parsed), rule)
        if problem:
            self.error(key, problem)
            return None
        return canonical(parsed, strip_zeros=rule.strip_zeros)

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(key, "Not a valid date; use YYYY-MM-DD, such as 2026-11-23.")
        return None

    def choice(self, key: str, choices: Mapping[str, T], *, default: T, hint: str) -> T:
        """One of a few words, matched without regard to case; ``hint`` lists them in the error."""
        value = self.raw(key)
        if value is None:
            return default
        found = choices.get(value.lower()) if isinstance(value, str) else None
        if found is None:
            self.error(key, f"Unknown value {shown(value)}; allowed: {hint}.")
            return default
        return found

    def country(self, key: str) -> str:
        return self.identifier(key, check_country, max_length=_SHOWN_KEY_LENGTH)

    def identifier(self, key: str, check: Callable[[str], CheckResult], *, max_length: int) -> str:
        """A code that ``check`` verifies and normalises (``invoices.document.codes``); "" when absent."""
        value = self.text(key, max_length=max_length, code=True)
        if not value:
            return ""
        normalised, problem = check(value)
        if problem:
            self.error(key, problem)
        return normalised

    def email(self, key: str, *, max_length: int) -> str:
        value = self.text(key, max_length=max_length, code=True)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.error(key, "Not a valid email address.")
                return ""
        return value

    def list(self, key: str, *, required: bool = False) -> list[object] | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.error(key, "Expected a list.")
            return None
        return value


def shown(value: object) -> str:
    """A client's value quoted in an error message, cut short so an error never echoes a huge payload."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:40] + "..." if len(text) > 40 else text)
