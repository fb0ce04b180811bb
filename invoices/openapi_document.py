"""OpenAPI documentation of the invoice request document: the JSON an upload sends, current and legacy.

Documentation only: the API reads request bodies with ``invoices.document.validation`` (never with these
serializers). The classes describe the same contract for drf-spectacular, built from the same constants, so
a limit changed there changes here. Request documents are closed objects (``additionalProperties: false``):
the API rejects unknown fields by name. Amounts are exact decimals sent as strings (preferred) or JSON
numbers.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema_field,
)
from rest_framework import serializers

from invoices.document.adjustments import (
    MAX_ADJUSTMENTS,
    MAX_EXEMPTION_REASON_LENGTH,
    MAX_REASON_LENGTH,
    TAX_CATEGORIES,
)
from invoices.document.currencies import CURRENCIES
from invoices.document.fields import _MAX_NUMBER_TEXT as MAX_NUMBER_TEXT
from invoices.document.legacy import DEFAULT_CURRENCY
from invoices.document.parties import (
    MAX_ADDRESS_LINE_LENGTH,
    MAX_ADDRESS_LINES,
    MAX_CITY_LENGTH,
    MAX_ELECTRONIC_ADDRESS_LENGTH,
    MAX_EMAIL_LENGTH,
)
from invoices.document.validation import (
    DOCUMENT_TYPES,
    FORMATS,
    MAX_AMOUNT,
    MAX_BUYER_REFERENCE_LENGTH,
    MAX_CODE_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_INVOICE_NUMBER_LENGTH,
    MAX_LINES,
    MAX_LOCALE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_PAYMENT_TERMS_LENGTH,
    MAX_PERCENT_DECIMALS,
    MAX_QUANTITY_DECIMALS,
    MAX_REFERENCE_LENGTH,
    MAX_SERIES_CODE_LENGTH,
    MAX_SIGNIFICANT_DIGITS,
    MAX_UNIT_PRICE_DECIMALS,
    PAGE_SIZES,
    PERCENT,
    UBL_PROFILES,
)
from invoices.i18n.locales import LANGUAGES
from invoices.models import InvoiceFormat

# --- Values -----------------------------------------------------------------------------------------

# A number written as text: JSON's number grammar without a sign (negative amounts are refused).
NUMBER_TEXT_PATTERN = r"^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
# An amount as the API writes it: the currency's decimals, no exponent.
MONEY_TEXT_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
PAGE_SIZE_CHOICES = list(PAGE_SIZES.values())


def _decimal(maximum: int, example: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "oneOf": [
            {
                "type": "string",
                "pattern": NUMBER_TEXT_PATTERN,
                "maxLength": MAX_NUMBER_TEXT,
                "example": example,
            },
            {"type": "number", "minimum": 0, "maximum": maximum},
        ],
    }


@extend_schema_field(
    _decimal(
        int(MAX_AMOUNT),
        "12.50",
        f'An exact decimal number, never negative: a string such as `"12.50"` (recommended) or a JSON '
        f"number (read exactly, never as a binary float). At most {int(MAX_AMOUNT):,} and "
        f"{MAX_SIGNIFICANT_DIGITS} significant digits. `NaN` and `Infinity` are refused.",
    ),
    component_name="Amount",
)
class AmountField(serializers.Field):
    pass


@extend_schema_field(
    _decimal(
        int(PERCENT.maximum),
        "20",
        f"A percentage from 0 to {int(PERCENT.maximum)} with up to {MAX_PERCENT_DECIMALS} decimals, as a "
        "string such as "
        f'`"20"` or `"5.5"` or a JSON number. Defaults to 0.',
    ),
    component_name="Percent",
)
class PercentField(serializers.Field):
    pass


@extend_schema_field(
    {
        "description": "BT-114, the one amount that may be negative (at most 1 either way): rounds the "
        'amount due to a cash unit, such as `"-0.02"`.',
        "oneOf": [
            {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "maxLength": MAX_NUMBER_TEXT},
            {"type": "number", "minimum": -1, "maximum": 1},
        ],
    },
    component_name="RoundingAmount",
)
class SignedAmountField(serializers.Field):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": list(FORMATS),
        "description": "A rendition: `pdf`, `xlsx` (`excel` is a synonym), `csv`, `ubl` (UBL 2.1 XML), `cii` "
        "(UN/CEFACT CII D16B XML) or `facturx` (PDF/A-3 with its CII XML attached; `factur-x` and `zugferd` "
        "are synonyms). Matched without regard to case. Default `pdf`.",
    },
    component_name="RequestedFormat",
)
class RequestedFormatField(serializers.Field):
    pass


@extend_schema_field(
    {"type": "string", "enum": list(InvoiceFormat.values), "description": "The format of the file."},
    component_name="InvoiceFormat",
)
class InvoiceFormatField(serializers.Field):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": sorted(CURRENCIES),
        "description": "ISO 4217 code in capitals. Its minor units govern rounding and display (JPY 0, "
        "EUR 2, KWD 3).",
    },
    component_name="Currency",
)
class CurrencyField(serializers.Field):
    pass


@extend_schema_field(
    {
        "description": "An item id: a string or a whole number (printed as the SKU).",
        "oneOf": [
            {"type": "string", "maxLength": MAX_CODE_LENGTH},
            {"type": "integer", "minimum": 0},
        ],
    },
    component_name="LegacyItemId",
)
class LegacyItemIdField(serializers.Field):
    pass


def _text(max_length: int, help_text: str, *, required: bool = False) -> serializers.CharField:
    # Optional text may be empty; required text may not be blank.
    return serializers.CharField(
        max_length=max_length, required=required, allow_blank=not required, help_text=help_text
    )


def _page_size() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=PAGE_SIZE_CHOICES,
        required=False,
        help_text="Paper size of the PDF; matched without regard to case. Default `A4`.",
    )


# --- The request document ---------------------------------------------------------------------------


class ClosedObjectSerializer(serializers.Serializer):
    """Base of the request-document serializers: their objects reject unknown fields."""


class ClosedObjectExtension(OpenApiSerializerExtension):
    """Adds ``additionalProperties: false``: the API answers 400 naming any field it does not know."""

    target_class = ClosedObjectSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


_COUNTRY_TEXT = "ISO 3166-1 alpha-2 (BT-40, BT-55); the party's country."
STRUCTURED_ADDRESS: dict[str, Any] = {
    "type": "object",
    "description": "An address in parts, as the e-invoice formats need it (BG-5, BG-8, BG-15).",
    "properties": {
        "lines": {
            "type": "array",
            "items": {"type": "string", "maxLength": MAX_ADDRESS_LINE_LENGTH},
            "maxItems": MAX_ADDRESS_LINES,
            "description": "Street and building (BT-35..37, BT-50..52); the XML formats take 3.",
        },
        "city": {
            "type": "string",
            "maxLength": MAX_CITY_LENGTH,
            "description": "BT-37, BT-52; required by XML.",
        },
        "postal_code": {"type": "string", "maxLength": MAX_CODE_LENGTH, "description": "BT-38, BT-53."},
        "country_subdivision": {
            "type": "string",
            "maxLength": MAX_CITY_LENGTH,
            "description": "BT-39, BT-54.",
        },
        "country": {"type": "string", "pattern": COUNTRY_PATTERN, "description": _COUNTRY_TEXT},
    },
    "additionalProperties": False,
}


class ElectronicAddressSerializer(ClosedObjectSerializer):
    """Where the party receives e-invoices (BT-34, BT-49): Peppol and XRechnung require one."""

    scheme = _text(8, "An EAS code: `0088` GLN, `0204` Leitweg-ID, `9930` German VAT, `EM` email, ...")
    id = _text(MAX_ELECTRONIC_ADDRESS_LENGTH, "The address within that scheme.", required=True)


class ContactSerializer(ClosedObjectSerializer):
    """A contact person (BG-6 for the seller, BG-9 for the buyer); XRechnung requires the seller's."""

    name = _text(MAX_NAME_LENGTH, "BT-41, BT-56.")
    phone = _text(MAX_CODE_LENGTH, "BT-42, BT-57.")
    email = serializers.EmailField(max_length=MAX_EMAIL_LENGTH, required=False, allow_blank=True)


