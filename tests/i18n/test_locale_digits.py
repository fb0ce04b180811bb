"""Every locale an invoice may be written in prints exactly the digits ``money.py`` computed.

For each locale Babel lists that ``parse_locale`` accepts (a language we have a catalog for), and a currency
of each precision (EUR 2 minor units, JPY 0, KWD 3): ``NumberFormat.money`` and ``NumberFormat.amount`` of
zero, the smallest amount, a large one and a negative one, and ``amount`` of a unit price with more decimals
than the currency (0.125), are read back by keeping only the digits, the locale's decimal symbol (its Latin
numbering system's) and a minus sign. The number read must equal the value, with as many fraction digits as
the currency has (three for 0.125): grouping, the currency's place and bidi marks are the locale's business,
the digits are not. The digits must be Latin ones, and zero must never print with a minus sign.
"""

import functools
import unicodedata
from decimal import Decimal

import pytest
from babel import localedata, numbers

from invoices.document.currencies import CURRENCIES
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.locales import LocaleError, cached_locale, locale_tag, parse_locale

# Each currency's test values, written with its minor units: zero, the smallest amount, a large one, a
# negative one (an allowance, a credit note's line).
VALUES = {
    "EUR": ("0.00", "0.01", "1234567.89", "-1234.50"),
    "JPY": ("0", "1", "1234568", "-1235"),
    "KWD": ("0.000", "0.001", "1234567.891", "-1234.500"),
}
MINOR_UNITS = {"EUR": 2, "JPY": 0, "KWD": 3}
UNIT_PRICE = "0.125"  # a unit price keeps its third decimal in every currency
MINUS_SIGNS = frozenset({"-", "\u2212"})  # hyphen-minus, and MINUS SIGN (sv, fi, fa, ...)
LATIN_DIGITS = frozenset("0123456789")


@functools.cache
def accepted_locales() -> tuple[str, ...]:
    tags = set()
    for identifier in localedata.locale_identifiers():
        try:
            tags.add(locale_tag(parse_locale(identifier)))
        except LocaleError:
            continue
    return tuple(sorted(tags))


def read_back(text: str, tag: str, currency: str, *, money: bool = False) -> str:
    """The number ``text`` shows, as a Decimal's string: the currency symbol taken out (Arabic's "د.ك."
    has dots of its own), then everything but digits, the decimal symbol and a minus sign dropped. A sum of
    money has CLDR's currencyDecimal where the locale has one (fr-CH: "1'250.50 CHF", "7,5 %")."""
    locale = cached_locale(tag)
    decimal = numbers.get_decimal_symbol(locale, numbering_system="latn")
    if money:
        decimal = locale.number_symbols["latn"].get("currencyDecimal", decimal)
    assert len(decimal) == 1, (tag, decimal)
    text = text.replace(numbers.get_currency_symbol(currency, locale), "")
    kept = []
    for char in text:
        if char.isdigit():
            kept.append(char)
        elif char == decimal:
            kept.append(".")
        elif char in MINUS_SIGNS:
            kept.append("-")
    return "".join(kept)


def fraction_digits(number: str) -> int:
    return len(number.partition(".")[2])


def _well_formed(number: str, *, negative: bool) -> bool:
    """Digits, at most one decimal point, and a minus sign first exactly when the value is negative."""
    digits = number.removeprefix("-")
    return (
        any(char.isdigit() for char in digits)
        and "-" not in digits
        and digits.count(".") <= 1
        and number.startswith("-") == negative
    )


def problems(tag: str) -> list[str]:
    found = []

    def check(kind: str, text: str, value: Decimal, currency: str, decimals: int) -> None:
        number = read_back(text, tag, currency, money=kind == "money")
        shown = f"{kind}({value}) in {currency} = {text!r}"
        if any(unicodedata.category(char) == "Nd" and char not in LATIN_DIGITS for char in text):
            found.append(f"{shown}: digits other than Latin ones")
        if value.is_zero() and "-" in number:
            found.append(f"{shown}: zero with a minus sign")
        elif not _well_formed(number, negative=value < 0):
            found.append(f"{shown}: reads as {number!r}")
        elif Decimal(number) != value or fraction_digits(number) != decimals:
            found.append(f"{shown}: reads as {number!r}, not {value} with {decimals} decimals")

    for currency, values in VALUES.items():
        fmt = NumberFormat(tag, CURRENCIES[currency])
        for written in values:
            value = Decimal(written)
            check("money", fmt.money(value), value, currency, MINOR_UNITS[currency])
            check("amount", fmt.amount(value), value, currency, MINOR_UNITS[currency])
        check("amount", fmt.amount(Decimal(UNIT_PRICE)), Decimal(UNIT_PRICE), currency, 3)
        # A zero that came out of a subtraction carries a sign: it is printed as zero all the same.
        zero = Decimal(values[0]).copy_negate()  # Decimal("-0.00"); unary minus would drop the sign
        assert zero.is_signed()
        check("money", fmt.money(zero), zero, currency, MINOR_UNITS[currency])
        check("amount", fmt.amount(zero), zero, currency, MINOR_UNITS[currency])
    return found


def test_the_currencies_have_the_minor_units_the_values_are_written_with():
    assert {code: CURRENCIES[code].minor_units for code in VALUES} == MINOR_UNITS
    for currency, values in VALUES.items():
        assert {fraction_digits(value.removeprefix("-")) for value in values} == {MINOR_UNITS[currency]}


def test_babel_lists_the_locales_of_every_catalog_language():
    tags = accepted_locales()
    assert len(tags) > 300
    assert {"de-CH", "fr-CH", "en-IN", "ar-EG", "he-IL", "ja-JP", "pl-PL", "zh-Hant-TW", "nb-NO"} <= set(tags)
    assert not any(tag.startswith(("sw", "ru-")) for tag in tags)  # no catalog: refused by parse_locale


@pytest.mark.parametrize("tag", accepted_locales())
def test_every_locale_prints_exactly_the_computed_digits(tag):
    assert problems(tag) == []


@pytest.mark.parametrize(
    ("text", "tag", "number"),
    [
        ("1.234.567,89\xa0€", "de-DE", "1234567.89"),
        ("\u200f-1,234.50\xa0د.ك.\u200f", "ar-EG", "-1234.50"),
        ("\u22121\xa0234,50\xa0€", "sv-SE", "-1234.50"),
        ("EUR\xa01'234.50", "de-CH", "1234.50"),
    ],
)
def test_the_read_back_keeps_digits_decimal_symbol_and_minus(text, tag, number):
    currency = "KWD" if tag == "ar-EG" else "EUR"
    assert read_back(text, tag, currency) == number


def test_the_check_finds_a_lost_digit_a_negative_zero_and_arabic_digits(monkeypatch):
    assert problems("de-DE") == []
    monkeypatch.setattr(NumberFormat, "amount", lambda self, value: "1.234.567,8" if value > 9 else "-0,00")
    monkeypatch.setattr(NumberFormat, "money", lambda self, value: "\u0661\u0662\u0663")  # "123" in Arabic
    found = "\n".join(problems("de-DE"))
    assert "amount(1234567.89) in EUR = '1.234.567,8': reads as '1234567.8'" in found
    assert "amount(-0.00) in EUR = '-0,00': zero with a minus sign" in found
    assert "money(0.01) in EUR = '\u0661\u0662\u0663': digits other than Latin ones" in found
