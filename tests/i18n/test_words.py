"""The amount in words: golden strings from the pinned num2words, and the combinations refused."""

import sys
import threading
from decimal import Decimal

import pytest

from invoices.document.currencies import CURRENCIES
from invoices.i18n.locales import LANGUAGES
from invoices.i18n.words import SUPPORT, WordsError, amount_in_words, words_problem


@pytest.mark.parametrize(
    ("language", "currency", "amount", "words"),
    [
        ("de", "EUR", "1250.50", "eintausendzweihundertfünfzig Euro und fünfzig Cent"),
        ("de", "USD", "1.01", "ein Dollar und ein Cent"),
        ("de", "EUR", "0.00", "null Euro und null Cent"),
        ("fr", "EUR", "1250.50", "mille deux cent cinquante euros et cinquante centimes"),
        ("fr", "USD", "21.21", "vingt et un dollars et vingt et un cents"),
        ("en", "USD", "1250.50", "one thousand, two hundred and fifty dollars, fifty cents"),
        ("en", "EUR", "1.01", "one euro, one cent"),
        ("es", "EUR", "1250.50", "mil doscientos cincuenta euros con cincuenta céntimos"),
        ("es", "USD", "21.01", "veintiún dólares con un centavo"),
        # JPY has no minor unit: num2words' "con cero sen" is cut off.
        ("es", "JPY", "1250", "mil doscientos cincuenta yenes"),
        ("es", "JPY", "1", "un yen"),
        ("it", "EUR", "1250.50", "milleduecentocinquanta euro e cinquanta centesimi"),
        ("nl", "EUR", "1250.50", "duizendtweehonderdvijftig euro, vijftig cent"),
        ("pl", "PLN", "1250.50", "tysiąc dwieście pięćdziesiąt złotych, pięćdziesiąt groszy"),
        ("pl", "EUR", "2.02", "dwa euro, dwa centy"),
        ("ja", "JPY", "1250", "千二百五十円"),
        ("ko", "KRW", "1250", "천이백오십원"),
        ("fi", "JPY", "1250", "tuhat kaksisataaviisikymmentä jeniä"),
        ("uk", "JPY", "21", "двадцять одна єна"),
        ("nb", "NOK", "1250.50", "en tusen to hundre og femti kroner og femti øre"),
        ("ar", "SAR", "1250.50", "ألف و مئتان و خمسون ريالاً و خمسون هللة"),
        # Below one riyal num2words leaves an "and" in front; the halalas alone are the amount.
        ("ar", "SAR", "0.05", "خمس هللات"),
        # Tunisian dinar: three decimals, which the Arabic converter writes itself.
        ("ar", "TND", "1250.505", "ألف و مئتان و خمسون ديناراً و خمسمائة و خمس مليمات"),
    ],
)
def test_golden_words(language, currency, amount, words):
    assert amount_in_words(Decimal(amount), CURRENCIES[currency], language) == words


@pytest.mark.parametrize(
    ("language", "currency", "named"),
    [
        ("en", "JPY", ["JPY can be written in: es, fi, uk, ja, ko", "'en', which writes AUD, BYN, CAD"]),
        ("de", "CNY", ["'de', which writes EUR, GBP, USD", "CNY can be written in: es, fi, it, uk."]),
        ("ar", "USD", ["'ar', which writes EGP, SAR, TND"]),
        ("ja", "EUR", ["'ja', which writes JPY"]),
        ("zh-hans", "CNY", ["in 'zh-hans'; it can in: de, en, es"]),
        ("cs", "CZK", ["in 'cs'; it can in:"]),
        ("da", "DKK", ["in 'da'; it can in:"]),
    ],
)
def test_refusals_say_what_is_available(language, currency, named):
    problem = words_problem(language, currency)

    assert problem is not None
    for text in named:
        assert text in problem
    with pytest.raises(WordsError) as refused:
        amount_in_words(Decimal(1), CURRENCIES[currency], language)
    assert str(refused.value) == problem


@pytest.mark.parametrize("currency", ["KWD", "BHD", "OMR", "JOD", "CLF"])
@pytest.mark.parametrize("language", ["en", "es", "uk", "ar", "de"])
def test_currencies_with_more_than_two_decimals_are_refused_as_num2words_rounds_them(language, currency):
    # num2words quantizes every amount to hundredths: 1.234 KWD would be written as 1.23.
    problem = words_problem(language, currency)

    assert problem is not None
    assert f"it has {CURRENCIES[currency].minor_units} decimals" in problem


def test_every_language_not_supported_is_refused_and_every_supported_one_is_a_catalog_language():
    assert set(SUPPORT) <= set(LANGUAGES)
    for language in LANGUAGES:
        assert (words_problem(language, "EUR") is None) == ("EUR" in SUPPORT.get(language, ("", ()))[1])


def test_unknown_currency_code():
    assert (
        words_problem("en", "XYZ")
        == "'XYZ' is not an ISO 4217 currency code, so its amount cannot be written in words."
    )


@pytest.mark.parametrize(("language", "words"), sorted((lang, spec[1]) for lang, spec in SUPPORT.items()))
def test_every_supported_combination_is_written_and_a_cent_changes_the_words(language, words):
    # Tried against the pinned num2words: nothing in SUPPORT raises, and the last minor unit is never lost.
    for code in sorted(words):
        currency = CURRENCIES[code]
        unit = Decimal(1).scaleb(-currency.minor_units)
        base = Decimal(1250)
        texts = {
            amount_in_words(amount, currency, language) for amount in (base, base + unit, base + 2 * unit)
        }
        assert len(texts) == 3, (language, code, texts)
        assert all(text and text == text.strip() and "\x1f" not in text for text in texts)


def test_never_rounds_nor_writes_a_sign():
    euro = CURRENCIES["EUR"]
    with pytest.raises(WordsError, match="more decimals than EUR's 2"):
        amount_in_words(Decimal("1.234"), euro, "de")
    with pytest.raises(WordsError, match="more decimals than JPY's 0"):
        amount_in_words(Decimal("1250.5"), CURRENCIES["JPY"], "ja")
    with pytest.raises(WordsError, match="negative"):
        amount_in_words(Decimal("-5.25"), euro, "de")
    # Fewer decimals than the currency has are the same amount: 1250.5 is 1250.50.
    assert amount_in_words(Decimal("1250.5"), euro, "de") == amount_in_words(Decimal("1250.50"), euro, "de")


def test_arabic_keeps_each_threads_currency():
    # The Arabic converter stores the currency it writes on a shared object; the lock keeps them apart.
    expected = {
        "EGP": amount_in_words(Decimal("3.00"), CURRENCIES["EGP"], "ar"),
        "SAR": amount_in_words(Decimal("3.00"), CURRENCIES["SAR"], "ar"),
    }
    seen: list[tuple[str, str]] = []

    def write(code: str) -> None:
        for _ in range(200):
            seen.append((code, amount_in_words(Decimal("3.00"), CURRENCIES[code], "ar")))

    # Switching threads every microsecond lands a switch inside a conversion on any machine.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    threads = [threading.Thread(target=write, args=(code,)) for code in ("EGP", "SAR", "EGP", "SAR")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)

    assert expected["EGP"] != expected["SAR"]
    assert {text for code, text in seen if text != expected[code]} == set()
