"""Request validation: a JSON request body becomes ``RenderOptions`` and a computed, checked ``Document``.

``read_request(payload, *, default_format=None)`` is the one entry point. The readers and rules below are
shared with ``legacy.py`` (the original flat format). The limits, and ``max_amount`` (the ceiling for a
currency), are public because the OpenAPI description and the render command quote them.

Every error in the body is reported at once, each under the path of its field (``invoice.lines[3].quantity``).
Unknown fields are errors too, so a misspelt optional field is never silently ignored. Numbers arrive as
strings, ``Decimal`` (JSON parsed with ``parse_float=Decimal``) or ``int``; a ``float`` is refused because it
has already lost the exact decimal value.

Limits (the README quotes these):

- ``MAX_LINES`` = 1,000 line items per invoice.
- ``MAX_AMOUNT`` = 1,000,000,000,000: the ceiling for every amount and quantity sent, for each line's
  quantity x unit price, and for the computed invoice total. For the two currencies with 4 minor units
  (CLF, UYW) the ceiling is 100,000,000,000. Every number has at most ``MAX_SIGNIFICANT_DIGITS`` = 15
  significant digits. Together these keep every amount exact in a spreadsheet cell (an IEEE double holds
  15 significant digits) and keep all money arithmetic exact in Decimal's default 28-digit context.
- Decimal places: quantity and unit_price 6, tax_rate and discount_percent 4 (both 0 to 100), shipping and
  totals the currency's minor units (EUR 2, JPY 0, KWD 3). Negative numbers are refused: corrections are
  credit notes, a later feature.
- Text lengths in characters: invoice number 64 (printable characters only); party name 200; address
  10 lines of 200; line description 1,000; notes 2,000; payment terms 500; SKU, unit, tax id, phone, IBAN
  and BIC 64; email 254; payment reference 140 (the SEPA remittance limit).
- ``MAX_TEXT_CHARACTERS`` = 200,000: the sum of the lengths of every text field of one invoice. Each field
  within its own limit still adds up: 1,000 lines of 1,000-character descriptions took 27 s of CPU and made
  a 2,004-page PDF. 200,000 characters is 200 such lines, or 1,000 lines of 200 characters.
- Text may not contain control characters; only description, notes and payment terms may contain newlines
  and tabs. Codes (invoice number, SKU, tax id, phone, email, IBAN, BIC, reference, country) may not
  contain bidirectional controls; free text loses its embeddings, overrides and isolates (``bidi.py``).
- ``currency``: an ISO 4217 code from ``currencies.py``; ``language``: one of ``LANGUAGES``; ``country``:
  an assigned ISO 3166-1 alpha-2 code in capitals; ``iban`` (ISO 13616) and ``bic`` (ISO 9362) with valid
  check digits and formats, stored compact; ``tax_id`` an EU VAT number with valid check digits for a party
  in the EU (``codes.py``); dates ``YYYY-MM-DD`` with due_date on or after issue_date.
"""

import re
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple, TypeGuard

from invoices.document.adjustments import (
    EXEMPT_CATEGORIES,
    read_adjustments,
    read_exemption,
    read_tax_category,
)
from invoices.document.code_lists import payment_means, units
from invoices.document.codes import check_bic, check_iban
from invoices.document.currencies import CURRENCIES, MAX_MINOR_UNITS, find_currency
from invoices.document.errors import DocumentInvalid, ErrorCollector
from invoices.document.fields import NumberRule, ObjectReader, item_path, shown, to_decimal
from invoices.document.model import (
    E_INVOICE_FORMATS,
    Adjustment,
    CiiProfile,
    ClaimedTotals,
    Currency,
    Document,
    DocumentType,
    InvoiceData,
    InvoiceReference,
    Line,
    OutputFormat,
    PageSize,
    Party,
    Payment,
    Period,
    RenderOptions,
    UblProfile,
)
from invoices.document.money import compute_document
from invoices.document.parties import MAX_ADDRESS_LINE_LENGTH as MAX_ADDRESS_LINE_LENGTH  # re-exported
from invoices.document.parties import MAX_ADDRESS_LINES as MAX_ADDRESS_LINES
from invoices.document.parties import MAX_CODE_LENGTH, MAX_NAME_LENGTH, read_party
from invoices.document.parties import MAX_EMAIL_LENGTH as MAX_EMAIL_LENGTH
from invoices.i18n.locales import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    MAX_TAG_LENGTH,
    LocaleError,
    catalog_language,
    default_locale,
    language_of,
    locale_tag,
    parse_locale,
)
from invoices.i18n.words import words_problem

