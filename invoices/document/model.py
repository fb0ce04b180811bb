"""The invoice document: validated input (``InvoiceData``) and the computed, frozen ``Document``.

Everything here is plain immutable data. ``validation`` builds ``InvoiceData`` from JSON, ``money`` computes
the ``Document`` from it, and every renderer reads only a ``Document``, so the PDF, the XLSX, the CSV and the
e-invoices (UBL, CII, Factur-X) can never disagree on a number.

Field comments name the EN 16931 business terms (BT-n, groups BG-n) that the e-invoice renditions write.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

OutputFormat = Literal["pdf", "xlsx", "csv", "ubl", "cii", "facturx"]
PageSize = Literal["A4", "letter"]
DocumentType = Literal["invoice", "credit_note"]  # UNTDID 1001: 380 and 381
UblProfile = Literal["peppol", "xrechnung"]  # Peppol BIS Billing 3.0, or XRechnung 3.0 in UBL syntax
CiiProfile = Literal["factur-x", "xrechnung"]  # Factur-X EN 16931, or XRechnung 3.0 in CII syntax

# The formats whose amounts EN 16931 writes with at most two decimals (BR-DEC-*).
E_INVOICE_FORMATS: frozenset[OutputFormat] = frozenset({"ubl", "cii", "facturx"})


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217, e.g. "EUR" (BT-5)
    minor_units: int  # digits after the decimal point that amounts carry: JPY 0, EUR 2


@dataclass(frozen=True)
class ElectronicAddress:
    """Where the party receives e-invoices (BT-34 seller, BT-49 buyer)."""

    scheme: str  # an EAS code: "0088" (GLN), "9930" (German VAT), "0204" (Leitweg-ID), "EM" (email)
    id: str


@dataclass(frozen=True)
class Contact:
    """BG-6 seller contact (BT-41..43), BG-9 buyer contact (BT-56..58)."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Party:
    name: str  # BT-27 / BT-44
    address: tuple[str, ...] = ()  # street lines (BT-35..37 / BT-50..52), or a free-form address
    country: str = ""  # ISO 3166-1 alpha-2, or empty (BT-40 / BT-55)
    tax_id: str = ""  # a tax number as printed: VAT number or national tax number (BT-32 for the seller)
    email: str = ""
    phone: str = ""
    company: str = ""  # a second name line (the legacy format's bill_to_company)
    city: str = ""  # BT-37 / BT-52
    postal_code: str = ""  # BT-38 / BT-53
    country_subdivision: str = ""  # BT-39 / BT-54
    vat_id: str = ""  # VAT identifier with its country prefix (BT-31 / BT-48)
    legal_id: str = ""  # legal registration identifier, e.g. the trade register number (BT-30 / BT-47)
    electronic_address: ElectronicAddress | None = None
    contact: Contact | None = None


@dataclass(frozen=True)
class Adjustment:
    """An allowance or a charge: on a line (BG-27/28) or on the document (BG-20/21).

    Exactly one of ``amount`` and ``percent`` is set by validation. A line's percentage applies to the
    line's gross amount (quantity x net price); a document's to ``base`` (BT-93/100), which defaults to the
    sum of the line nets (BT-106). ``tax_category`` and ``tax_rate`` matter only on the document level; a
    line's adjustments are taxed with the line.
    """

    amount: Decimal | None = None  # BT-92/99/136/141
    percent: Decimal | None = None  # BT-94/101/138/143
    base: Decimal | None = None  # BT-93/100 (document level only)
    reason: str = ""  # BT-97/104/139/144
    reason_code: str = ""  # UNTDID 5189 for allowances, 7161 for charges (BT-98/105/140/145)
    tax_category: str = "S"  # UNCL 5305 (BT-95/102)
    tax_rate: Decimal = Decimal(0)  # percent (BT-96/103)


