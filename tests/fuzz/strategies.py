"""Hypothesis strategies for invoice documents that the upload validation accepts, across the whole schema.

``valid_documents()`` draws request bodies (plain JSON values, amounts as strings) in the current format:
every ISO 4217 currency (zero-, two-, three- and four-decimal ones), text in any script (RTL, CJK, emoji,
combining marks, format characters) up to each field's length limit, from 1 line to ``MAX_LINES``, amounts
and quantities from 0 up to the ceiling with every allowed number of decimals, rates and discounts from 0 to
100 with up to 4 decimals, a language and a locale (``LOCALES``) that agree, and the amount in words only
where its language writes its currency. Amounts are drawn within a budget so the computed total stays under
the ceiling even at 100 % tax: almost every draw is valid, and the few that are not are rejected by the
caller.

``legacy_documents()`` draws the original service's flat format the same way.

The schemathesis run (tests/fuzz/test_api_schema*.py) uses the same strategy to send valid invoices that
reach the database, not only 400s.

The builders are cached (``@cache``): a strategy is an immutable value, and building one afresh (with new
``map`` and ``filter`` functions) makes Hypothesis check it again at its first draw. Built per line of a
1,000-line document, that check was most of the time the property tests spent drawing documents.
"""

import string
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import strategies as st

from invoices.document.adjustments import MAX_REASON_LENGTH
from invoices.document.bidi import neutralise_bidi
from invoices.document.code_lists import electronic_address_schemes
from invoices.document.codes import COUNTRY_CODES, EU_MEMBER_STATES
from invoices.document.currencies import CURRENCIES
from invoices.document.invisible import FORMAT_CHARACTERS, nfc, strip_invisible
from invoices.document.model import Currency
from invoices.document.parties import MAX_CITY_LENGTH
from invoices.document.validation import (
    LANGUAGES,
    MAX_ADDRESS_LINE_LENGTH,
    MAX_ADDRESS_LINES,
    MAX_BUYER_REFERENCE_LENGTH,
    MAX_CODE_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_INVOICE_NUMBER_LENGTH,
    MAX_LINES,
    MAX_NAME_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_PAYMENT_TERMS_LENGTH,
    MAX_PERCENT_DECIMALS,
    MAX_QUANTITY_DECIMALS,
    MAX_REFERENCE_LENGTH,
    MAX_SIGNIFICANT_DIGITS,
    MAX_TEXT_CHARACTERS,
    MAX_UNIT_PRICE_DECIMALS,
    max_amount,
)
from invoices.i18n.locales import DEFAULT_LANGUAGE, language_of, locale_tag, parse_locale
from invoices.i18n.words import words_problem

LEGACY_ADDRESS_LENGTH = MAX_ADDRESS_LINES * MAX_ADDRESS_LINE_LENGTH

# Scripts a real invoice carries, and the characters renderers trip over: right-to-left Arabic and Hebrew
# (with a right-to-left mark), CJK, Hangul, emoji beyond the BMP, combining marks, a zero-width joiner,
# markup and spreadsheet formula prefixes.
SAMPLES = (
    "فاتورة ضريبية",
    "שירותי ענן",
    "\u200fعميل\u200f",
    "云服务器 高级版",
    "請求書 株式会社",
    "클라우드 서버",
    "Ελληνικά και Кириллица",
    "🧾💶🇪🇺👩‍💻",
    "e\u0301\u0302 Zalgo̴̡̢",
    "<b>&amp;</b> <img src=x>",
    "=1+2",
    "@SUM(A1)",
    "-3",
    "ﷺ ﷽",
    "\U0001f600" * 3,
)
ASCII = string.ascii_letters + string.digits + " .,-/#&'()"

# Text without control characters, lone surrogates or U+FFFE/U+FFFF (clean_text refuses those).
_ANY_CHARACTER = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs"),
    exclude_characters="\ufffe\uffff\u2028\u2029",
)
_MULTILINE_CHARACTER = st.one_of(_ANY_CHARACTER, st.sampled_from("\n\t\u2028\u2029"))
# The invoice number must also be printable (str.isprintable: no separators but the space, no format
# characters, nothing unassigned).
_PRINTABLE_CHARACTER = _ANY_CHARACTER.filter(str.isprintable)