MAX_LINES = 1_000
MAX_AMOUNT = Decimal(10**12)
MAX_SIGNIFICANT_DIGITS = 15
MAX_QUANTITY_DECIMALS = 6
MAX_UNIT_PRICE_DECIMALS = 6
MAX_PERCENT_DECIMALS = 4
MAX_INVOICE_NUMBER_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 1_000
MAX_NOTES_LENGTH = 2_000
MAX_PAYMENT_TERMS_LENGTH = 500
MAX_REFERENCE_LENGTH = 140
MAX_BUYER_REFERENCE_LENGTH = 200
MAX_LOCALE_LENGTH = MAX_TAG_LENGTH
# EN 16931 amounts carry at most two decimals (BR-DEC-*): an invoice with an e-invoice rendition is computed
# at that precision in every rendition, so a KWD invoice's PDF and UBL show the same (2-decimal) amounts.
E_INVOICE_MAX_DECIMALS = 2
MAX_ROUNDING_AMOUNT = Decimal(1)
MAX_TEXT_CHARACTERS = 200_000

FORMATS: dict[str, OutputFormat] = {
    "pdf": "pdf", "xlsx": "xlsx", "excel": "xlsx", "csv": "csv", "ubl": "ubl", "cii": "cii",
    "facturx": "facturx", "factur-x": "facturx", "zugferd": "facturx",
}  # fmt: skip
FORMAT_HINT = "pdf, xlsx (or its synonym excel), csv, ubl, cii, facturx"
UBL_PROFILES: dict[str, UblProfile] = {"peppol": "peppol", "xrechnung": "xrechnung"}
CII_PROFILES: dict[str, CiiProfile] = {
    "factur-x": "factur-x",
    "facturx": "factur-x",
    "xrechnung": "xrechnung",
}
DOCUMENT_TYPES: dict[str, DocumentType] = {"invoice": "invoice", "credit_note": "credit_note"}
PAGE_SIZES: dict[str, PageSize] = {"a4": "A4", "letter": "letter"}
# Other spellings of a catalog language a client may send: "no" is Norwegian Bokmål, Chinese without a
# script is simplified, "iw" is Hebrew's old code.
_LANGUAGE_ALIASES = {"no": "nb", "zh": "zh-hans", "iw": "he", "zh-cn": "zh-hans", "zh-tw": "zh-hant"}

QUANTITY = NumberRule(MAX_QUANTITY_DECIMALS, MAX_AMOUNT, MAX_SIGNIFICANT_DIGITS, strip_zeros=True)
PERCENT = NumberRule(MAX_PERCENT_DECIMALS, Decimal(100), MAX_SIGNIFICANT_DIGITS, strip_zeros=True)
# Stands in for a missing or unknown currency so the rest of the payload can still be checked.
NO_CURRENCY = Currency("XXX", 2)
NO_DATE = date(1, 1, 1)
ZERO = Decimal(0)
# The number a body naming a series reads with until the series gives it one, in the issuing transaction
# (invoices/numbering.py): as long as the longest number a pattern makes, so the text budget counts it.
SERIES_PLACEHOLDER = "0" * MAX_INVOICE_NUMBER_LENGTH
MAX_SERIES_CODE_LENGTH = 32  # NumberSeries.code
MAX_BRAND_REFERENCE_LENGTH = 100  # a brand's id or name (Brand.name)
SHIPPING_REASON = "Shipping"
DISCOUNT_REASON = "Discount"  # the renderers print their own translated label for it

TOP_FIELDS = ("format", "formats", "page_size", "ubl_profile", "cii_profile", "brand", "invoice")
INVOICE_FIELDS = (
    "type", "number", "series", "issue_date", "due_date", "currency", "language", "locale", "amount_in_words",
    "preceding_invoice",
    "buyer_reference", "order_reference", "delivery_date", "billing_period", "seller", "buyer", "ship_to",
    "lines", "shipping", "allowances", "charges", "prepaid_amount", "rounding_amount", "notes",
    "payment_terms", "payment", "totals",
)  # fmt: skip
LINE_FIELDS = (
    "sku", "description", "quantity", "unit", "unit_price", "price_base_quantity", "tax_rate", "tax_category",
    "exemption_reason", "exemption_reason_code", "discount_percent", "allowances", "charges",
)  # fmt: skip
CHARGE_FIELDS = ("amount", "tax_rate", "tax_category")
PAYMENT_FIELDS = ("iban", "bic", "reference", "means_code", "account_name")
PRECEDING_FIELDS = ("number", "issue_date", "id")
PERIOD_FIELDS = ("start", "end")
TOTALS_FIELDS = ("line_total", "allowances", "charges", "net", "tax", "gross", "payable")


class TotalPaths(NamedTuple):
    """Where errors about computed amounts (and the text budget, under ``lines``) are reported; the legacy
    format has its own field names, and sends none of the totals that have defaults here."""

    lines: str
    net: str
    tax: str
    gross: str
    line_total: str = "invoice.totals.line_total"
    allowances: str = "invoice.totals.allowances"
    charges: str = "invoice.totals.charges"
    payable: str = "invoice.totals.payable"


TOTAL_PATHS = TotalPaths("invoice.lines", "invoice.totals.net", "invoice.totals.tax", "invoice.totals.gross")