@extend_schema_field(
    {
        "description": "Either a list of printed lines, or a structured address (which the XML formats "
        "need: city, postal code and country).",
        "oneOf": [
            {"type": "array", "items": {"type": "string", "maxLength": MAX_ADDRESS_LINE_LENGTH},
             "maxItems": MAX_ADDRESS_LINES},
            STRUCTURED_ADDRESS,
        ],
    }
)  # fmt: skip
class AddressField(serializers.Field):
    pass


class PartySerializer(ClosedObjectSerializer):
    """A seller (BG-4), buyer (BG-7) or delivery party (BG-13)."""

    name = _text(MAX_NAME_LENGTH, "Name of the person or company (BT-27, BT-44).", required=True)
    address = AddressField(required=False)
    country = serializers.RegexField(
        COUNTRY_PATTERN,
        required=False,
        help_text="An assigned ISO 3166-1 alpha-2 code in capitals, such as `FR` (`ZZ` is refused); printed "
        "on the PDF as the country's name in the invoice's language.",
    )
    tax_id = _text(
        MAX_CODE_LENGTH,
        "VAT or other tax identification number. For a party in an EU member state (or an id with an EU VAT "
        "prefix), a VAT number with valid check digits, stored compact with its prefix (`DE136695976`); "
        "other tax ids: letters, digits and separators with at least one digit.",
    )
    vat_id = _text(
        MAX_CODE_LENGTH,
        "VAT identifier with its country prefix (BT-31, BT-48), such as `DE136695976`; EU numbers are "
        "checked. When absent, a `tax_id` that is an EU VAT number is used.",
    )
    legal_id = _text(
        MAX_CODE_LENGTH, "Legal registration id, such as a trade register number (BT-30, BT-47)."
    )
    electronic_address = ElectronicAddressSerializer(required=False)
    contact = ContactSerializer(required=False)
    email = serializers.EmailField(max_length=MAX_EMAIL_LENGTH, required=False, allow_blank=True)
    phone = _text(MAX_CODE_LENGTH, "Phone number as printed.")


