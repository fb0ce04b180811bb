"""The amount due in words ("eintausendzweihundertfünfzig Euro und fünfzig Cent"), written by num2words.

An invoice asks for it with ``"amount_in_words": true``; it is printed under the total in the invoice's
language. num2words (pinned in requirements.txt) knows some of our languages, and in each only some
currencies; ``SUPPORT`` lists the combinations it writes correctly, each one tried against the pinned
version (tests/i18n/test_words.py holds golden strings). Everything else is refused when the invoice is
uploaded (``words_problem``), never printed half right. What was left out, and why:

- no converter at all: bg, el, et, ga, hr, mt, hi, ur, zh-hans, zh-hant;
- a converter whose ``to_currency`` names no currency or is broken: da ("tolv kr" for 1250.50), sv and sl
  (not implemented / TypeError), tr and fa (the lira or toman whatever the currency);
- names of the wrong grammatical gender ("jedna euro" cs, "jeden euro" sk, "un livre" fr, "um libra" pt,
  "viens krona" lv): those languages keep only the currencies written right, cs and sk none;
- names that are not the language's own (hu and ro inherit num2words' English table: "ötven cents"): only
  the forint in Hungarian and the leu in Romanian, which num2words writes in the language itself;
- a minor unit mixed up: CNY in de, fr and nl says "Jiao" (a tenth) for the fen (a hundredth);
- Arabic names only SAR, EGP and TND: any other code silently comes out in riyals, and KWD's fils are
  written as hundredths;
- three- and four-decimal currencies (KWD, BHD, TND, ... CLF): num2words rounds every amount to two
  decimals (``currency.parse_currency_parts``), so 1.234 KWD would read as 1.23; only Arabic TND is
  written with its three (the converter's own precision);
- negative amounts: an amount due is never negative here (a correction is a credit note, whose amounts are
  positive: document/validation.py), and num2words' handling of the sign varies (Italian crashes, Arabic
  raises), so ``amount_in_words`` refuses one instead of guessing a word for minus.

Zero is written as num2words writes it ("null Euro und null Cent"; Arabic "صفر", zero, alone).
"""

import threading
from decimal import Decimal

from num2words import CONVERTER_CLASSES, num2words

from invoices.document.currencies import CURRENCIES
from invoices.document.model import Currency
from invoices.i18n.locales import LANGUAGES


def _table_of(code: str, minor_units: frozenset[int]) -> frozenset[str]:
    """The ISO 4217 codes the converter's currency table names, among those with ``minor_units``: for the
    languages whose table is large and in the language itself (es 150, uk 148, fi 23 currencies; en 17)."""
    table = getattr(CONVERTER_CLASSES[code], "CURRENCY_FORMS", {})
    return frozenset(c for c in table if c in CURRENCIES and CURRENCIES[c].minor_units in minor_units)


# Our catalog language -> (num2words' language code, the currencies it writes in it).
SUPPORT: dict[str, tuple[str, frozenset[str]]] = {
    "ar": ("ar", frozenset({"SAR", "EGP", "TND"})),
    "de": ("de", frozenset({"EUR", "USD", "GBP"})),
    "en": ("en", _table_of("en", frozenset({0, 2}))),  # num2words' base table is English
    "es": ("es", _table_of("es", frozenset({0, 2}))),
    "fi": ("fi", _table_of("fi", frozenset({0, 2}))),
    "fr": ("fr", frozenset({"EUR", "USD"})),
    "he": ("he", frozenset({"EUR", "USD", "ILS"})),
    "hu": ("hu", frozenset({"HUF"})),
    "it": ("it", frozenset({"EUR", "USD", "GBP", "CNY"})),
    "ja": ("ja", frozenset({"JPY"})),
    "ko": ("ko", frozenset({"KRW", "JPY", "USD"})),
    "lt": ("lt", frozenset({"EUR", "USD", "GBP", "PLN", "RUB"})),
    "lv": ("lv", frozenset({"EUR", "USD", "AUD", "CAD", "PLN"})),
    "nb": ("no", frozenset({"NOK"})),  # num2words' Norwegian is Bokmål
    "nl": ("nl", frozenset({"EUR", "USD", "GBP"})),
    "pl": ("pl", frozenset({"EUR", "USD", "PLN"})),
    "pt": ("pt", frozenset({"EUR", "USD", "AUD", "CAD"})),
    "ro": ("ro", frozenset({"RON"})),
    "uk": ("uk", _table_of("uk", frozenset({0, 2}))),
}
# Converters that write a currency without minor units as whole units themselves ("千二百五十円"); the
# others always add the minor part ("mil doscientos cincuenta yenes con cero sen"), which is cut off.
_WHOLE_UNITS_NATIVE = frozenset({"ja", "ko"})
# Cuts the minor part off: passed as the separator between the two parts, where no language's words have it.
_MARK = "\x1f"
# num2words keeps one converter object per language, and some (Arabic) store the currency being written
# on it while they write: two threads writing at once could mix their currencies.
_LOCK = threading.Lock()