def read_request(
    payload: object,
    *,
    default_format: str | None = None,
    default_locale: str | None = None,
    assigned_number: str | None = None,
) -> tuple[RenderOptions, Document]:
    """Validate a request body (current or legacy format), compute the invoice and check the totals the
    client sent; raise ``DocumentInvalid`` listing every error.

    ``payload`` is JSON parsed with Decimal numbers (``invoices.document.jsonio.loads_document_json``).
    ``default_format`` applies when the body names no format (the legacy ``/upload?format=`` contract).
    ``default_locale`` is the account's default locale, for an invoice that names neither a language nor a
    locale. ``assigned_number`` is the number a series gave an issued invoice whose body names a ``series``
    instead of a number; before it is assigned, such a body reads with ``SERIES_PLACEHOLDER``.
    """
    errors = ErrorCollector()
    if _is_legacy(payload):
        # Imported here because legacy.py imports this module's limits and readers.
        from invoices.document.legacy import TOTAL_PATHS as LEGACY_PATHS
        from invoices.document.legacy import read_legacy

        options, data = read_legacy(errors, payload, default_format)
        paths = LEGACY_PATHS
        _refuse_e_invoices_in_legacy(errors, options)
    else:
        options, data = _read_current(errors, payload, default_format, assigned_number)
        paths = TOTAL_PATHS
    data = _resolve_locale(errors, data, default_locale)
    check_text_budget(errors, data, paths.lines)
    _check_exemptions(errors, data)
    errors.raise_if_any()
    document = compute_document(data)
    _check_amounts(errors, document)
    _check_totals(errors, document, paths)
    _check_amount_in_words(errors, document)
    errors.raise_if_any()
    for fmt in options.formats:
        _check_format(errors, payload, document, replace(options, format=fmt))
    errors.raise_if_any()
    return options, document


def _refuse_e_invoices_in_legacy(errors: ErrorCollector, options: RenderOptions) -> None:
    wanted = [fmt for fmt in options.formats if fmt in E_INVOICE_FORMATS]
    if options.format in E_INVOICE_FORMATS and options.format not in wanted:
        wanted.append(options.format)
    if wanted:
        errors.add(
            "format",
            f"The original flat format has no fields for what {', '.join(wanted)} needs (city, postal code, "
            'VAT identifiers, electronic addresses): send the invoice document (an "invoice" object).',
        )


def _check_format(
    errors: ErrorCollector, payload: object, document: Document, options: RenderOptions
) -> None:
    """What the e-invoice format ``options.format`` needs that the document lacks (``invoices.einvoice``)."""
    if options.format not in E_INVOICE_FORMATS:
        return
    # Imported here: only e-invoice requests pay for loading the format rules.
    from invoices.einvoice.requirements import einvoice_problems

    for path, message in einvoice_problems(document.data, options.format, options):
        errors.add(_json_path(path, payload), message)


def _json_path(path: str, payload: object) -> str:
    """The request's path for a path into ``InvoiceData``: ``shipping`` is the first of the document's
    charges there, and a line's ``discount_percent`` the first of its allowances."""
    invoice = payload.get("invoice") if isinstance(payload, dict) else None
    if not isinstance(invoice, dict):
        return path
    charge = re.match(r"invoice\.charges\[(\d+)\](.*)", path, re.S)
    if charge and invoice.get("shipping") is not None:
        index, rest = int(charge.group(1)), charge.group(2)
        return f"invoice.shipping{rest}" if index == 0 else f"invoice.charges[{index - 1}]{rest}"
    allowance = re.match(r"invoice\.lines\[(\d+)\]\.allowances\[(\d+)\](.*)", path, re.S)
    lines = invoice.get("lines")
    if allowance and isinstance(lines, list):
        line_no, index, rest = (int(allowance.group(1)), int(allowance.group(2)), allowance.group(3))
        line = lines[line_no] if line_no < len(lines) and isinstance(lines[line_no], dict) else {}
        if _has_discount(line):
            prefix = f"invoice.lines[{line_no}]"
            return f"{prefix}.discount_percent" if index == 0 else f"{prefix}.allowances[{index - 1}]{rest}"
    return path


def _has_discount(line: dict[str, object]) -> bool:
    """Whether validation made an allowance of this line's ``discount_percent`` (it does for any value
    above 0, and the line has already been read without error)."""
    value = to_decimal(line.get("discount_percent"))
    return isinstance(value, Decimal) and value != 0


def _is_legacy(payload: object) -> TypeGuard[dict[str, object]]:
    """The original service's flat format: no ``invoice`` object, but its own top-level keys."""
    legacy_keys = ("items", "company_name", "invoice_no")
    return isinstance(payload, dict) and "invoice" not in payload and any(k in payload for k in legacy_keys)


def _read_current(
    errors: ErrorCollector, payload: object, default_format: str | None, assigned_number: str | None = None
) -> tuple[RenderOptions, InvoiceData]:
    if not isinstance(payload, dict):
        raise DocumentInvalid({"": ['Expected a JSON object with an "invoice" field.']})
    top = ObjectReader.of(errors, "", payload, TOP_FIELDS)
    if top is None:
        raise errors.exception()
    options = read_options(top, default_format)
    invoice = ObjectReader.of(errors, "invoice", top.raw("invoice", required=True), INVOICE_FIELDS)
    if invoice is None:
        raise errors.exception()  # nothing else can be read
    e_invoice = bool(E_INVOICE_FORMATS.intersection(options.formats))
    return options, _invoice(invoice, e_invoice=e_invoice, assigned_number=assigned_number)


