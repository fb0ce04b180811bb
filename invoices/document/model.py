"""The invoice document: validated input (``InvoiceData``) and the computed, frozen ``Document``.

Everything here is plain immutable data. ``schema`` builds ``InvoiceData`` from JSON, ``money`` computes the
``Document`` from it, and every renderer reads only a ``Document``, so the PDF, the XLSX and the CSV can
never disagree on a number.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

OutputFormat = Literal["pdf", "xlsx", "csv"]
PageSize = Literal["A4", "letter"]


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217, e.g. "EUR"
    minor_units: int  # digits after the decimal point: JPY 0, EUR 2, KWD 3


@dataclass(frozen=True)
class Party:
    name: str
    address: tuple[str, ...] = ()
    country: str = ""  # ISO 3166-1 alpha-2, or empty
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""  # a second name line (the legacy format's bill_to_company)


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal  # percent, e.g. Decimal("20")
    discount_percent: Decimal = Decimal(0)
    sku: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Charge:
    """A document-level charge such as shipping, taxed at its own rate (EN 16931 BG-21)."""

    label: str
    amount: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class Payment:
    iban: str = ""
    bic: str = ""
    reference: str = ""


@dataclass(frozen=True)
class ClaimedTotals:
    """Totals sent by the client; never printed, only checked against the server's own."""

    net: Decimal | None = None
    tax: Decimal | None = None
    gross: Decimal | None = None


@dataclass(frozen=True)
class InvoiceData:
    number: str
    issue_date: date
    currency: Currency
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    due_date: date | None = None
    language: str = "en"
    ship_to: Party | None = None
    charges: tuple[Charge, ...] = ()
    notes: str = ""
    payment_terms: str = ""
    payment: Payment | None = None
    claimed_totals: ClaimedTotals | None = None


@dataclass(frozen=True)
class RenderOptions:
    format: OutputFormat = "pdf"
    page_size: PageSize = "A4"


@dataclass(frozen=True)
class LineAmount:
    line: Line
    gross_amount: Decimal  # quantity x unit price, rounded to the currency
    discount: Decimal  # the discount amount, rounded to the currency
    net: Decimal  # gross_amount - discount


@dataclass(frozen=True)
class TaxGroup:
    rate: Decimal  # percent
    base: Decimal  # sum of line nets and charges at this rate
    tax: Decimal  # base x rate, rounded once (EN 16931 BR-CO-17)


@dataclass(frozen=True)
class Totals:
    lines_net: Decimal  # sum of line nets (EN 16931 BT-106)
    charges: Decimal  # sum of document-level charges (BT-108)
    net: Decimal  # lines_net + charges (BT-109)
    tax: Decimal  # sum of TaxGroup.tax (BT-110)
    gross: Decimal  # net + tax (BT-112)
    tax_groups: tuple[TaxGroup, ...]


@dataclass(frozen=True)
class Document:
    """An invoice ready to render: the input plus every amount the server computed."""

    data: InvoiceData
    lines: tuple[LineAmount, ...]
    totals: Totals


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    content: bytes
