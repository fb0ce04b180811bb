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

from datetime import date
from decimal import Decimal
from functools import partial
from typing import NamedTuple, TypeGuard

from invoices.document.codes import check_bic, check_iban, check_tax_id
from invoices.document.currencies import CURRENCIES, MAX_MINOR_UNITS, find_currency
from invoices.document.errors import DocumentInvalid, ErrorCollector
from invoices.document.fields import NumberRule, ObjectReader, item_path, shown
from invoices.document.model import (
    Adjustment,
    ClaimedTotals,
    Currency,
    Document,
    InvoiceData,
    Line,
    OutputFormat,
    PageSize,
    Party,
    Payment,
    RenderOptions,
)
from invoices.document.money import compute_document

MAX_LINES = 1_000
MAX_AMOUNT = Decimal(10**12)
MAX_SIGNIFICANT_DIGITS = 15
MAX_QUANTITY_DECIMALS = 6
MAX_UNIT_PRICE_DECIMALS = 6
MAX_PERCENT_DECIMALS = 4
MAX_INVOICE_NUMBER_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_ADDRESS_LINES = 10
MAX_ADDRESS_LINE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 1_000
MAX_NOTES_LENGTH = 2_000
MAX_PAYMENT_TERMS_LENGTH = 500
MAX_CODE_LENGTH = 64
MAX_EMAIL_LENGTH = 254
MAX_REFERENCE_LENGTH = 140
MAX_TEXT_CHARACTERS = 200_000

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
FORMATS: dict[str, OutputFormat] = {"pdf": "pdf", "xlsx": "xlsx", "excel": "xlsx", "csv": "csv"}
FORMAT_HINT = "pdf, xlsx (or its synonym excel), csv"
PAGE_SIZES: dict[str, PageSize] = {"a4": "A4", "letter": "letter"}
_LANGUAGE_CHOICES = {code: code for code in LANGUAGES}

QUANTITY = NumberRule(MAX_QUANTITY_DECIMALS, MAX_AMOUNT, MAX_SIGNIFICANT_DIGITS, strip_zeros=True)
PERCENT = NumberRule(MAX_PERCENT_DECIMALS, Decimal(100), MAX_SIGNIFICANT_DIGITS, strip_zeros=True)
# Stands in for a missing or unknown currency so the rest of the payload can still be checked.
NO_CURRENCY = Currency("XXX", 2)
NO_DATE = date(1, 1, 1)
ZERO = Decimal(0)
SHIPPING_REASON = "Shipping"  # the renderers print their own translated label for it

TOP_FIELDS = ("format", "page_size", "invoice")
INVOICE_FIELDS = (
    "number", "issue_date", "due_date", "currency", "language", "seller", "buyer", "ship_to", "lines",
    "shipping", "notes", "payment_terms", "payment", "totals",
)  # fmt: skip
PARTY_FIELDS = ("name", "address", "country", "tax_id", "email", "phone")
LINE_FIELDS = ("sku", "description", "quantity", "unit", "unit_price", "tax_rate", "discount_percent")
CHARGE_FIELDS = ("amount", "tax_rate")
PAYMENT_FIELDS = ("iban", "bic", "reference")
TOTALS_FIELDS = ("net", "tax", "gross")


class TotalPaths(NamedTuple):
    """Where errors about computed amounts (and the text budget, under ``lines``) are reported; the legacy
    format has its own field names."""

    lines: str
    net: str
    tax: str
    gross: str


TOTAL_PATHS = TotalPaths("invoice.lines", "invoice.totals.net", "invoice.totals.tax", "invoice.totals.gross")