class AdjustmentSerializer(ClosedObjectSerializer):
    """An allowance or a charge: a fixed `amount` or a `percent` of the base (one of the two), with a
    `reason` or a `reason_code` (UNTDID 5189 for allowances, 7161 for charges)."""

    amount = AmountField(required=False, help_text="With at most the currency's decimals.")
    percent = PercentField(required=False)
    reason = _text(MAX_REASON_LENGTH, "What it is for (BT-97, BT-104, BT-139, BT-144).")
    reason_code = _text(
        8, "UNTDID 5189 (allowances: `95` discount, ...) or 7161 (charges: `FC` freight, ...)."
    )


class DocumentAdjustmentSerializer(AdjustmentSerializer):
    """A document-level allowance (BG-20) or charge (BG-21), taxed in its own category and rate."""

    base = AmountField(
        required=False, help_text="What a percent applies to; default the line total (BT-106)."
    )
    tax_category = serializers.ChoiceField(choices=list(TAX_CATEGORIES), required=False)
    tax_rate = PercentField(required=False)


class LineSerializer(ClosedObjectSerializer):
    """One line item (BG-25). Its net (BT-131) is quantity x (unit price / price base quantity), rounded
    half-up to the currency, less its allowances plus its charges (each rounded)."""

    sku = _text(MAX_CODE_LENGTH, "Article number.")
    description = _text(
        MAX_DESCRIPTION_LENGTH, "What was sold; may contain line breaks and tabs.", required=True
    )
    quantity = AmountField(help_text=f"Up to {MAX_QUANTITY_DECIMALS} decimals.")
    unit = _text(
        MAX_CODE_LENGTH,
        "Unit of the quantity: a UN/ECE Rec 20 code (`C62` one, `HUR` hour, `KGM` kilogram; BT-130), which "
        "the XML formats need, or free text such as `kg`, printed as given.",
    )
    unit_price = AmountField(
        help_text=f"Net price of one unit, up to {MAX_UNIT_PRICE_DECIMALS} decimals (finer than the currency "
        "is allowed: the line amount is rounded). Quantity x unit price must not exceed the ceiling."
    )
    price_base_quantity = AmountField(required=False, help_text="Units the unit price is for (BT-149); 1.")
    tax_rate = PercentField(required=False)
    tax_category = serializers.ChoiceField(
        choices=list(TAX_CATEGORIES),
        required=False,
        help_text="UNCL 5305 (BT-151): `S` standard (default above 0 %), `Z` zero rated (default at 0 %), "
        "`E` exempt, `AE` reverse charge, `K` intra-community, `G` export, `O` not subject to VAT, `L`, `M`.",
    )
    exemption_reason = _text(
        MAX_EXEMPTION_REASON_LENGTH,
        "Why the line is exempt (BT-120); E needs it or a code; AE, K, G, O default.",
    )
    exemption_reason_code = _text(30, "A VATEX code such as `VATEX-EU-132-1C` (BT-121).")
    discount_percent = PercentField(required=False, help_text="A percentage allowance (reason Discount).")
    allowances = serializers.ListField(
        child=AdjustmentSerializer(), max_length=MAX_ADJUSTMENTS, required=False
    )
    charges = serializers.ListField(child=AdjustmentSerializer(), max_length=MAX_ADJUSTMENTS, required=False)