def read_options(reader: ObjectReader, default_format: str | None) -> RenderOptions:
    fallback: OutputFormat = "pdf"
    body_format = reader.raw("format")
    if _formats_differ(body_format, default_format):
        # Neither silently wins: the client meant one of the two, and a wrong guess costs a wrong file.
        reader.error(
            "format",
            f"The body says {shown(body_format)} and ?format= says {shown(default_format)}; "
            "give the format once.",
        )
    if body_format is None and default_format is not None:
        fallback = FORMATS.get(default_format.lower(), "pdf")
        if default_format.lower() not in FORMATS:
            reader.error("format", f"Unknown value {shown(default_format)}; allowed: {FORMAT_HINT}.")
    fmt = reader.choice("format", FORMATS, default=fallback, hint=FORMAT_HINT)
    formats = _formats(reader, fmt, named=body_format is not None or default_format is not None)
    return RenderOptions(
        format=formats[0],
        page_size=reader.choice("page_size", PAGE_SIZES, default="A4", hint="A4, letter"),
        formats=formats,
        ubl_profile=reader.choice("ubl_profile", UBL_PROFILES, default="peppol", hint="peppol, xrechnung"),
        cii_profile=reader.choice(
            "cii_profile", CII_PROFILES, default="factur-x", hint="factur-x, xrechnung"
        ),
        brand=reader.text("brand", max_length=MAX_BRAND_REFERENCE_LENGTH),
    )


def _formats(reader: ObjectReader, fmt: OutputFormat, *, named: bool) -> tuple[OutputFormat, ...]:
    """``formats``, the renditions asked for in order (the first is the default download), or today's one
    ``format``."""
    items = reader.raw("formats")
    if items is None:
        return (fmt,)
    if named:
        reader.error("formats", "Give either format or formats, not both.")
    if not isinstance(items, list) or not items:
        reader.error("formats", f"Expected a non-empty list of formats: {FORMAT_HINT}.")
        return (fmt,)
    distinct = len(set(FORMATS.values()))
    if len(items) > distinct:
        reader.error("formats", f"At most {distinct} formats, each once (got {len(items)}).")
        return (fmt,)
    chosen: list[OutputFormat] = []
    for index, item in enumerate(items):
        found = FORMATS.get(item.lower()) if isinstance(item, str) else None
        if found is None:
            reader.error(f"formats[{index}]", f"Unknown value {shown(item)}; allowed: {FORMAT_HINT}.")
        elif found in chosen:
            reader.error(f"formats[{index}]", f"{found} is named twice.")
        else:
            chosen.append(found)
    return tuple(chosen) or (fmt,)


def _formats_differ(body_format: object, default_format: str | None) -> bool:
    """Whether the body and ``?format=`` both name a format, and not the same one (``excel`` is ``xlsx``)."""
    if not isinstance(body_format, str) or default_format is None:
        return False  # a body format that is not a word is the format field's own error
    named = [FORMATS.get(value.lower(), value) for value in (body_format, default_format)]
    return named[0] != named[1]


def _invoice(reader: ObjectReader, *, e_invoice: bool, assigned_number: str | None = None) -> InvoiceData:
    currency = read_currency(reader, "currency", default=None)
    if currency is not None and e_invoice and currency.minor_units > E_INVOICE_MAX_DECIMALS:
        currency = replace(currency, minor_units=E_INVOICE_MAX_DECIMALS)
    issue_date = reader.date("issue_date", required=True)
    due_date = reader.date("due_date")
    if issue_date and due_date and due_date < issue_date:
        reader.error("due_date", f"Must not be before the issue date ({issue_date.isoformat()}).")
    document_type = reader.choice("type", DOCUMENT_TYPES, default="invoice", hint="invoice, credit_note")
    money, percent = money_rule(currency), PERCENT
    number, series = _number_or_series(reader, assigned_number)
    return InvoiceData(
        number=number,
        series=series,
        issue_date=issue_date or NO_DATE,
        due_date=due_date,
        currency=currency or NO_CURRENCY,
        language=_language(reader),
        locale=reader.text("locale", max_length=MAX_LOCALE_LENGTH, code=True),
        amount_in_words=_flag(reader, "amount_in_words"),
        seller=read_party(reader, "seller", required=True) or Party(name=""),
        buyer=read_party(reader, "buyer", required=True) or Party(name=""),
        ship_to=read_party(reader, "ship_to", required=False),
        type=document_type,
        preceding=_preceding(reader, required=document_type == "credit_note"),
        buyer_reference=reader.text("buyer_reference", max_length=MAX_BUYER_REFERENCE_LENGTH, code=True),
        order_reference=reader.text("order_reference", max_length=MAX_BUYER_REFERENCE_LENGTH, code=True),
        delivery_date=reader.date("delivery_date"),
        billing_period=_period(reader, "billing_period"),
        lines=_lines(reader, currency),
        allowances=read_adjustments(
            reader, "allowances", charge=False, money=money, percent=percent, document_level=True
        ),
        charges=_shipping(reader, currency)
        + read_adjustments(reader, "charges", charge=True, money=money, percent=percent, document_level=True),
        prepaid_amount=reader.number("prepaid_amount", money) or ZERO,
        rounding_amount=_rounding(reader, currency),
        notes=reader.text("notes", max_length=MAX_NOTES_LENGTH, multiline=True),
        payment_terms=reader.text("payment_terms", max_length=MAX_PAYMENT_TERMS_LENGTH, multiline=True),
        payment=_payment(reader),
        claimed_totals=_claimed_totals(reader, currency),
    )