def read_request(payload: object, *, default_format: str | None = None) -> tuple[RenderOptions, Document]:
    """Validate a request body (current or legacy format), compute the invoice and check the totals the
    client sent; raise ``DocumentInvalid`` listing every error.

    ``payload`` is JSON parsed with Decimal numbers (``invoices.document.jsonio.loads_document_json``).
    ``default_format`` applies when the body names no format (the legacy ``/upload?format=`` contract).
    """
    errors = ErrorCollector()
    if _is_legacy(payload):
        # Imported here because legacy.py imports this module's limits and readers.
        from invoices.document.legacy import TOTAL_PATHS as LEGACY_PATHS
        from invoices.document.legacy import read_legacy

        options, data = read_legacy(errors, payload, default_format)
        paths = LEGACY_PATHS
    else:
        options, data = _read_current(errors, payload, default_format)
        paths = TOTAL_PATHS
    check_text_budget(errors, data, paths.lines)
    errors.raise_if_any()
    document = compute_document(data)
    _check_totals(errors, document, paths)
    errors.raise_if_any()
    return options, document


def _is_legacy(payload: object) -> TypeGuard[dict[str, object]]:
    """The original service's flat format: no ``invoice`` object, but its own top-level keys."""
    legacy_keys = ("items", "company_name", "invoice_no")
    return isinstance(payload, dict) and "invoice" not in payload and any(k in payload for k in legacy_keys)