class ShippingSerializer(ClosedObjectSerializer):
    """A shipping charge (a document charge with code FC), taxed at its own rate."""

    amount = AmountField(help_text="Net amount with at most the currency's decimals (EUR 2, JPY 0, KWD 3).")
    tax_rate = PercentField(required=False)
    tax_category = serializers.ChoiceField(choices=list(TAX_CATEGORIES), required=False)


class PaymentSerializer(ClosedObjectSerializer):
    """Payment details printed on the invoice."""

    iban = _text(
        MAX_CODE_LENGTH,
        "IBAN (ISO 13616) with valid check digits and its country's length and format; spaces allowed. "
        "Stored compact, printed on the PDF in groups of four.",
    )
    bic = _text(MAX_CODE_LENGTH, "BIC (ISO 9362): 8 or 11 characters, such as `DEUTDEFF500`.")
    reference = _text(MAX_REFERENCE_LENGTH, "Remittance reference (BT-83).")
    means_code = _text(
        8, "UNTDID 4461 (BT-81): `58` SEPA credit transfer (the default with an IBAN), `30`, `59`, ..."
    )
    account_name = _text(MAX_NAME_LENGTH, "Account holder (BT-85).")


class ClaimedTotalsSerializer(ClosedObjectSerializer):
    """The client's own totals, optional: each one sent must equal the server's computation (otherwise
    400 naming both values). They are never printed."""

    line_total = AmountField(required=False, help_text="Sum of the line nets (BT-106).")
    allowances = AmountField(required=False, help_text="Sum of the document allowances (BT-107).")
    charges = AmountField(
        required=False, help_text="Sum of the document charges, shipping included (BT-108)."
    )
    net = AmountField(required=False, help_text="Line total - allowances + charges (BT-109).")
    tax = AmountField(required=False, help_text="Tax, per category and rate on the summed nets (BT-110).")
    gross = AmountField(required=False, help_text="Net + tax (BT-112).")
    payable = AmountField(required=False, help_text="Gross - prepaid + rounding (BT-115).")


class PrecedingInvoiceSerializer(ClosedObjectSerializer):
    """The invoice a credit note corrects (BG-3)."""

    number = _text(MAX_INVOICE_NUMBER_LENGTH, "Its number (BT-25).", required=True)
    issue_date = serializers.DateField(required=False, help_text="Its issue date (BT-26).")
    id = serializers.UUIDField(required=False, help_text="Its id here, when it is one of yours.")


class PeriodSerializer(ClosedObjectSerializer):
    """The billing period (BG-14)."""

    start = serializers.DateField(help_text="BT-73.")
    end = serializers.DateField(help_text="BT-74, not before the start.")