@dataclass(frozen=True)
class Line:
    description: str  # BT-153 item name (and BT-154 when longer)
    quantity: Decimal  # BT-129
    unit_price: Decimal  # net price (BT-146), for price_base_quantity units
    tax_rate: Decimal  # percent, e.g. Decimal("20") (BT-152)
    sku: str = ""  # seller's item id (BT-155)
    unit: str = ""  # as printed: a UN/ECE Rec 20 code or free text ("kg", "Stück")
    unit_code: str = ""  # UN/ECE Rec 20 (BT-130) when ``unit`` is one, else ""; the XML writes C62 if ""
    price_base_quantity: Decimal = Decimal(1)  # BT-149
    allowances: tuple[Adjustment, ...] = ()  # today's discount_percent is one of these
    charges: tuple[Adjustment, ...] = ()
    tax_category: str = "S"  # UNCL 5305 (BT-151): S, Z, E, AE, K, G, O, L, M
    exemption_reason: str = ""  # BT-120, for E, AE, K, G and O
    exemption_reason_code: str = ""  # BT-121 (VATEX code)

    @property
    def discount_percent(self) -> Decimal:
        """The percentage when the line's one adjustment is a percentage allowance (today's
        ``discount_percent``), else 0: what a single "Discount %" column can show."""
        if len(self.allowances) == 1 and not self.charges and self.allowances[0].percent is not None:
            return self.allowances[0].percent
        return Decimal(0)


@dataclass(frozen=True)
class Payment:
    iban: str = ""  # BT-84
    bic: str = ""  # BT-86
    reference: str = ""  # remittance information (BT-83)
    means_code: str = ""  # UNTDID 4461 (BT-81): 58 SEPA credit transfer, 30 credit transfer, 59 direct debit
    account_name: str = ""  # BT-85


@dataclass(frozen=True)
class InvoiceReference:
    """A preceding invoice (BG-3), which a credit note corrects."""

    number: str  # BT-25
    issue_date: date | None = None  # BT-26
    invoice_id: uuid.UUID | None = None  # the invoice's id in this service, when it is one of ours


@dataclass(frozen=True)
class Period:
    start: date  # BT-73
    end: date  # BT-74


@dataclass(frozen=True)
class ClaimedTotals:
    """Totals sent by the client; never printed, only checked against the server's own."""

    line_total: Decimal | None = None  # BT-106
    allowances: Decimal | None = None  # BT-107
    charges: Decimal | None = None  # BT-108
    net: Decimal | None = None  # BT-109
    tax: Decimal | None = None  # BT-110
    gross: Decimal | None = None  # BT-112
    payable: Decimal | None = None  # BT-115


@dataclass(frozen=True)
class InvoiceData:
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: Currency
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    due_date: date | None = None  # BT-9
    language: str = "en"  # the catalog language of ``locale`` ("de", "zh-hans"): the invoice's words
    # BCP 47, as CLDR knows it ("de-CH"): its number and date formats (invoices/i18n/locales.py).
    locale: str = "en"
    amount_in_words: bool = False  # print the amount due in words under the total
    ship_to: Party | None = None  # BG-13/15
    type: DocumentType = "invoice"  # BT-3
    preceding: tuple[InvoiceReference, ...] = ()  # BG-3, required for a credit note
    buyer_reference: str = ""  # BT-10 (the German Leitweg-ID)
    order_reference: str = ""  # BT-13
    delivery_date: date | None = None  # BT-72
    billing_period: Period | None = None  # BG-14
    allowances: tuple[Adjustment, ...] = ()  # BG-20
    charges: tuple[Adjustment, ...] = ()  # BG-21; today's ``shipping`` is one of these
    prepaid_amount: Decimal = Decimal(0)  # BT-113
    rounding_amount: Decimal = Decimal(0)  # BT-114, may be negative
    notes: str = ""  # BT-22
    payment_terms: str = ""  # BT-20
    payment: Payment | None = None  # BG-16/17
    claimed_totals: ClaimedTotals | None = None
    # The number series the number is taken from ("INV"), when the upload sent no number; ``number`` is
    # then the one the series gave (or a placeholder before it is assigned).
    series: str = ""