class WordsError(ValueError):
    """An amount ``amount_in_words`` cannot write; the invoice's validation refuses these beforehand."""


def words_problem(language: str, currency_code: str) -> str | None:
    """None when the amount can be written in words in ``language`` (a catalog language) and
    ``currency_code``; else why not, in one sentence for a 400 response."""
    currency = CURRENCIES.get(currency_code)
    if currency is None:
        return (
            f"'{currency_code}' is not an ISO 4217 currency code, so its amount cannot be written in words."
        )
    if language not in SUPPORT:
        return (
            f"The amount cannot be written in words in '{language}'; it can in: "
            f"{', '.join(code for code in LANGUAGES if code in SUPPORT)}."
        )
    if currency_code in SUPPORT[language][1]:
        return None
    if currency.minor_units > 2 and not _languages_for(currency_code):
        return (
            f"An amount in {currency_code} cannot be written in words: it has {currency.minor_units} "
            "decimals and num2words, which writes them, rounds to two."
        )
    elsewhere = _languages_for(currency_code)
    return (
        f"An amount in {currency_code} cannot be written in words in '{language}', which writes "
        f"{', '.join(sorted(SUPPORT[language][1]))}; {currency_code} can be written in: "
        f"{', '.join(elsewhere) or 'no language'}."
    )


def _languages_for(currency_code: str) -> list[str]:
    return [code for code in LANGUAGES if code in SUPPORT and currency_code in SUPPORT[code][1]]


def amount_in_words(amount: Decimal, currency: Currency, language: str) -> str:
    """The amount in words in ``language``, never rounded: "eintausendzweihundertfünfzig Euro und fünfzig
    Cent". WordsError for a combination ``words_problem`` refuses, a negative amount, or more decimals
    than the currency has."""
    problem = words_problem(language, currency.code)
    if problem:
        raise WordsError(problem)
    if amount < 0:
        raise WordsError("A negative amount is not written in words: an amount due is never negative.")
    if amount != amount.quantize(Decimal(1).scaleb(-currency.minor_units)):
        raise WordsError(f"{amount} has more decimals than {currency.code}'s {currency.minor_units}.")
    code = SUPPORT[language][0]
    with _LOCK:
        if currency.minor_units == 0 and code not in _WHOLE_UNITS_NATIVE:
            text = _to_currency(code, amount, currency.code, separator=_MARK).partition(_MARK)[0]
        else:
            text = _to_currency(code, amount, currency.code)
    return _tidy(text, code)


def _to_currency(code: str, amount: Decimal, currency_code: str, **options: str) -> str:
    # A Decimal, never an int: num2words takes an int for a count of cents.
    return str(num2words(Decimal(amount), lang=code, to="currency", currency=currency_code, **options))


def _tidy(text: str, code: str) -> str:
    text = " ".join(text.split())
    # Arabic leaves the empty whole part of an amount below one unit before its "and" ("و خمس هللات"
    # for 0.05 SAR): the words of the minor part alone are the amount.
    if code == "ar" and text.startswith("و "):
        text = text[2:]
    return text
