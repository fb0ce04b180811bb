"""Golden amounts and dates, read back from the PDF with pdftotext, in ten locales and three currencies.

Every expected string below is written by hand, as a reader in that locale writes the amount: the CLDR
patterns (Babel) were looked up first. Three CLDR rules Babel does not apply are applied by NumberFormat and
held here: Swiss French money's decimal point (currencyDecimal), a currency code set off from the digits
(currencySpacing), and on a right-to-left page a Latin currency sign ("JP¥") kept whole.

One small invoice per currency, a single line at 19 % tax, its amounts worked by hand:

- EUR: net 103,745.19, tax 19,711.5861 -> 19,711.59, amount due 123,456.78;
- JPY (no minor units): net 103,745, tax 19,711.55 -> 19,712, amount due 123,457;
- KWD (three minor units): net 103,745.201, tax 19,711.58819 -> 19,711.588, amount due 123,456.789.

Issued on 3 December 2026. The PDF prints the amount due with its currency (``NumberFormat.money``), the
line's net and the subtotal without it (``NumberFormat.amount``) and the issue date in the locale's medium
form (``NumberFormat.date``).

pdftotext's layout mode prints a no-break space as a space (a narrow one sometimes not at all), so a golden
string is matched as a pattern: U+00A0 must be printed as a space, U+202F may be. Arabic and Hebrew pages
are right to left: there the words are read back in logical order from their boxes (``pdftotext
-bbox-layout``, see test_rtl_pdf.py), and the layout text, its bidi marks stripped, must hold every number
with its digits left to right.
"""

import copy
import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

import pytest

from tests.i18n.test_rtl_pdf import logical, page_words
from tests.invoices.pdf_tools import build, pdf_text, render_payload
from tests.payloads import sample_payload

UNIT_PRICES = {"EUR": "103745.19", "JPY": "103745", "KWD": "103745.201"}
DUE = {"EUR": Decimal("123456.78"), "JPY": Decimal("123457"), "KWD": Decimal("123456.789")}
NET = {"EUR": Decimal("103745.19"), "JPY": Decimal("103745"), "KWD": Decimal("103745.201")}

# (locale, currency) -> (the amount due as printed under "Total", the net as printed in the line table).
GOLDEN: dict[tuple[str, str], tuple[str, str]] = {
    ("de-DE", "EUR"): ("123.456,78\xa0€", "103.745,19"),
    ("de-DE", "JPY"): ("123.457\xa0¥", "103.745"),
    ("de-DE", "KWD"): ("123.456,789\xa0KWD", "103.745,201"),
    # Swiss German: an apostrophe groups the thousands, the currency comes first.
    ("de-CH", "EUR"): ("EUR\xa0123'456.78", "103'745.19"),
    ("de-CH", "JPY"): ("¥\xa0123'457", "103'745"),
    ("de-CH", "KWD"): ("KWD\xa0123'456.789", "103'745.201"),
    # French: a narrow no-break space groups the thousands.
    ("fr-FR", "EUR"): ("123\u202f456,78\xa0€", "103\u202f745,19"),
    ("fr-FR", "JPY"): ("123\u202f457\xa0JPY", "103\u202f745"),
    ("fr-FR", "KWD"): ("123\u202f456,789\xa0KWD", "103\u202f745,201"),
    # Swiss French: CLDR writes a sum of money with a point (fr_CH's currencyDecimal), other numbers with a
    # comma; Babel does not know currencyDecimal.
    ("fr-CH", "EUR"): ("123'456.78\xa0€", "103'745,19"),
    ("fr-CH", "JPY"): ("123'457\xa0JPY", "103'745"),
    ("fr-CH", "KWD"): ("123'456.789\xa0KWD", "103'745,201"),
    # English: a currency code before the number is set off by a space (CLDR's currencySpacing), a symbol
    # is not.
    ("en-US", "EUR"): ("€123,456.78", "103,745.19"),
    ("en-US", "JPY"): ("¥123,457", "103,745"),
    ("en-US", "KWD"): ("KWD\xa0123,456.789", "103,745.201"),
    # Indian English: lakhs and crores, the first group of three then groups of two.
    ("en-IN", "EUR"): ("€1,23,456.78", "1,03,745.19"),
    ("en-IN", "JPY"): ("JP¥1,23,457", "1,03,745"),
    ("en-IN", "KWD"): ("KWD\xa01,23,456.789", "1,03,745.201"),
    # Japanese: the yen as the full-width sign.
    ("ja-JP", "EUR"): ("€123,456.78", "103,745.19"),
    ("ja-JP", "JPY"): ("￥123,457", "103,745"),
    ("ja-JP", "KWD"): ("KWD\xa0123,456.789", "103,745.201"),
    # Arabic (Egypt), in logical order: the number in Latin digits, then the currency (read after it, drawn
    # to its left); the Kuwaiti dinar by its Arabic abbreviation.
    ("ar-EG", "EUR"): ("123,456.78\xa0€", "103,745.19"),
    ("ar-EG", "JPY"): ("123,457\xa0JP¥", "103,745"),
    ("ar-EG", "KWD"): ("123,456.789\xa0د.ك.", "103,745.201"),
    # Hebrew, in logical order: the number, then the currency.
    ("he-IL", "EUR"): ("123,456.78\xa0€", "103,745.19"),
    ("he-IL", "JPY"): ("123,457\xa0¥", "103,745"),
    ("he-IL", "KWD"): ("123,456.789\xa0KWD", "103,745.201"),
    # Polish: a no-break space groups the thousands, the currency follows.
    ("pl-PL", "EUR"): ("123\xa0456,78\xa0€", "103\xa0745,19"),
    ("pl-PL", "JPY"): ("123\xa0457\xa0JPY", "103\xa0745"),
    ("pl-PL", "KWD"): ("123\xa0456,789\xa0KWD", "103\xa0745,201"),
}
# The issue date, 2026-12-03, in each locale's medium form.
DATES = {
    "de-DE": "03.12.2026",
    "de-CH": "03.12.2026",
    "fr-FR": "3 déc. 2026",
    "fr-CH": "3 déc. 2026",
    "en-US": "Dec 3, 2026",
    "en-IN": "3 Dec 2026",
    "ja-JP": "2026/12/03",
    "ar-EG": "03/12/2026",  # day first, its digits left to right (CLDR's marks would draw it 2026/12/03)
    "he-IL": "3 בדצמ\u05f3 2026",  # "Dec" abbreviated with a geresh (U+05F3)
    "pl-PL": "3 gru 2026",
}
RTL_LOCALES = frozenset({"ar-EG", "he-IL"})
CASES = sorted(GOLDEN)