@dataclass(frozen=True)
class BrandStyle:
    """The look of a PDF: one brand version as the renderer needs it (invoices/branding.py makes it).

    ``logo`` holds our own re-encoded bytes (PNG, JPEG, or our sanitized SVG), never an upload's; the
    renderer keeps what it decodes from them per ``logo_sha256`` and process."""

    version_id: str = ""  # the BrandVersion's id; "" for the service's own look
    layout: str = "classic"  # a LayoutName
    layout_version: int = 1
    accent_color: str = "#1f4e79"
    font: str = "sans"  # a FontFamily
    footer: str = ""
    logo: bytes = b""
    logo_content_type: str = ""  # image/png, image/jpeg, image/svg+xml
    logo_sha256: str = ""
    logo_width: int = 0
    logo_height: int = 0


# The version of the classic layout an invoice that names no brand (of an account with none) is issued with
# today; it keeps it for ever (Invoice.layout_version). Version 1 is the look of the invoices issued before
# version 2: the same page through HTML and xhtml2pdf, version 2 drawn directly (renderers/pdf_native.py),
# version 3 version 2 with its defects corrected (renderers/layouts.py, Layout.corrected), version 4 version 3
# with its lines broken as each language and a code need (Layout.typeset, renderers/pdf_breaks.py), version 5
# version 4 composed anew: its closing (last lines, totals, notes, payment details) kept on one page, and more
# (Layout.composed).
OWN_LAYOUT_VERSION = 5
# The look of an invoice issued today that names no brand: the classic layout.
DEFAULT_STYLE = BrandStyle(layout_version=OWN_LAYOUT_VERSION)


@dataclass(frozen=True)
class RenderOptions:
    """How to render. ``formats`` are the renditions the upload asked for (the first is the default
    download); ``format`` is the one a renderer makes now, the first of ``formats`` unless set."""

    format: OutputFormat = "pdf"
    page_size: PageSize = "A4"
    formats: tuple[OutputFormat, ...] = ()
    ubl_profile: UblProfile = "peppol"
    cii_profile: CiiProfile = "factur-x"
    # The brand the upload named (its id or name), "" for the account's default; resolved on upload.
    brand: str = ""
    # The brand version's look, set when a rendition is rendered (invoices.services._render_file).
    style: BrandStyle = DEFAULT_STYLE


@dataclass(frozen=True)
class AdjustmentAmount:
    adjustment: Adjustment
    base: Decimal | None  # what a percentage applied to, or None for a fixed amount
    amount: Decimal  # rounded to the currency


@dataclass(frozen=True)
class LineAmount:
    line: Line
    gross_amount: Decimal  # quantity x (unit price / base quantity), rounded to the currency
    allowances: tuple[AdjustmentAmount, ...]
    charges: tuple[AdjustmentAmount, ...]
    discount: Decimal  # the sum of the line's allowances
    charge: Decimal  # the sum of the line's charges
    net: Decimal  # gross_amount - discount + charge (BT-131)


@dataclass(frozen=True)
class TaxGroup:
    """One VAT breakdown (BG-23): a (category, rate) pair."""

    category: str  # BT-118
    rate: Decimal  # percent (BT-119)
    base: Decimal  # line nets + charges - allowances in this group (BT-116)
    tax: Decimal  # base x rate, rounded once (BT-117, BR-CO-17)
    exemption_reason: str = ""  # BT-120
    exemption_reason_code: str = ""  # BT-121


@dataclass(frozen=True)
class Totals:
    lines_net: Decimal  # sum of line nets (BT-106)
    allowances: Decimal  # sum of document allowances (BT-107)
    charges: Decimal  # sum of document charges (BT-108)
    net: Decimal  # lines_net - allowances + charges (BT-109)
    tax: Decimal  # sum of TaxGroup.tax (BT-110)
    gross: Decimal  # net + tax (BT-112)
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # gross - prepaid + rounding (BT-115)
    tax_groups: tuple[TaxGroup, ...]


@dataclass(frozen=True)
class Document:
    """An invoice ready to render: the input plus every amount the server computed."""

    data: InvoiceData
    lines: tuple[LineAmount, ...]
    totals: Totals
    allowances: tuple[AdjustmentAmount, ...] = ()  # the document's, in input order
    charges: tuple[AdjustmentAmount, ...] = ()


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    content: bytes
