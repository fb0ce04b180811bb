"""Numbers and dates as the invoice's locale writes them, from the Unicode CLDR (Babel).

Formatting never rounds: every amount is printed with exactly the digits ``money.py`` computed. An amount
is padded to its currency's minor units (ISO 4217, as ``currencies.py`` has them, not CLDR's own idea of a
currency's digits: CLDR gives HUF none) and a unit price with more decimals keeps all of them.

Digits are always the Latin ones (CLDR's ``latn`` numbering system), in Arabic locales too: an amount is
read beside the same amount in the e-invoice, the bank's statement and the IBAN, which are all written in
them, and Egyptian and Gulf invoices commonly print them so. The separators, the currency symbol and its
place are the locale's own.
"""

import copy
import functools
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from babel import Locale, dates, numbers
from babel.numbers import get_currency_symbol

from invoices.document.model import Currency
from invoices.i18n.locales import cached_locale

DateWidth = Literal["short", "medium", "long"]
NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"


@dataclass(frozen=True)
class NumberFormat:
    """One invoice's formats: its locale and its currency."""

    locale: str  # a BCP 47 tag parse_locale accepted: "de-CH"
    currency: Currency

    @property
    def cldr(self) -> Locale:
        return cached_locale(self.locale)

    def money(self, value: Decimal) -> str:
        """An amount with its currency as the locale writes it: "1.250,00 €", "CHF 1'250.00",
        "₹1,23,456.00"."""
        pattern = _currency_pattern(self.locale, self.currency.minor_units)
        text = pattern.apply(
            _no_negative_zero(value),
            self.cldr,
            currency=self.currency.code,
            currency_digits=False,
            decimal_quantization=False,
        )
        return _spaced(_currency_decimal(text, self.cldr), self.currency.code, self.cldr)

    def amount(self, value: Decimal) -> str:
        """An amount without its currency, for a column of them: "1.250,00"; its minor units at least."""
        return self._decimal(value, self.currency.minor_units)

    def signed_amount(self, value: Decimal) -> str:
        """An adjustment with its sign: "-12,50" for an allowance, "+5,00" for a charge."""
        text = self.amount(value)
        return f"{self.cldr.number_symbols['latn']['plusSign']}{text}" if value > 0 else text

    def quantity(self, value: Decimal) -> str:
        """A quantity without trailing zeros, grouped: "2,5", "1.000"."""
        return self._decimal(value.normalize(), 0)

    def percent(self, rate: Decimal) -> str:
        """A rate given in percent (19, 7.7, 0) as the locale writes a percentage: "19 %", "7,7 %", "0%"."""
        pattern = _percent_pattern(self.locale)
        return pattern.apply(_no_negative_zero(rate.normalize() / 100), self.cldr, decimal_quantization=False)

    def date(self, value: date | None, width: DateWidth = "medium") -> str:
        """A date in the locale's medium form ("03.12.2026", "Dec 3, 2026", "2026/12/03"), or ""."""
        return dates.format_date(value, width, locale=self.cldr) if value else ""

    def _decimal(self, value: Decimal, minimum_decimals: int) -> str:
        pattern = _decimal_pattern(self.locale, minimum_decimals)
        return pattern.apply(_no_negative_zero(value), self.cldr, decimal_quantization=False)


def _currency_decimal(text: str, locale: Locale) -> str:
    """CLDR's ``currencyDecimal``, which Babel does not apply: Swiss French writes a sum of money with a
    point ("1'250.50 CHF") and other numbers with a comma ("7,5 %"). fr-CH is the only locale that has one."""
    symbols = locale.number_symbols["latn"]
    decimal, money_decimal = symbols["decimal"], symbols.get("currencyDecimal")
    if not money_decimal or money_decimal == decimal or decimal not in text:
        return text
    head, _, tail = text.rpartition(decimal)
    return f"{head}{money_decimal}{tail}"


def _spaced(text: str, code: str, locale: Locale) -> str:
    """CLDR's ``currencySpacing``, which Babel does not apply either: a currency sign ending (or, after the
    number, starting) in a letter is set off from the digits by a no-break space, "KWD 1,250.000" and not
    "KWD1,250.000", "Rs 1,039.83"; a symbol such as "€", "$" or "JP¥" stays against them ("€1,250.00")."""
    symbol = get_currency_symbol(code, locale)
    at = text.find(symbol)
    if not symbol or at < 0:
        return text
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and not _is_symbol_or_space(symbol[-1]):
        return f"{text[:end]}{NO_BREAK_SPACE}{text[end:]}"
    if at > 0 and text[at - 1].isdigit() and not _is_symbol_or_space(symbol[0]):
        return f"{text[:at]}{NO_BREAK_SPACE}{text[at:]}"
    return text


def _is_symbol_or_space(char: str) -> bool:
    # CLDR's currencyMatch is [[:^S:]&[:^Z:]]: a character that is neither a symbol nor a separator.
    return unicodedata.category(char)[0] in "SZ"


def _no_negative_zero(value: Decimal) -> Decimal:
    return value + 0 if value.is_zero() else value  # Decimal("-0.00") + 0 is Decimal("0.00")


@functools.lru_cache(maxsize=512)
def _currency_pattern(tag: str, minor_units: int) -> numbers.NumberPattern:
    return _with_decimals(cached_locale(tag).currency_formats["standard"], minor_units)


@functools.lru_cache(maxsize=512)
def _decimal_pattern(tag: str, minimum_decimals: int) -> numbers.NumberPattern:
    return _with_decimals(cached_locale(tag).decimal_formats[None], minimum_decimals)


@functools.lru_cache(maxsize=256)
def _percent_pattern(tag: str) -> numbers.NumberPattern:
    return _with_decimals(cached_locale(tag).percent_formats[None], 0)


def _with_decimals(pattern: numbers.NumberPattern | str, decimals: int) -> numbers.NumberPattern:
    """The locale's pattern with exactly ``decimals`` fraction digits at least; with
    decimal_quantization=False, any further digits the value has are printed, never rounded away."""
    parsed = copy.copy(numbers.parse_pattern(pattern))
    parsed.frac_prec = (decimals, decimals)
    return parsed
