"""The original service's flat request format, still accepted by ``/upload`` (see
``tests/invoices/data/legacy_sample_invoice.json``).

It maps onto the same ``InvoiceData`` as the current format: ``company_*`` is the seller, ``bill_to_*`` the
buyer, ``ship_to_*`` the delivery address, ``items`` the lines, and one invoice-wide ``tax_rate`` applies to
every line. The amounts the old clients send (each item's ``total``, ``subtotal``, ``tax_amount``,
``total_amount``) are checked against the server's, and errors are reported under the legacy field names.
"""

from decimal import Context, Decimal

from invoices.document.adjustments import default_tax_category
from invoices.document.currencies import find_currency
from invoices.document.errors import ErrorCollector
from invoices.document.fields import ObjectReader, item_path
from invoices.document.model import ClaimedTotals, Currency, InvoiceData, Line, Party, RenderOptions
from invoices.document.money import round_money
from invoices.document.parties import MAX_ADDRESS_LINE_LENGTH, MAX_ADDRESS_LINES
from invoices.document.validation import (
    MAX_CODE_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_LINES,
    MAX_NAME_LENGTH,
    NO_CURRENCY,
    NO_DATE,
    PERCENT,
    QUANTITY,
    ZERO,
    TotalPaths,
    check_line_amount,
    money_rule,
    read_currency,
    read_invoice_number,
    read_options,
    unit_price_rule,
)

LEGACY_FIELDS = (
    "format", "page_size", "currency", "invoice_no", "date",
    "company_name", "company_address", "company_phone",
    "bill_to_name", "bill_to_company", "bill_to_address",
    "ship_to_name", "ship_to_company", "ship_to_address",
    "items", "subtotal", "tax_rate", "tax_amount", "total_amount",
)  # fmt: skip
ITEM_FIELDS = ("id", "description", "qty", "unit_price", "total")
TOTAL_PATHS = TotalPaths("items", "subtotal", "tax_amount", "total_amount")

# The sample and the old clients are American and never sent a currency.
DEFAULT_CURRENCY = find_currency("USD")
# Addresses were one string, "123 Tech Lane, Silicon Valley, CA 94025"; printed one part per line.
ADDRESS_SEPARATOR = ", "


def read_legacy(
    errors: ErrorCollector, payload: dict[str, object], default_format: str | None
) -> tuple[RenderOptions, InvoiceData]:
    reader = ObjectReader.of(errors, "", payload, LEGACY_FIELDS)
    if reader is None:
        raise errors.exception()
    currency = read_currency(reader, "currency", default=DEFAULT_CURRENCY)
    tax_rate = reader.number("tax_rate", PERCENT) or ZERO
    data = InvoiceData(
        number=read_invoice_number(reader, "invoice_no"),
        issue_date=reader.date("date", required=True) or NO_DATE,
        currency=currency or NO_CURRENCY,
        seller=_seller(reader),
        buyer=_party(reader, "bill_to", required=True) or Party(name=""),
        ship_to=_party(reader, "ship_to", required=False),
        lines=_items(reader, currency, tax_rate),
        claimed_totals=_claimed_totals(reader, currency),
    )
    return read_options(reader, default_format), data


def _seller(reader: ObjectReader) -> Party:
    return Party(
        name=reader.text("company_name", max_length=MAX_NAME_LENGTH, required=True),
        address=_address(reader, "company_address"),
        phone=reader.text("company_phone", max_length=MAX_CODE_LENGTH, code=True),
    )


def _party(reader: ObjectReader, prefix: str, *, required: bool) -> Party | None:
    """``bill_to_*`` or ``ship_to_*``: a person's name, a company name and an address, any of them optional
    except that a buyer needs a name or a company."""
    name = reader.text(f"{prefix}_name", max_length=MAX_NAME_LENGTH)
    company = reader.text(f"{prefix}_company", max_length=MAX_NAME_LENGTH)
    address = _address(reader, f"{prefix}_address")
    if not (name or company or address):
        if required:
            reader.error(f"{prefix}_name", f"This field is required (or {prefix}_company).")
        return None
    if not name:
        name, company = company, ""
    return Party(name=name, company=company, address=address)