# Bidi controls pdftotext writes around right-to-left runs: LRM, RLM, the embeddings and the isolates.
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
NUMBER = re.compile(r"\d(?:[\d,.'\u202f\xa0/]*\d)?")


def golden_payload(locale: str, currency: str) -> dict[str, Any]:
    payload = sample_payload()
    invoice = payload["invoice"]
    del invoice["totals"], invoice["language"], invoice["shipping"]  # the locale alone says the language
    invoice.update(locale=locale, currency=currency, issue_date="2026-12-03", due_date="2027-01-02")
    line = copy.deepcopy(invoice["lines"][0])
    del line["discount_percent"]
    line.update(sku="G-1", description="Golden line", quantity="1", unit_price=UNIT_PRICES[currency])
    line["tax_rate"] = "19"
    invoice["lines"] = [line]
    return payload


def unshaped(text: str) -> str:
    """Arabic presentation forms (the joined letters as drawn) back to letters; nothing else changed, so
    the full-width yen sign stays itself."""
    return ARABIC_FORMS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


@functools.cache
def rendered(locale: str, currency: str) -> bytes:
    return render_payload(golden_payload(locale, currency))


@functools.cache
def layout_text(locale: str, currency: str) -> str:
    """pdftotext's layout text, its bidi marks stripped."""
    return unshaped(BIDI_MARKS.sub("", pdf_text(rendered(locale, currency))))


@functools.cache
def reading(locale: str, currency: str) -> str:
    """What a reader reads: the layout text; on a right-to-left page each line in logical order."""
    if locale not in RTL_LOCALES:
        return layout_text(locale, currency)
    _, lines = page_words(rendered(locale, currency))
    return "\n".join(logical(line) for line in lines)


def printed(value: str) -> re.Pattern[str]:
    """``value`` as pdftotext prints it: a no-break space as one or two spaces, a narrow one as a space or
    nothing; not part of a longer number."""
    body = "".join(
        " {1,2}" if char == "\xa0" else " ?" if char == "\u202f" else re.escape(char) for char in value
    )
    return re.compile(rf"(?<![\d,.']){body}(?![\d,.']*\d)")


def shows(locale: str, currency: str, value: str) -> bool:
    return printed(value).search(reading(locale, currency)) is not None


def case_params() -> list[Any]:
    return [pytest.param(*case, id="-".join(case)) for case in CASES]


def test_every_locale_has_each_currency_and_a_date():
    assert {locale for locale, _ in CASES} == set(DATES)
    assert len(CASES) == 3 * len(DATES)


@pytest.mark.parametrize("currency", sorted(UNIT_PRICES))
def test_the_invoice_amounts_are_the_ones_worked_by_hand(currency):
    totals = build(golden_payload("de-DE", currency))[1].totals
    assert (totals.net, totals.payable) == (NET[currency], DUE[currency])


@pytest.mark.parametrize(("locale", "currency"), case_params())
def test_the_amount_due_is_printed_as_the_locale_writes_money(locale, currency):
    expected = GOLDEN[locale, currency][0]
    assert shows(locale, currency, expected), (expected, reading(locale, currency))


@pytest.mark.parametrize(("locale", "currency"), case_params())
def test_the_net_is_printed_with_the_locale_separators(locale, currency):
    expected = GOLDEN[locale, currency][1]
    # The line's unit price and net, the subtotal and the tax base: four times.
    text = reading(locale, currency)
    assert len(printed(expected).findall(text)) == 4, (expected, text)


@pytest.mark.parametrize(("locale", "currency"), case_params())
def test_the_issue_date_is_printed_in_the_locale_medium_form(locale, currency):
    assert shows(locale, currency, DATES[locale]), (DATES[locale], reading(locale, currency))


RTL_CASES = [pytest.param(*case, id="-".join(case)) for case in CASES if case[0] in RTL_LOCALES]


@pytest.mark.parametrize(("locale", "currency"), RTL_CASES)
def test_right_to_left_pages_print_every_number_left_to_right(locale, currency):
    text = layout_text(locale, currency)
    money, net = GOLDEN[locale, currency]
    for value in (money, net, DATES[locale]):
        for number in NUMBER.findall(value):
            digits = printed(number)
            assert digits.search(text), (number, text)
            if len(number) > 1:  # never drawn reversed, "987.654,321" for "123,456.789"
                assert not printed(number[::-1]).search(text), (number, text)


def test_the_golden_check_tells_locales_apart():
    # The German amount is not found on the Swiss page, nor the Swiss one on the German page.
    assert not shows("de-CH", "EUR", GOLDEN["de-DE", "EUR"][0])
    assert not shows("de-DE", "EUR", GOLDEN["de-CH", "EUR"][0])
    assert not shows("en-US", "EUR", GOLDEN["en-IN", "EUR"][0])
    assert not shows("en-US", "EUR", DATES["en-IN"])