def _fit(text: str, max_length: int) -> str:
    fitted = text.strip()[:max_length].strip()
    # The limits count the text in NFC, which is longer for a few characters (U+0958 is two in NFC).
    return fitted if len(nfc(fitted)) <= max_length else nfc(fitted)[:max_length].strip()


@cache
def texts(max_length: int, *, required: bool = False, multiline: bool = False) -> st.SearchStrategy[str]:
    """Text in any script up to ``max_length`` characters after stripping; never blank when required, even
    once validation has removed its bidirectional embeddings, overrides and isolates and its invisible
    format characters (free text keeps the rest; invoices/document/bidi.py and invisible.py)."""
    alphabet = _MULTILINE_CHARACTER if multiline else _ANY_CHARACTER
    pieces = st.one_of(
        st.text(alphabet, max_size=min(max_length, 60)),
        st.sampled_from(SAMPLES),
        st.text(st.sampled_from(ASCII), max_size=30),
        # The longest allowed text, in a wide script: the renderers must wrap it, not overflow.
        st.sampled_from(["W", "界", "ش", "😀", "A "]).map(lambda c: (c * max_length)[:max_length]),
    )
    strategy = st.lists(pieces, min_size=1, max_size=3).map(lambda parts: _fit(" ".join(parts), max_length))
    if not required:
        return strategy
    return strategy.filter(lambda text: bool(strip_invisible(neutralise_bidi(nfc(text))).strip()))


@cache
def codes(max_length: int) -> st.SearchStrategy[str]:
    """Text in any script as ``texts``, without the format characters (Unicode's Cf: the bidirectional
    controls, U+200B, ...), which codes refuse."""
    return texts(max_length).map(lambda text: _fit(FORMAT_CHARACTERS.sub("", text), max_length))


# Valid identifiers (python-stdnum agrees), written the ways clients write them: compact, grouped, lower case.
IBANS = (
    "DE89 3704 0044 0532 0130 00", "FR7630006000011234567890189", "GB82WEST12345698765432",
    "nl91abna0417164300", "CH93 0076 2011 6238 5295 7", "NO9386011117947", "MT84MALT011000012345MTLCAST001S",
    "SA0380000000608010167519", "BR1800360305000010009795493C1", "ES91 2100 0418 4502 0005 1332",
)  # fmt: skip
# Locale tags the validation accepts, in the spellings clients send: a language alone, with a region, with a
# script, with an underscore, in any case.
LOCALES = (
    "de", "de-DE", "de-CH", "de-AT", "fr-FR", "fr-CH", "fr-CA", "en-US", "en-GB", "en-IN", "EN_us", "it-CH",
    "ja-JP", "ko-KR", "zh-Hans-CN", "zh-Hant-TW", "zh-TW", "ar-EG", "ar-SA", "he-IL", "fa-IR", "ur-PK",
    "hi-IN", "pl-PL", "nb-NO", "no", "pt-BR", "es-MX", "tr-TR", "uk-UA", "ga-IE", "mt-MT",
)  # fmt: skip
BICS = ("AGRIFRPP", "DEUTDEFF500", "COBADEFFXXX", "abnanl2a", "UBSWCHZH80A", "BNPA FR PP XXX")
# (country, tax id): EU VAT numbers, with and without their prefix, and tax ids from outside the EU.
TAX_IDS = (
    ("DE", "DE136695976"), ("DE", "136 695 976"), ("FR", "FR40303265045"), ("GR", "EL094259216"),
    ("NL", "NL004495445B01"), ("BE", "BE 0403.019.261"), ("AT", "ATU13585627"), ("ES", "ESB12345674"),
    ("IT", "IT00743110157"), ("PL", "PL8567346215"), ("SE", "SE556188840401"), ("IE", "IE6433435F"),
    ("GB", "XI123456782"), ("GB", "GB 123 4567 89"), ("US", "12-3456789"), ("CH", "CHE-123.456.789 MWST"),
    ("JP", "T1234567890123"), ("BR", "12.345.678/0001-95"), ("MX", "ATX010101AB1"), ("IN", "27AAPFU0939F1ZV"),
)  # fmt: skip
_NON_EU = sorted(COUNTRY_CODES - EU_MEMBER_STATES)
# VAT identifiers with their prefix, as vat_id takes them (any party, any country).
VAT_IDS = (
    "DE136695976", "FR 40 303 265 045", "EL094259216", "NL004495445B01", "BE0403019261", "ATU13585627",
    "XI123456782", "GB123456789", "CHE-123.456.789 MWST", "NO123456789MVA",
)  # fmt: skip