def _address(reader: ObjectReader, key: str) -> tuple[str, ...]:
    text = reader.text(key, max_length=MAX_ADDRESS_LINES * MAX_ADDRESS_LINE_LENGTH)
    lines = tuple(part.strip() for part in text.split(ADDRESS_SEPARATOR) if part.strip())
    if len(lines) > MAX_ADDRESS_LINES:
        reader.error(key, f"At most {MAX_ADDRESS_LINES} comma-separated parts are allowed.")
    elif any(len(line) > MAX_ADDRESS_LINE_LENGTH for line in lines):
        reader.error(key, f"Each comma-separated part may have at most {MAX_ADDRESS_LINE_LENGTH} characters.")
    return lines


def _items(reader: ObjectReader, currency: Currency | None, tax_rate: Decimal) -> tuple[Line, ...]:
    items = reader.list("items", required=True)
    if items is None:
        return ()
    if not items:
        reader.error("items", "At least one item is required.")
    if len(items) > MAX_LINES:
        reader.error(
            "items", f"Too many items: {len(items):,}; the limit is {MAX_LINES:,} items per invoice."
        )
        return ()
    return tuple(
        _item(reader.errors, item_path("items", index), item, currency, tax_rate)
        for index, item in enumerate(items)
    )


def _item(
    errors: ErrorCollector, path: str, value: object, currency: Currency | None, tax_rate: Decimal
) -> Line:
    reader = ObjectReader.of(errors, path, value, ITEM_FIELDS)
    if reader is None:
        return Line(description="", quantity=ZERO, unit_price=ZERO, tax_rate=ZERO)
    quantity = reader.number("qty", QUANTITY, required=True)
    unit_price = reader.number("unit_price", unit_price_rule(currency), required=True)
    check_line_amount(reader, "unit_price", quantity, unit_price, currency)
    _check_item_total(reader, quantity, unit_price, currency)
    return Line(
        description=reader.text(
            "description", max_length=MAX_DESCRIPTION_LENGTH, required=True, multiline=True
        ),
        quantity=quantity or ZERO,
        unit_price=unit_price or ZERO,
        tax_rate=tax_rate,
        tax_category=default_tax_category(tax_rate),
        sku=_item_id(reader),
    )


def _item_id(reader: ObjectReader) -> str:
    # Old clients sent ids as strings ("Z345678"), some as whole numbers; both are printed as the SKU.
    number = _whole_number(reader.raw("id"))
    return f"{number:f}" if number is not None else reader.text("id", max_length=MAX_CODE_LENGTH, code=True)


def _whole_number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    if (
        not number.is_finite()
        or not 0 <= number < 10**MAX_CODE_LENGTH
        or number != number.to_integral_value()
    ):
        return None
    # Up to 64 digits: more than the default 28-digit context, in which quantize() would raise.
    return number.quantize(Decimal(1), context=Context(prec=MAX_CODE_LENGTH + 1))


def _check_item_total(
    reader: ObjectReader, quantity: Decimal | None, unit_price: Decimal | None, currency: Currency | None
) -> None:
    sent = reader.number("total", money_rule(currency))
    if sent is None or quantity is None or unit_price is None or currency is None:
        return
    computed = round_money(quantity * unit_price, currency)
    if sent != computed:
        places = currency.minor_units
        reader.error(
            "total",
            f"Does not match qty x unit_price: sent {sent:.{places}f}, computed {computed:.{places}f}.",
        )


def _claimed_totals(reader: ObjectReader, currency: Currency | None) -> ClaimedTotals:
    rule = money_rule(currency)
    return ClaimedTotals(
        net=reader.number("subtotal", rule),
        tax=reader.number("tax_amount", rule),
        gross=reader.number("total_amount", rule),
    )