def _read_current(
    errors: ErrorCollector, payload: object, default_format: str | None
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
    return options, _invoice(invoice)


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
    page_size = reader.choice("page_size", PAGE_SIZES, default="A4", hint="A4, letter")
    return RenderOptions(format=fmt, page_size=page_size, formats=(fmt,))


def _formats_differ(body_format: object, default_format: str | None) -> bool:
    """Whether the body and ``?format=`` both name a format, and not the same one (``excel`` is ``xlsx``)."""
    if not isinstance(body_format, str) or default_format is None:
        return False  # a body format that is not a word is the format field's own error
    named = [FORMATS.get(value.lower(), value) for value in (body_format, default_format)]
    return named[0] != named[1]


def _invoice(reader: ObjectReader) -> InvoiceData:
    currency = read_currency(reader, "currency", default=None)
    issue_date = reader.date("issue_date", required=True)
    due_date = reader.date("due_date")
    if issue_date and due_date and due_date < issue_date:
        reader.error("due_date", f"Must not be before the issue date ({issue_date.isoformat()}).")
    return InvoiceData(
        number=read_invoice_number(reader, "number"),
        issue_date=issue_date or NO_DATE,
        due_date=due_date,
        currency=currency or NO_CURRENCY,
        language=reader.choice("language", _LANGUAGE_CHOICES, default="en", hint=", ".join(LANGUAGES)),
        seller=_party(reader, "seller", required=True) or Party(name=""),
        buyer=_party(reader, "buyer", required=True) or Party(name=""),
        ship_to=_party(reader, "ship_to", required=False),
        lines=_lines(reader, currency),
        charges=_shipping(reader, currency),
        notes=reader.text("notes", max_length=MAX_NOTES_LENGTH, multiline=True),
        payment_terms=reader.text("payment_terms", max_length=MAX_PAYMENT_TERMS_LENGTH, multiline=True),
        payment=_payment(reader),
        claimed_totals=_claimed_totals(reader, currency),
    )


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


def read_invoice_number(reader: ObjectReader, key: str) -> str:
    number = reader.text(key, max_length=MAX_INVOICE_NUMBER_LENGTH, required=True, code=True)
    if number and not number.isprintable():
        reader.error(key, "Must contain printable characters only.")
        return ""
    return number


def _party(invoice: ObjectReader, key: str, *, required: bool) -> Party | None:
    value = invoice.raw(key, required=required)
    if value is None:
        return None
    reader = ObjectReader.of(invoice.errors, invoice.field_path(key), value, PARTY_FIELDS)
    if reader is None:
        return None
    country = reader.country("country")
    tax_id_check = partial(check_tax_id, country=country)  # an EU VAT number is checked for its country
    return Party(
        name=reader.text("name", max_length=MAX_NAME_LENGTH, required=True),
        address=reader.text_lines("address", max_lines=MAX_ADDRESS_LINES, max_length=MAX_ADDRESS_LINE_LENGTH),
        country=country,
        tax_id=reader.identifier("tax_id", tax_id_check, max_length=MAX_CODE_LENGTH),
        email=reader.email("email", max_length=MAX_EMAIL_LENGTH),
        phone=reader.text("phone", max_length=MAX_CODE_LENGTH, code=True),
    )


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
    check_line_amount(reader, "unit_price", quantity, unit_price, currency)
    tax_rate = reader.number("tax_rate", PERCENT) or ZERO
    return Line(
        description=reader.text(
            "description", max_length=MAX_DESCRIPTION_LENGTH, required=True, multiline=True
        ),
        quantity=quantity or ZERO,
        unit_price=unit_price or ZERO,
        tax_rate=tax_rate,
        tax_category=default_tax_category(tax_rate),
        allowances=discount_allowance(reader.number("discount_percent", PERCENT) or ZERO),
        sku=reader.text("sku", max_length=MAX_CODE_LENGTH, code=True),
        unit=reader.text("unit", max_length=MAX_CODE_LENGTH),  # free text: "kg", "Stück", "كغ"
    )


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


def default_tax_category(rate: Decimal) -> str:
    """UNCL 5305: standard rate (S) when the rate is above 0, else zero rated (Z)."""
    return "S" if rate > 0 else "Z"


def discount_allowance(percent: Decimal) -> tuple[Adjustment, ...]:
    """Today's ``discount_percent``: one allowance of that percentage of the line's gross amount
    (UNTDID 5189 code 95, discount)."""
    return (Adjustment(percent=percent, reason="Discount", reason_code="95"),) if percent else ()


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
        tax_category=default_tax_category(rate),
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
    payment = Payment(
        iban=reader.identifier("iban", check_iban, max_length=MAX_CODE_LENGTH),
        bic=reader.identifier("bic", check_bic, max_length=MAX_CODE_LENGTH),
        reference=reader.text("reference", max_length=MAX_REFERENCE_LENGTH, code=True),
    )
    return payment if payment != Payment() else None


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
    return ClaimedTotals(
        net=reader.number("net", rule), tax=reader.number("tax", rule), gross=reader.number("gross", rule)
    )


def check_text_budget(errors: ErrorCollector, data: InvoiceData, path: str) -> None:
    """The invoice's text, all fields together, stays within ``MAX_TEXT_CHARACTERS``: rendering time and
    page count grow with it. Reported under the lines, which hold almost all of it."""
    total = text_length(data)
    if total > MAX_TEXT_CHARACTERS:
        errors.add(
            path,
            f"The invoice holds {total:,} characters of text in all; the limit is {MAX_TEXT_CHARACTERS:,} "
            "(MAX_TEXT_CHARACTERS), the sum of every text field. Shorten the descriptions or split the "
            "invoice.",
        )


def text_length(data: InvoiceData) -> int:
    """Characters in every text field of the invoice."""
    parties = (party for party in (data.seller, data.buyer, data.ship_to) if party is not None)
    payment = data.payment or Payment()
    texts = [
        data.number, data.notes, data.payment_terms, payment.iban, payment.bic, payment.reference,
        *(text for party in parties for text in _party_texts(party)),
        *(text for line in data.lines for text in (line.description, line.sku, line.unit)),
    ]  # fmt: skip
    return sum(map(len, texts))


def _party_texts(party: Party) -> tuple[str, ...]:
    return (party.name, party.company, *party.address, party.country, party.tax_id, party.email, party.phone)


def _check_totals(errors: ErrorCollector, document: Document, paths: TotalPaths) -> None:
    """The computed total stays under the ceiling; totals the client sent must equal the server's."""
    totals, currency = document.totals, document.data.currency
    limit = max_amount(currency)
    if totals.gross > limit:
        errors.add(paths.lines, f"The invoice total ({totals.gross:f}) must not exceed {limit:,}.")
    claimed = document.data.claimed_totals or ClaimedTotals()
    for path, sent, computed in (
        (paths.net, claimed.net, totals.net),
        (paths.tax, claimed.tax, totals.tax),
        (paths.gross, claimed.gross, totals.gross),
    ):
        if sent is not None and sent != computed:
            places = currency.minor_units
            sent_text, computed_text = f"{sent:.{places}f}", f"{computed:.{places}f}"
            errors.add(
                path, f"Does not match the computed amount: sent {sent_text}, computed {computed_text}."
            )