@cache
def invoice_numbers() -> st.SearchStrategy[str]:
    return (
        st.one_of(
            st.from_regex(r"INV-[0-9]{4}-[0-9]{1,8}", fullmatch=True),
            st.text(_PRINTABLE_CHARACTER, min_size=1, max_size=MAX_INVOICE_NUMBER_LENGTH),
            st.just("N" * MAX_INVOICE_NUMBER_LENGTH),
            st.sampled_from(['A"B\\C/D', "../../etc/passwd", "=HYPERLINK()", "请求书-٣"]),
        )
        .map(lambda text: _fit(text, MAX_INVOICE_NUMBER_LENGTH))
        .filter(bool)
    )


def _valid_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return len(text) <= MAX_EMAIL_LENGTH


@cache
def emails() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        st.from_regex(r"[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\.(com|example|de|xn--p1ai)", fullmatch=True),
        st.just("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + ".example"),
    ).filter(lambda text: text == "" or _valid_email(text))


@cache
def _country_and_tax_id() -> st.SearchStrategy[dict[str, str]]:
    """A country with a tax id valid there, a country alone (any assigned code), or a tax id alone."""
    return st.one_of(
        st.sampled_from(TAX_IDS).map(lambda pair: {"country": pair[0], "tax_id": pair[1]}),
        st.sampled_from(sorted(COUNTRY_CODES)).map(lambda code: {"country": code}),
        # Without a country an EU prefix makes it a VAT number: "ATX010101AB1" (a Mexican RFC) is not one.
        st.sampled_from([tax_id for country, tax_id in TAX_IDS if country != "MX"]).map(
            lambda tax_id: {"tax_id": tax_id}
        ),
        # Starting with a digit: never an EU VAT prefix.
        st.tuples(st.sampled_from(_NON_EU), st.from_regex(r"[0-9][A-Z0-9 ./-]{0,20}", fullmatch=True)).map(
            lambda pair: {"country": pair[0], "tax_id": pair[1].strip()}
        ),
        st.just({}),
    )


@cache
def structured_addresses() -> st.SearchStrategy[dict[str, Any]]:
    """The structured address (the party's country stays on the party, so the two never disagree)."""
    return st.fixed_dictionaries(
        {},
        optional={
            "lines": st.lists(texts(MAX_ADDRESS_LINE_LENGTH), max_size=MAX_ADDRESS_LINES),
            "city": texts(MAX_CITY_LENGTH),
            "postal_code": codes(MAX_CODE_LENGTH),
            "country_subdivision": texts(MAX_CITY_LENGTH),
        },
    )


@cache
def parties() -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        "address": st.one_of(
            st.lists(texts(MAX_ADDRESS_LINE_LENGTH), max_size=MAX_ADDRESS_LINES), structured_addresses()
        ),
        "email": emails(),
        "phone": codes(MAX_CODE_LENGTH),
        "vat_id": st.sampled_from(VAT_IDS),
        "legal_id": codes(MAX_CODE_LENGTH),
        "electronic_address": st.fixed_dictionaries(
            {"scheme": st.sampled_from(sorted(electronic_address_schemes())), "id": codes(64).filter(bool)}
        ),
        "contact": st.fixed_dictionaries(
            {}, optional={"name": texts(MAX_NAME_LENGTH), "phone": codes(MAX_CODE_LENGTH), "email": emails()}
        ),
    }
    party = st.fixed_dictionaries({"name": texts(MAX_NAME_LENGTH, required=True)}, optional=optional)
    return st.tuples(party, _country_and_tax_id()).map(lambda pair: pair[0] | pair[1])