class InvoiceDataSerializer(ClosedObjectSerializer):
    """The invoice itself."""

    type = serializers.ChoiceField(
        choices=list(DOCUMENT_TYPES),
        required=False,
        help_text="`invoice` (380, the default) or `credit_note` (381, needs `preceding_invoice`).",
    )
    number = serializers.CharField(
        max_length=MAX_INVOICE_NUMBER_LENGTH,
        required=False,
        allow_null=True,
        help_text="Invoice number (BT-1); printable characters. Required unless `series` is given (then "
        "absent or `null`).",
    )
    series = serializers.CharField(
        max_length=MAX_SERIES_CODE_LENGTH,
        required=False,
        help_text="The code of one of your number series (`/api/number-series/`): the invoice gets its next "
        "number when it is issued. Instead of `number`.",
    )
    issue_date = serializers.DateField(help_text="`YYYY-MM-DD`.")
    due_date = serializers.DateField(required=False, help_text="`YYYY-MM-DD`, not before the issue date.")
    currency = CurrencyField()
    language = serializers.ChoiceField(
        choices=list(LANGUAGES),
        required=False,
        help_text=(
            "Language of the invoice's words (its gettext catalog); matched without regard to case. "
            "Default: the language of `locale`, else the account's default locale's, else `en`."
        ),
    )
    locale = serializers.CharField(
        required=False,
        max_length=MAX_LOCALE_LENGTH,
        help_text=(
            "BCP 47 locale (`de-DE`, `de-CH`, `en-IN`, `ar-EG`, `zh-Hans-CN`) whose CLDR formats the PDF's "
            "amounts, percentages and dates use. Default: `language` as written in the buyer's country "
            "(`de` + `CH` -> `de-CH`), else the account's default locale, else `en` in the buyer's country. "
            "Its language must be one of `language`'s and match `language` when both are given."
        ),
    )
    amount_in_words = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Print the amount due in words under the total, in the invoice's language.",
    )
    preceding_invoice = PrecedingInvoiceSerializer(required=False)
    buyer_reference = _text(MAX_BUYER_REFERENCE_LENGTH, "BT-10; for German public buyers the Leitweg-ID.")
    order_reference = _text(MAX_BUYER_REFERENCE_LENGTH, "The buyer's order number (BT-13).")
    delivery_date = serializers.DateField(required=False, help_text="BT-72, `YYYY-MM-DD`.")
    billing_period = PeriodSerializer(required=False)
    seller = PartySerializer()
    buyer = PartySerializer()
    ship_to = PartySerializer(required=False, help_text="Delivery address, when it differs from the buyer.")
    lines = serializers.ListField(child=LineSerializer(), min_length=1, max_length=MAX_LINES)
    shipping = ShippingSerializer(required=False)
    allowances = serializers.ListField(
        child=DocumentAdjustmentSerializer(), max_length=MAX_ADJUSTMENTS, required=False
    )
    charges = serializers.ListField(
        child=DocumentAdjustmentSerializer(), max_length=MAX_ADJUSTMENTS, required=False
    )
    prepaid_amount = AmountField(required=False, help_text="Already paid (BT-113).")
    rounding_amount = SignedAmountField(required=False)
    notes = _text(MAX_NOTES_LENGTH, "Free text printed under the totals; may contain line breaks.")
    payment_terms = _text(MAX_PAYMENT_TERMS_LENGTH, "Such as `Net 30`; may contain line breaks.")
    payment = PaymentSerializer(required=False)
    totals = ClaimedTotalsSerializer(required=False)


class InvoiceDocumentSerializer(ClosedObjectSerializer):
    """An invoice to render. Text may not contain control characters (only `description`, `notes` and
    `payment_terms` may contain line breaks and tabs); surrounding blanks are removed; `null` counts as
    absent. Codes (number, SKU, tax id, phone, email, IBAN, BIC, reference, country) may not contain
    bidirectional controls; free text loses its bidirectional embeddings, overrides and isolates. All the
    text of one invoice together is at most 200,000 characters."""

    format = RequestedFormatField(required=False)
    formats = serializers.ListField(
        child=RequestedFormatField(),
        min_length=1,
        max_length=6,
        required=False,
        help_text="The renditions to make, each once; the first is the default download. Instead of "
        "`format`.",
    )
    page_size = _page_size()
    ubl_profile = serializers.ChoiceField(
        choices=list(UBL_PROFILES),
        required=False,
        help_text="`peppol` (Peppol BIS Billing 3.0, default) or `xrechnung` (XRechnung 3.0).",
    )
    cii_profile = serializers.ChoiceField(
        choices=["factur-x", "xrechnung"],
        required=False,
        help_text="`factur-x` (Factur-X / ZUGFeRD EN 16931, default) or `xrechnung` (XRechnung 3.0).",
    )
    invoice = InvoiceDataSerializer()


class LegacyItemSerializer(ClosedObjectSerializer):
    """One item of the original format."""

    id = LegacyItemIdField(required=False)
    description = _text(MAX_DESCRIPTION_LENGTH, "What was sold.", required=True)
    qty = AmountField(help_text=f"Quantity, up to {MAX_QUANTITY_DECIMALS} decimals.")
    unit_price = AmountField(help_text=f"Net unit price, up to {MAX_UNIT_PRICE_DECIMALS} decimals.")
    total = AmountField(required=False, help_text="qty x unit_price as the client computed it; checked.")


_LEGACY_ADDRESS_LENGTH = MAX_ADDRESS_LINES * MAX_ADDRESS_LINE_LENGTH
_LEGACY_ADDRESS_HELP = (
    f"One string; its comma-separated parts are printed one per line (at most {MAX_ADDRESS_LINES} parts "
    f"of {MAX_ADDRESS_LINE_LENGTH} characters)."
)