def _language(reader: ObjectReader) -> str:
    """The catalog language the request names ("de", "zh-hans"), or "" for none (see _resolve_locale)."""
    text = reader.text("language", max_length=MAX_LOCALE_LENGTH, code=True)
    if not text:
        return ""
    code = text.lower().replace("_", "-")
    code = _LANGUAGE_ALIASES.get(code, code)
    if code not in LANGUAGES:
        reader.error("language", f"Unknown value {shown(text)}; allowed: {', '.join(LANGUAGES)}.")
        return ""
    return code


def _flag(reader: ObjectReader, key: str) -> bool:
    value = reader.raw(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        reader.error(key, "Expected true or false.")
        return False
    return value


def _resolve_locale(errors: ErrorCollector, data: InvoiceData, default: str | None) -> InvoiceData:
    """The invoice's locale and language, both set: the locale the request names (its language must be the
    one ``language`` names, if any); else ``language`` as written in the buyer's country ("de" + CH ->
    "de-CH"); else the account's default locale; else English as written in the buyer's country."""
    requested, language = data.locale, data.language
    if requested:
        try:
            locale = parse_locale(requested)
        except LocaleError as exc:
            errors.add("invoice.locale", str(exc))
            return replace(data, language=DEFAULT_LANGUAGE, locale=DEFAULT_LANGUAGE)
        if language and catalog_language(locale) != language:
            errors.add(
                "invoice.locale",
                f"'{requested}' is written in '{catalog_language(locale)}', but invoice.language is "
                f"'{language}'; give the locale alone, or a language that matches it.",
            )
        tag = locale_tag(locale)
    elif language:
        tag = default_locale(language, data.buyer.country)
    elif default:
        tag = default
    else:
        tag = default_locale(DEFAULT_LANGUAGE, data.buyer.country)
    return replace(data, language=language_of(tag), locale=tag)


def _check_amount_in_words(errors: ErrorCollector, document: Document) -> None:
    """An amount in words is asked for in a language and currency num2words writes correctly (see
    invoices/i18n/words.py), for an amount due that is not negative."""
    data = document.data
    if not data.amount_in_words:
        return
    problem = words_problem(data.language, data.currency.code)
    if problem is None and document.totals.payable < 0:
        problem = "A negative amount due is not written in words."
    if problem:
        errors.add("invoice.amount_in_words", problem)


def _preceding(invoice: ObjectReader, *, required: bool) -> tuple[InvoiceReference, ...]:
    """The invoice a credit note corrects (BG-3): its number, its date, and its id when it is one of ours
    (whose owner the service checks)."""
    value = invoice.raw("preceding_invoice")
    if value is None:
        if required:
            invoice.error(
                "preceding_invoice",
                "A credit note names the invoice it corrects: its number and issue date, and its id when it "
                "was issued here.",
            )
        return ()
    reader = ObjectReader.of(invoice.errors, invoice.field_path("preceding_invoice"), value, PRECEDING_FIELDS)
    if reader is None:
        return ()
    return (
        InvoiceReference(
            number=read_invoice_number(reader, "number"),
            issue_date=reader.date("issue_date"),
            invoice_id=_uuid(reader, "id"),
        ),
    )


def _uuid(reader: ObjectReader, key: str) -> uuid.UUID | None:
    value = reader.raw(key)
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= 36:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    reader.error(key, "Not an invoice id: a UUID such as 3f2b8c4e-0b7a-4c1e-9a55-2f0d6c1e8b11.")
    return None


def _period(invoice: ObjectReader, key: str) -> Period | None:
    value = invoice.raw(key)
    if value is None:
        return None
    reader = ObjectReader.of(invoice.errors, invoice.field_path(key), value, PERIOD_FIELDS)
    if reader is None:
        return None
    start, end = reader.date("start", required=True), reader.date("end", required=True)
    if start and end and end < start:
        reader.error("end", f"Must not be before the start ({start.isoformat()}).")
        return None
    return Period(start, end) if start and end else None


def _rounding(invoice: ObjectReader, currency: Currency | None) -> Decimal:
    """BT-114, the one amount that may be negative: what rounds the payable amount to a cash unit (CHF 0.05),
    at most 1 either way."""
    amount = invoice.signed_number("rounding_amount", money_rule(currency)) or ZERO
    if abs(amount) > MAX_ROUNDING_AMOUNT:
        invoice.error("rounding_amount", f"A rounding amount is at most {MAX_ROUNDING_AMOUNT} either way.")
        return ZERO
    return amount


def max_amount(currency: Currency | None) -> Decimal:
    """The ceiling for amounts: 15 significant digits must hold it with all of the currency's decimals."""
    if currency is None or currency.minor_units <= 3:
        return MAX_AMOUNT
    return Decimal(10) ** (MAX_SIGNIFICANT_DIGITS - currency.minor_units)


def money_rule(currency: Currency | None) -> NumberRule:
    """Shipping and totals: exactly representable in the currency (EUR cents, whole yen)."""
    if currency is None:  # already an error; check the rest loosely rather than report noise
        return NumberRule(MAX_MINOR_UNITS, MAX_AMOUNT, MAX_SIGNIFICANT_DIGITS)
    return NumberRule(currency.minor_units, max_amount(currency), MAX_SIGNIFICANT_DIGITS, unit=currency.code)


def unit_price_rule(currency: Currency | None) -> NumberRule:
    # Unit prices may be finer than the currency (0.0125 EUR per kWh); each line amount is rounded.
    return NumberRule(MAX_UNIT_PRICE_DECIMALS, max_amount(currency), MAX_SIGNIFICANT_DIGITS)


def read_currency(reader: ObjectReader, key: str, *, default: Currency | None) -> Currency | None:
    value = reader.raw(key, required=default is None)
    if value is None:
        return default
    found = find_currency(value) if isinstance(value, str) else None
    if found is None:
        reader.error(key, _unknown_currency_message(value))
    return found


def _unknown_currency_message(value: object) -> str:
    message = f"{shown(value)} is not an ISO 4217 currency code; use a code such as EUR, USD or JPY."
    if isinstance(value, str) and value.upper() in CURRENCIES:
        message += f" Write it in capital letters: {value.upper()}."
    return message


def _number_or_series(reader: ObjectReader, assigned_number: str | None) -> tuple[str, str]:
    """The invoice's number and the series it is to be taken from: a number the client chose and no series,
    or a series and (before it is assigned) ``SERIES_PLACEHOLDER``."""
    series = reader.text("series", max_length=MAX_SERIES_CODE_LENGTH, code=True)
    if not series:
        if reader.raw("number") is not None:
            return read_invoice_number(reader, "number"), ""
        # A series given but invalid has its own error; a number is not asked for on top of it.
        if reader.field_path("series") not in reader.errors.errors:
            reader.error(
                "number",
                'This field is required: give the invoice\'s number, or name a number series ("series") to '
                "take the next number from.",
            )
        return "", ""
    if reader.raw("number") is not None:
        reader.error("series", "Give either a number or a series to take the next number from, not both.")
        return "", series
    return assigned_number or SERIES_PLACEHOLDER, series


def read_invoice_number(reader: ObjectReader, key: str) -> str:
    number = reader.text(key, max_length=MAX_INVOICE_NUMBER_LENGTH, required=True, code=True)
    if number and not number.isprintable():
        reader.error(key, "Must contain printable characters only.")
        return ""
    return number


def _lines(invoice: ObjectReader, currency: Currency | None) -> tuple[Line, ...]:
    items = invoice.list("lines", required=True)
    if items is None:
        return ()
    if not items:
        invoice.error("lines", "At least one line is required.")
    if len(items) > MAX_LINES:
        # Refused before reading any line: the limit exists to bound the work done for one request.
        invoice.error(
            "lines", f"Too many lines: {len(items):,}; the limit is {MAX_LINES:,} lines per invoice."
        )
        return ()
    path = invoice.field_path("lines")
    return tuple(
        _line(invoice.errors, item_path(path, index), item, currency) for index, item in enumerate(items)
    )


def _line(errors: ErrorCollector, path: str, value: object, currency: Currency | None) -> Line:
    reader = ObjectReader.of(errors, path, value, LINE_FIELDS)
    if reader is None:
        return Line(description="", quantity=ZERO, unit_price=ZERO, tax_rate=ZERO)
    quantity = reader.number("quantity", QUANTITY, required=True)
    unit_price = reader.number("unit_price", unit_price_rule(currency), required=True)
    base_quantity = _base_quantity(reader)
    check_line_amount(reader, "unit_price", quantity, unit_price, currency)
    tax_rate = reader.number("tax_rate", PERCENT) or ZERO
    category = read_tax_category(reader, tax_rate)
    exemption_reason, exemption_code = read_exemption(reader, category)
    unit = reader.text("unit", max_length=MAX_CODE_LENGTH)  # free text: "kg", "Stück", "كغ", or a code: KGM
    money = money_rule(currency)
    discount = discount_allowance(reader.number("discount_percent", PERCENT) or ZERO)
    return Line(
        description=reader.text(
            "description", max_length=MAX_DESCRIPTION_LENGTH, required=True, multiline=True
        ),
        quantity=quantity or ZERO,
        unit_price=unit_price or ZERO,
        tax_rate=tax_rate,
        sku=reader.text("sku", max_length=MAX_CODE_LENGTH, code=True),
        unit=unit,
        unit_code=unit if unit in units() else "",
        price_base_quantity=base_quantity,
        allowances=discount
        + read_adjustments(
            reader, "allowances", charge=False, money=money, percent=PERCENT, document_level=False
        ),
        charges=read_adjustments(
            reader, "charges", charge=True, money=money, percent=PERCENT, document_level=False
        ),
        tax_category=category,
        exemption_reason=exemption_reason,
        exemption_reason_code=exemption_code,
    )


def _base_quantity(reader: ObjectReader) -> Decimal:
    """BT-149: the number of units the unit price is for (a price per 100 pieces), 1 unless sent."""
    value = reader.number("price_base_quantity", QUANTITY)
    if value is None:
        return Decimal(1)
    if value == 0:
        reader.error("price_base_quantity", "Must be above 0: the number of units the unit price is for.")
        return Decimal(1)
    return value


def check_line_amount(
    reader: ObjectReader,
    key: str,
    quantity: Decimal | None,
    unit_price: Decimal | None,
    currency: Currency | None,
) -> None:
    """Quantity x unit price stays under the ceiling, so no line amount can lose a digit anywhere."""
    if quantity is None or unit_price is None:
        return
    limit = max_amount(currency)
    if quantity * unit_price > limit:
        reader.error(key, f"Quantity x unit price must not exceed {limit:,}.")


def discount_allowance(percent: Decimal) -> tuple[Adjustment, ...]:
    """Today's ``discount_percent``: one allowance of that percentage of the line's gross amount
    (UNTDID 5189 code 95, discount)."""
    return (Adjustment(percent=percent, reason=DISCOUNT_REASON, reason_code="95"),) if percent else ()


def _shipping(invoice: ObjectReader, currency: Currency | None) -> tuple[Adjustment, ...]:
    value = invoice.raw("shipping")
    if value is None:
        return ()
    reader = ObjectReader.of(invoice.errors, invoice.field_path("shipping"), value, CHARGE_FIELDS)
    if reader is None:
        return ()
    amount = reader.number("amount", money_rule(currency), required=True) or ZERO
    rate = reader.number("tax_rate", PERCENT) or ZERO
    # UNTDID 7161 code FC: freight service.
    shipping = Adjustment(
        amount=amount,
        reason=SHIPPING_REASON,
        reason_code="FC",
        tax_category=read_tax_category(reader, rate),
        tax_rate=rate,
    )
    return (shipping,)


def _payment(invoice: ObjectReader) -> Payment | None:
    value = invoice.raw("payment")
    reader = (
        None
        if value is None
        else ObjectReader.of(invoice.errors, invoice.field_path("payment"), value, PAYMENT_FIELDS)
    )
    if reader is None:
        return None
    iban = reader.identifier("iban", check_iban, max_length=MAX_CODE_LENGTH)
    means = reader.identifier("means_code", _check_payment_means, max_length=8)
    payment = Payment(
        iban=iban,
        bic=reader.identifier("bic", check_bic, max_length=MAX_CODE_LENGTH),
        reference=reader.text("reference", max_length=MAX_REFERENCE_LENGTH, code=True),
        # An IBAN without a means is paid by SEPA credit transfer (UNTDID 4461 code 58), as it always was.
        means_code=means or ("58" if iban and reader.raw("means_code") is None else ""),
        account_name=reader.text("account_name", max_length=MAX_NAME_LENGTH),
    )
    return payment if payment != Payment() else None


def _check_payment_means(code: str) -> tuple[str, str | None]:
    if code.upper() in payment_means():
        return code.upper(), None
    return "", (
        f"{shown(code)} is not a UNTDID 4461 payment means code; use a code such as 58 (SEPA credit "
        "transfer), 30 (credit transfer), 59 (SEPA direct debit), 48 (bank card) or 10 (cash)."
    )


def _claimed_totals(invoice: ObjectReader, currency: Currency | None) -> ClaimedTotals | None:
    value = invoice.raw("totals")
    reader = (
        None
        if value is None
        else ObjectReader.of(invoice.errors, invoice.field_path("totals"), value, TOTALS_FIELDS)
    )
    if reader is None:
        return None
    rule = money_rule(currency)
    return ClaimedTotals(**{key: reader.number(key, rule) for key in TOTALS_FIELDS})


def check_text_budget(errors: ErrorCollector, data: InvoiceData, path: str) -> None:
    """The invoice's text, all fields together, stays within ``MAX_TEXT_CHARACTERS``: rendering time and
    page count grow with it. Reported under the lines, which hold almost all of it."""
    total = text_length(data)
    if total > MAX_TEXT_CHARACTERS:
        errors.add(
            path,
            f"The invoice holds {total:,} characters of text in all; the limit is {MAX_TEXT_CHARACTERS:,}, "
            "the sum of every text field. Shorten the descriptions or split the invoice.",
        )


def text_length(data: InvoiceData) -> int:
    """Characters in every text field of the invoice."""
    parties = (party for party in (data.seller, data.buyer, data.ship_to) if party is not None)
    payment = data.payment or Payment()
    adjustments = [*data.allowances, *data.charges, *(a for line in data.lines for a in line.allowances)]
    adjustments += [c for line in data.lines for c in line.charges]
    texts = [
        data.number, data.notes, data.payment_terms, payment.iban, payment.bic, payment.reference,
        payment.account_name, data.buyer_reference, data.order_reference,
        *(reference.number for reference in data.preceding),
        *(text for party in parties for text in _party_texts(party)),
        *(text for line in data.lines for text in _line_texts(line)),
        # The reasons the service itself gives to discount_percent and shipping are not the client's text.
        *(a.reason for a in adjustments if a.reason not in (DISCOUNT_REASON, SHIPPING_REASON)),
    ]  # fmt: skip
    return sum(map(len, texts))


def _party_texts(party: Party) -> tuple[str, ...]:
    contact = (party.contact.name, party.contact.phone, party.contact.email) if party.contact else ()
    address = party.electronic_address.id if party.electronic_address else ""
    return (
        party.name, party.company, *party.address, party.country, party.tax_id, party.email, party.phone,
        party.city, party.postal_code, party.country_subdivision, party.vat_id, party.legal_id, address,
        *contact,
    )  # fmt: skip


def _line_texts(line: Line) -> tuple[str, ...]:
    return (line.description, line.sku, line.unit, line.exemption_reason)


def _check_totals(errors: ErrorCollector, document: Document, paths: TotalPaths) -> None:
    """The computed total stays under the ceiling; totals the client sent must equal the server's."""
    totals, currency = document.totals, document.data.currency
    limit = max_amount(currency)
    if totals.gross > limit:
        errors.add(paths.lines, f"The invoice total ({totals.gross:f}) must not exceed {limit:,}.")
    claimed = document.data.claimed_totals or ClaimedTotals()
    for path, sent, computed in (
        (paths.line_total, claimed.line_total, totals.lines_net),
        (paths.allowances, claimed.allowances, totals.allowances),
        (paths.charges, claimed.charges, totals.charges),
        (paths.net, claimed.net, totals.net),
        (paths.tax, claimed.tax, totals.tax),
        (paths.gross, claimed.gross, totals.gross),
        (paths.payable, claimed.payable, totals.payable),
    ):
        if sent is not None and sent != computed:
            places = currency.minor_units
            sent_text, computed_text = f"{sent:.{places}f}", f"{computed:.{places}f}"
            errors.add(
                path, f"Does not match the computed amount: sent {sent_text}, computed {computed_text}."
            )


def _check_amounts(errors: ErrorCollector, document: Document) -> None:
    """No computed amount is negative: allowances never exceed what they reduce, nor prepayments what is due
    (a correction is a credit note, whose amounts are positive too)."""
    money = document.data.currency
    for index, line in enumerate(document.lines):
        if line.net < 0:
            errors.add(
                f"invoice.lines[{index}].allowances",
                f"The line's allowances ({line.discount:f}) exceed its amount plus charges "
                f"({line.gross_amount + line.charge:f}).",
            )
    for group in document.totals.tax_groups:
        if group.base < 0:
            errors.add(
                "invoice.allowances",
                f"The allowances in tax category {group.category} at {group.rate:f} % exceed what is sold in "
                f"it: its base would be {group.base:f} {money.code}.",
            )
    if document.totals.payable < 0:
        errors.add(
            "invoice.prepaid_amount",
            f"Must not exceed the invoice total ({document.totals.gross + document.totals.rounding:f}).",
        )


def _check_exemptions(errors: ErrorCollector, data: InvoiceData) -> None:
    """One exemption reason per VAT breakdown (BG-23): the lines of an exempt (category, rate) group agree,
    and an exempt document allowance or charge belongs to a group that has one."""
    first: dict[tuple[str, Decimal], tuple[int, str, str]] = {}
    reason: tuple[str, str]
    for index, line in enumerate(data.lines):
        if line.tax_category not in EXEMPT_CATEGORIES:
            continue
        key = (line.tax_category, line.tax_rate)
        reason = (line.exemption_reason, line.exemption_reason_code)
        seen = first.setdefault(key, (index, *reason))
        if seen[1:] != reason:
            errors.add(
                f"invoice.lines[{index}].exemption_reason",
                f"Lines in tax category {line.tax_category} share one exemption reason; line {seen[0]} gives "
                f"{shown(seen[1] or seen[2])}.",
            )
    for name, adjustments in (("allowances", data.allowances), ("charges", data.charges)):
        for adjustment in adjustments:
            category = adjustment.tax_category
            if category == "E" and (category, adjustment.tax_rate) not in first:
                errors.add(
                    f"invoice.{name}",
                    "An allowance or charge in tax category E needs a line in category E, whose exemption "
                    "reason it shares.",
                )