@cache
def decimals_upto(maximum: Decimal, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals from 0 to ``maximum`` with 0 to ``places`` decimals and at most 15 significant digits.

    Drawn as an integer mantissa and a scale, so the boundaries (0, the ceiling, the longest mantissa)
    come up often: Hypothesis favours the ends of an integer range."""

    @st.composite
    def draw(draw_: st.DrawFn) -> Decimal:
        scale = draw_(st.integers(0, places))
        top = min(10**MAX_SIGNIFICANT_DIGITS - 1, int(maximum.scaleb(scale)))
        return Decimal(draw_(st.integers(0, top))).scaleb(-scale)

    return draw()


def number_texts(value: Decimal) -> st.SearchStrategy[Any]:
    """A valid number in the ways a client may write it: plain, with trailing zeros, or a JSON integer."""
    plain = f"{value:f}"
    forms: list[st.SearchStrategy[Any]] = [st.just(plain)]
    if value == value.to_integral_value():
        forms.append(st.just(int(value)))
    else:
        forms.append(st.just(plain + "0"))
    return st.one_of(forms)


@cache
def percents() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.sampled_from([Decimal(0), Decimal(100), Decimal("99.9999"), Decimal("0.0001"), Decimal("5.5")]),
        decimals_upto(Decimal(100), MAX_PERCENT_DECIMALS),
    )


@st.composite
def lines(draw: st.DrawFn, currency: Currency, count: int) -> list[dict[str, Any]]:
    """``count`` lines (a few distinct ones, repeated), each within its share of the ceiling."""
    # Gross may be twice the net (100 % tax); one share is kept for shipping.
    share = max_amount(currency) / (2 * (count + 1))
    lengths = _text_lengths(count)
    distinct = [draw(_line(currency, share, lengths)) for _ in range(draw(st.integers(1, min(count, 3))))]
    return [distinct[index % len(distinct)] for index in range(count)]


# What the lines may hold of MAX_TEXT_CHARACTERS: the rest of an invoice's text (names, addresses, notes,
# payment terms, codes, document-level reasons) is kept under 30,000 characters.
_LINES_TEXT = MAX_TEXT_CHARACTERS - 30_000


@dataclass(frozen=True)
class _TextLengths:
    """The longest texts one of ``count`` lines may have, all of them together within its share of the
    lines' text budget: at 1,000 lines the SKU, unit and four reasons at their own limits alone (928
    characters a line) would be four times the budget."""

    description: int
    code: int  # SKU and unit
    reason: int  # each of the line's two allowances and two charges


def _text_lengths(count: int) -> _TextLengths:
    per_line = _LINES_TEXT // count
    code = min(MAX_CODE_LENGTH, max(1, per_line // 10))
    reason = min(MAX_REASON_LENGTH, max(1, per_line // 10))
    # What is left of the share once the other texts are at their own limits: long descriptions only where
    # the lines are few (a 200-line invoice of 400-character descriptions costs the render, not the test).
    description = max(1, min(MAX_DESCRIPTION_LENGTH, per_line - 2 * MAX_CODE_LENGTH - 4 * MAX_REASON_LENGTH))
    return _TextLengths(description=description, code=code, reason=reason)


@st.composite
def _line(draw: st.DrawFn, currency: Currency, share: Decimal, lengths: _TextLengths) -> dict[str, Any]:
    quantity = draw(decimals_upto(min(share, max_amount(currency)), MAX_QUANTITY_DECIMALS))
    price_ceiling = share / quantity if quantity else max_amount(currency)
    unit_price = draw(decimals_upto(min(price_ceiling, max_amount(currency)), MAX_UNIT_PRICE_DECIMALS))
    line: dict[str, Any] = {
        "description": draw(texts(lengths.description, required=True, multiline=True)),
        "quantity": draw(number_texts(quantity)),
        "unit_price": draw(number_texts(unit_price)),
    }
    optional = {
        "sku": codes(lengths.code),
        "unit": st.one_of(texts(lengths.code), st.sampled_from(["C62", "HUR", "KGM", "DAY", "LTR"])),
        "discount_percent": percents().flatmap(number_texts),
        "price_base_quantity": st.sampled_from(["1", "10", "100", "0.5", "12"]),
        # Percentages of the line's gross, two of at most 33 %: never more than the line is worth.
        "allowances": st.lists(_line_adjustment(allowance=True, reason_length=lengths.reason), max_size=2),
        "charges": st.lists(
            _line_adjustment(
                allowance=False, amount=share / 4, currency=currency, reason_length=lengths.reason
            ),
            max_size=2,
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            line[key] = draw(strategy)
    if "discount_percent" in line and line.get("allowances"):
        del line["discount_percent"]  # with two 50 % allowances it could take more than the line's worth
    line.update(draw(_tax(allow_missing=True)))
    return line


@st.composite
def _tax(draw: st.DrawFn, *, allow_missing: bool = False) -> dict[str, Any]:
    """A rate with a category that goes with it: S above 0 %, the zero-rate categories at 0 % (with their
    reason where E needs one), L and M at any rate; or no category (the default for the rate)."""
    rate = draw(percents())
    if rate == 0:
        category = draw(st.sampled_from(["", "Z", "E", "AE", "K", "G", "O", "L", "M"]))
    else:
        category = draw(st.sampled_from(["", "S", "L", "M"]))
    tax: dict[str, Any] = {}
    if rate or not allow_missing or draw(st.booleans()):
        tax["tax_rate"] = draw(number_texts(rate))
    if category:
        tax["tax_category"] = category
    if category == "E":
        # Every exempt line gives the same reason: one VAT breakdown has one (and a differing one is a 400).
        tax["exemption_reason_code"] = "VATEX-EU-132-1C"
    return tax


@cache
def _line_adjustment(
    *,
    allowance: bool,
    amount: Decimal = Decimal(0),
    currency: Currency | None = None,
    reason_length: int = MAX_REASON_LENGTH,
) -> st.SearchStrategy[dict[str, Any]]:
    reason = {"reason": texts(reason_length, required=True)}
    code = st.sampled_from(["95", "100", "41"] if allowance else ["FC", "ABL", "AAA"])
    if allowance:
        # At most a third each: two allowances, each rounded to the currency, never come to more than the
        # line (two of 50 % of 0.01 round to 0.01 each, 0.02 of a 0.01 line, which validation refuses).
        size = {"percent": decimals_upto(Decimal(33), MAX_PERCENT_DECIMALS).flatmap(number_texts)}
    else:
        assert currency is not None
        size = {"amount": decimals_upto(amount, currency.minor_units).flatmap(number_texts)}
    return st.one_of(
        st.fixed_dictionaries({**size, **reason}),
        st.fixed_dictionaries({**size, "reason_code": code}),
    )


@cache
def line_counts() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(1, 5), st.sampled_from([20, 200, MAX_LINES]))


@cache
def dates() -> st.SearchStrategy[date]:
    return st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@st.composite
def valid_documents(draw: st.DrawFn, *, count: st.SearchStrategy[int] | None = None) -> dict[str, Any]:
    """A request body in the current format that the upload validation accepts (see the module doc)."""
    currency = CURRENCIES[draw(st.sampled_from(sorted(CURRENCIES)))]
    issue = draw(dates())
    invoice: dict[str, Any] = {
        "number": draw(invoice_numbers()),
        "issue_date": issue.isoformat(),
        "currency": currency.code,
        "seller": draw(parties()),
        "buyer": draw(parties()),
        "lines": draw(lines(currency, draw(count if count is not None else line_counts()))),
    }
    due_days = draw(st.none() | st.integers(0, (date.max - issue).days))
    if due_days is not None:
        invoice["due_date"] = (issue + timedelta(days=due_days)).isoformat()
    share = max_amount(currency) / (2 * (len(invoice["lines"]) + 1))
    optional = {
        "language": st.sampled_from([*LANGUAGES, *(code.upper() for code in LANGUAGES)]),
        "ship_to": parties(),
        "shipping": st.fixed_dictionaries(
            {"amount": decimals_upto(share, currency.minor_units).flatmap(number_texts)},
            optional={"tax_rate": percents().flatmap(number_texts)},
        ),
        # Charges only: an allowance could exceed what its VAT group holds, which is a 400.
        "charges": st.lists(
            st.tuples(_line_adjustment(allowance=False, amount=share / 4, currency=currency), _tax()).map(
                lambda pair: pair[0] | _without_exemption(pair[1])
            ),
            max_size=2,
        ),
        "type": st.just("invoice"),
        "buyer_reference": codes(MAX_BUYER_REFERENCE_LENGTH),
        "order_reference": codes(MAX_BUYER_REFERENCE_LENGTH),
        "delivery_date": dates().map(date.isoformat),
        "notes": texts(MAX_NOTES_LENGTH, multiline=True),
        "payment_terms": texts(MAX_PAYMENT_TERMS_LENGTH, multiline=True),
        "payment": st.fixed_dictionaries(
            {},
            optional={
                "iban": st.sampled_from(IBANS),
                "bic": st.sampled_from(BICS),
                "reference": codes(MAX_REFERENCE_LENGTH),
                "means_code": st.sampled_from(["58", "30", "59", "1", "ZZZ"]),
                "account_name": texts(MAX_NAME_LENGTH),
            },
        ),
        "rounding_amount": st.sampled_from(["0", "1", "-0"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            invoice[key] = draw(strategy)
    _locale_and_words(draw, invoice, currency)
    body: dict[str, Any] = {"invoice": invoice}
    human = ["pdf", "xlsx", "excel", "csv", "PDF", "Excel"]  # the XML formats need more of the document
    if draw(st.booleans()):
        body["format"] = draw(st.sampled_from(human))
    elif draw(st.booleans()):
        body["formats"] = draw(
            st.lists(st.sampled_from(["pdf", "xlsx", "csv"]), min_size=1, max_size=3, unique=True)
        )
    if draw(st.booleans()):
        body["page_size"] = draw(st.sampled_from(["A4", "letter", "a4", "LETTER"]))
    return body


def _locale_and_words(draw: st.DrawFn, invoice: dict[str, Any], currency: Currency) -> None:
    """Maybe a locale (one of the language drawn, if any: another is a 400), and ``amount_in_words`` when
    the invoice's language writes its currency in words (``words_problem``), else maybe false."""
    named = invoice.get("language", "").lower()
    fitting = [tag for tag in LOCALES if not named or language_of(locale_tag(parse_locale(tag))) == named]
    if draw(st.booleans()) and fitting:
        invoice["locale"] = draw(st.sampled_from(fitting))
    if "locale" in invoice:
        language = language_of(locale_tag(parse_locale(invoice["locale"])))
    else:
        language = named or DEFAULT_LANGUAGE  # no account default: the API's uploads pass none
    writable = words_problem(language, currency.code) is None
    if draw(st.booleans()):
        invoice["amount_in_words"] = draw(st.booleans()) if writable else False