class LegacyInvoiceSerializer(ClosedObjectSerializer):
    """The original service's flat format (`tests/invoices/data/legacy_sample_invoice.json`), still
    accepted. One invoice-wide `tax_rate` applies to every item; the buyer needs `bill_to_name`,
    `bill_to_company` or `bill_to_address`. The amounts the client computed (`total`, `subtotal`,
    `tax_amount`, `total_amount`) are checked against the server's."""

    format = RequestedFormatField(required=False)
    page_size = _page_size()
    currency = CurrencyField(
        required=False, help_text=f"Default `{DEFAULT_CURRENCY.code if DEFAULT_CURRENCY else ''}`."
    )
    invoice_no = _text(MAX_INVOICE_NUMBER_LENGTH, "Invoice number.", required=True)
    date = serializers.DateField(help_text="Issue date, `YYYY-MM-DD`.")
    company_name = _text(MAX_NAME_LENGTH, "The seller.", required=True)
    company_address = _text(_LEGACY_ADDRESS_LENGTH, _LEGACY_ADDRESS_HELP)
    company_phone = _text(MAX_CODE_LENGTH, "The seller's phone number.")
    bill_to_name = _text(MAX_NAME_LENGTH, "The buyer's name.")
    bill_to_company = _text(MAX_NAME_LENGTH, "The buyer's company.")
    bill_to_address = _text(_LEGACY_ADDRESS_LENGTH, _LEGACY_ADDRESS_HELP)
    ship_to_name = _text(MAX_NAME_LENGTH, "Delivery: name.")
    ship_to_company = _text(MAX_NAME_LENGTH, "Delivery: company.")
    ship_to_address = _text(_LEGACY_ADDRESS_LENGTH, _LEGACY_ADDRESS_HELP)
    items = serializers.ListField(child=LegacyItemSerializer(), min_length=1, max_length=MAX_LINES)
    subtotal = AmountField(required=False, help_text="Net total as the client computed it; checked.")
    tax_rate = PercentField(required=False)
    tax_amount = AmountField(required=False, help_text="Tax as the client computed it; checked.")
    total_amount = AmountField(required=False, help_text="Gross total as the client computed it; checked.")


INVOICE_UPLOAD = PolymorphicProxySerializer(
    component_name="InvoiceUpload",
    serializers=[InvoiceDocumentSerializer, LegacyInvoiceSerializer],
    resource_type_field_name=None,
)


SAMPLE_DOCUMENT: dict[str, Any] = {
    "format": "pdf",
    "page_size": "A4",
    "invoice": {
        "number": "INV-2026-0042",
        "issue_date": "2026-11-23",
        "due_date": "2026-12-23",
        "currency": "EUR",
        "language": "en",
        "seller": {
            "name": "Nuage Informatique SAS",
            "address": ["12 rue de la Paix", "75002 Paris"],
            "country": "FR",
            "tax_id": "FR40303265045",
            "email": "billing@nuage.example",
        },
        "buyer": {
            "name": "Müller & Söhne GmbH",
            "address": ["Hauptstraße 5", "10115 Berlin"],
            "country": "DE",
        },
        "lines": [
            {
                "sku": "Z345678",
                "description": "Premium Cloud Server",
                "quantity": "2",
                "unit": "h",
                "unit_price": "500.00",
                "tax_rate": "20",
                "discount_percent": "10",
            }
        ],
        "shipping": {"amount": "15.00", "tax_rate": "20"},
        "payment_terms": "Net 30",
        "payment": {"iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"},
        "totals": {"net": "915.00", "tax": "183.00", "gross": "1098.00"},
    },
}

SAMPLE_LEGACY_DOCUMENT: dict[str, Any] = {
    "company_name": "Invoice Solutions",
    "company_address": "123 Tech Lane, Silicon Valley, CA 94025",
    "date": "2026-02-02",
    "invoice_no": "INV-2026-001",
    "bill_to_name": "John Doe",
    "bill_to_address": "456 Innovation Blvd, NY 10001",
    "items": [
        {
            "id": "Z345678",
            "description": "Premium Cloud Server",
            "qty": 2,
            "unit_price": 500.00,
            "total": 1000.00,
        }
    ],
    "subtotal": 1000.00,
    "tax_rate": 8.5,
    "tax_amount": 85.00,
    "total_amount": 1085.00,
}