def _without_exemption(tax: dict[str, Any]) -> dict[str, Any]:
    # A document charge carries no exemption reason of its own (its VAT group takes the lines'), and an
    # exempt (E) charge needs an E line to take it from: drawn as zero rated instead.
    tax = {key: value for key, value in tax.items() if key != "exemption_reason_code"}
    if tax.get("tax_category") == "E":
        tax["tax_category"] = "Z"
    return tax


def _address_text(parts: list[str]) -> str:
    # The original format's address is one string whose ", "-separated parts are printed one per line.
    kept = [text for text in (part.replace(",", " ").strip() for part in parts) if text]
    return ", ".join(kept)[:LEGACY_ADDRESS_LENGTH].strip(" ,")


@cache
def legacy_addresses() -> st.SearchStrategy[str]:
    return st.lists(texts(MAX_ADDRESS_LINE_LENGTH), max_size=MAX_ADDRESS_LINES).map(_address_text)


@st.composite
def legacy_documents(draw: st.DrawFn, *, count: st.SearchStrategy[int] | None = None) -> dict[str, Any]:
    """A body in the original service's flat format (invoices/document/legacy.py) that validation accepts."""
    currency = CURRENCIES[draw(st.sampled_from(sorted(CURRENCIES)))]
    items = [
        {"description": line["description"], "qty": line["quantity"], "unit_price": line["unit_price"]}
        for line in draw(lines(currency, draw(line_counts() if count is None else count)))
    ]
    item_ids = st.one_of(codes(MAX_CODE_LENGTH), st.integers(0, 10**MAX_CODE_LENGTH - 1))
    for item in items:
        if draw(st.booleans()):
            item["id"] = draw(item_ids)
    body: dict[str, Any] = {
        "invoice_no": draw(invoice_numbers()),
        "date": draw(dates()).isoformat(),
        "company_name": draw(texts(MAX_NAME_LENGTH, required=True)),
        "bill_to_name": draw(texts(MAX_NAME_LENGTH, required=True)),
        "currency": currency.code,
        "items": items,
    }
    optional = {
        "company_address": legacy_addresses(),
        "company_phone": codes(MAX_CODE_LENGTH),
        "bill_to_company": texts(MAX_NAME_LENGTH),
        "bill_to_address": legacy_addresses(),
        "ship_to_name": texts(MAX_NAME_LENGTH),
        "ship_to_company": texts(MAX_NAME_LENGTH),
        "ship_to_address": legacy_addresses(),
        "tax_rate": percents().flatmap(number_texts),
        "format": st.sampled_from(["pdf", "xlsx", "excel", "csv", "PDF"]),
        "page_size": st.sampled_from(["A4", "letter"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    return body
