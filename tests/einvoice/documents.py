"""Invoices for the e-invoice tests, built as ``InvoiceData`` and computed with ``compute_document``.

Each scenario is complete for every format and profile (Peppol, XRechnung, Factur-X): the parties have
addresses, VAT ids, electronic addresses and a seller contact, and there is a Leitweg-ID and a SEPA credit
transfer. The scenarios then exercise one thing each: allowances and charges, a VAT category, a currency,
a credit note, size.
"""

import dataclasses
from datetime import date
from decimal import Decimal

from invoices.document.model import (
    Adjustment,
    Contact,
    Currency,
    Document,
    ElectronicAddress,
    InvoiceData,
    InvoiceReference,
    Line,
    Party,
    Payment,
    Period,
    RenderOptions,
)
from invoices.document.money import compute_document

D = Decimal
EUR = Currency("EUR", 2)
JPY = Currency("JPY", 0)
# KWD has 3 minor units, but an e-invoice carries at most 2 (BR-DEC-*): validation computes it with 2.
KWD_E_INVOICE = Currency("KWD", 2)

SELLER = Party(
    name="Muster Software GmbH",
    address=("Hauptstraße 1", "Gebäude B"),
    city="Berlin",
    postal_code="10115",
    country="DE",
    vat_id="DE136695976",
    tax_id="30/123/45678",
    legal_id="HRB 123456 B",
    email="billing@muster.example",
    phone="+49 30 1234567",
    electronic_address=ElectronicAddress("9930", "DE136695976"),  # Peppol takes no email (EM) address
    contact=Contact(name="Anna Muster", phone="+49 30 1234568", email="anna@muster.example"),
)
BUYER = Party(
    name="Acme SA",
    address=("12 rue de la Paix",),
    city="Paris",
    postal_code="75002",
    country="FR",
    vat_id="FR40303265045",
    electronic_address=ElectronicAddress("0009", "30326504500017"),
)
DOMESTIC_BUYER = Party(
    name="Stadt Musterstadt",
    address=("Rathausplatz 1",),
    city="Musterstadt",
    postal_code="12345",
    country="DE",
    vat_id="DE129273398",
    electronic_address=ElectronicAddress("0204", "04011000-12345-34"),
)
PAYMENT = Payment(
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    reference="INV-2026-0001",
    means_code="58",
    account_name="Muster Software GmbH",
)

PROFILES = {
    "ubl-peppol": ("ubl", RenderOptions(format="ubl", ubl_profile="peppol")),
    "ubl-xrechnung": ("ubl", RenderOptions(format="ubl", ubl_profile="xrechnung")),
    "cii-facturx": ("cii", RenderOptions(format="cii", cii_profile="factur-x")),
    "cii-xrechnung": ("cii", RenderOptions(format="cii", cii_profile="xrechnung")),
}


def line(description: str, quantity: str, price: str, rate: str = "19", **fields: object) -> Line:
    category = "S" if D(rate) > 0 else "Z"
    return Line(
        description=description,
        quantity=D(quantity),
        unit_price=D(price),
        tax_rate=D(rate),
        **{"tax_category": category, **fields},  # type: ignore[arg-type]
    )


def discount(percent: str) -> tuple[Adjustment, ...]:
    return (Adjustment(percent=D(percent), reason="Discount", reason_code="95"),)


def on_document(amount: str = "", category: str = "S", rate: str = "19", **fields: object) -> Adjustment:
    """A document-level allowance or charge (an amount unless ``percent=`` is given)."""
    value = {"amount": D(amount)} if amount else {}
    return Adjustment(**value, tax_category=category, tax_rate=D(rate), **fields)  # type: ignore[arg-type]


def invoice(*lines: Line, **fields: object) -> InvoiceData:
    base: dict[str, object] = {
        "number": "INV-2026-0001",
        "issue_date": date(2026, 3, 2),
        "currency": EUR,
        "seller": SELLER,
        "buyer": BUYER,
        "lines": lines or (line("Consulting", "10", "120.00", unit="HUR", unit_code="HUR"),),
        "due_date": date(2026, 4, 1),
        "buyer_reference": "04011000-12345-34",
        "order_reference": "PO-4711",
        "delivery_date": date(2026, 2, 27),
        "notes": "Thank you for your order.",
        "payment_terms": "Payable within 30 days.",
        "payment": PAYMENT,
    }
    base.update(fields)
    return InvoiceData(**base)  # type: ignore[arg-type]


def allowances_and_charges() -> InvoiceData:
    """Line and document allowances and charges, as amounts and percentages, with base quantities,
    two VAT rates, prepaid and rounding amounts."""
    return invoice(
        line(
            "Licence\nAnnual licence for 25 seats, renewed each March",
            "25",
            "39.90",
            unit="C62",
            unit_code="C62",
            sku="LIC-25",
            allowances=discount("10"),
            charges=(Adjustment(amount=D("15.00"), reason="Setup"),),
        ),
        line(
            "Printed manuals",
            "3",
            "12.5",
            rate="7",
            unit="kg",
            price_base_quantity=D("10"),
            allowances=(Adjustment(amount=D("0.50"), reason="Damaged cover"),),
        ),
        line("Cables", "7", "3.333333", charges=(Adjustment(percent=D("2.5"), reason_code="PC"),)),
        allowances=(
            on_document(percent=D("3"), reason="Loyalty", reason_code="100"),
            on_document("1.00", rate="7", reason="Voucher"),
        ),
        charges=(
            on_document("9.90", reason="Shipping", reason_code="FC"),
            on_document(percent=D("1.5"), base=D("200.00"), reason="Additional packaging", reason_code="ABL"),
        ),
        prepaid_amount=D("100.00"),
        rounding_amount=D("-0.02"),
    )


def exempt() -> InvoiceData:
    return invoice(
        line("Training course", "2", "450.00"),
        line(
            "Medical examination",
            "1",
            "180.00",
            rate="0",
            tax_category="E",
            exemption_reason="Exempt under Article 132(1)(c) of Directive 2006/112/EC",
            exemption_reason_code="VATEX-EU-132-1C",
        ),
    )


def reverse_charge() -> InvoiceData:
    return invoice(
        line(
            "Construction work",
            "40",
            "65.00",
            rate="0",
            unit_code="HUR",
            tax_category="AE",
            exemption_reason="Reverse charge",
            exemption_reason_code="VATEX-EU-AE",
        ),
    )


def intra_community() -> InvoiceData:
    return invoice(
        line(
            "Machine part",
            "5",
            "240.00",
            rate="0",
            tax_category="K",
            exemption_reason="Intra-community supply",
            exemption_reason_code="VATEX-EU-IC",
        ),
        ship_to=Party(
            name="Acme SA, Warehouse", address=("ZI Nord",), city="Lyon", postal_code="69001", country="FR"
        ),
        charges=(on_document("25.00", "K", "0", reason="Freight", reason_code="FC"),),
    )


def export() -> InvoiceData:
    buyer = dataclasses.replace(
        BUYER,
        name="Globex Inc.",
        address=("1 Main St",),
        city="Springfield",
        postal_code="62701",
        country="US",
        vat_id="",
        legal_id="EIN 12-3456789",
        country_subdivision="IL",
    )
    return invoice(
        line(
            "Software support",
            "12",
            "99.00",
            rate="0",
            tax_category="G",
            exemption_reason="Export outside the EU",
            exemption_reason_code="VATEX-EU-G",
        ),
        buyer=buyer,
        currency=Currency("USD", 2),
    )


def not_subject() -> InvoiceData:
    """Category O: no VAT ids at all (BR-O-02); the seller is identified by its registration."""
    seller = dataclasses.replace(SELLER, vat_id="", tax_id="")
    buyer = dataclasses.replace(BUYER, vat_id="")
    return invoice(
        line(
            "Compensation for damages",
            "1",
            "500.00",
            rate="0",
            tax_category="O",
            exemption_reason="Not subject to VAT",
            exemption_reason_code="VATEX-EU-O",
        ),
        seller=seller,
        buyer=buyer,
    )


def zero_rated() -> InvoiceData:
    return invoice(line("Books", "4", "19.95", rate="0"), line("Newspaper", "1", "120.00", rate="0"))


def yen() -> InvoiceData:
    return invoice(
        line("Consulting", "3", "15000", rate="10", allowances=discount("5")),
        line("Travel", "1", "8250", rate="10"),
        currency=JPY,
        charges=(on_document("1200", rate="10", reason="Shipping", reason_code="FC"),),
        prepaid_amount=D("5000"),
    )


def dinar() -> InvoiceData:
    return invoice(
        line("Consulting", "3", "125.125", rate="5"),
        line("Hosting", "12", "9.99", rate="5", allowances=discount("7.5")),
        currency=KWD_E_INVOICE,
    )


def credit_note() -> InvoiceData:
    return invoice(
        line("Returned licence", "2", "39.90", allowances=discount("10")),
        number="CN-2026-0001",
        type="credit_note",
        preceding=(InvoiceReference("INV-2026-0001", date(2026, 3, 2)),),
        payment_terms="Refunded to your account within 14 days.",
    )


def many_lines(count: int = 300) -> InvoiceData:
    rates = ("19", "7", "0")
    lines = tuple(
        line(
            f'Item {n} <&> "quoted"',
            str(n % 7 + 1),
            str(n % 50 + D("0.99")),
            rate=rates[n % 3],
            sku=f"SKU-{n}",
        )
        for n in range(count)
    )
    return invoice(*lines, billing_period=Period(date(2026, 2, 1), date(2026, 2, 28)))


def domestic_german() -> InvoiceData:
    """XRechnung's home case: a German seller, a German public buyer addressed by its Leitweg-ID."""
    return invoice(
        line("Consulting", "8", "110.00", unit_code="HUR"),
        buyer=DOMESTIC_BUYER,
        # XRechnung's cash discount line (BR-DE-18): 2 % within 14 days.
        payment_terms="Zahlbar innerhalb von 30 Tagen.\n#SKONTO#TAGE=14#PROZENT=2.00#",
    )


def canary_islands() -> InvoiceData:
    """IGIC (L) and IPSI (M), the Spanish territories outside the EU VAT area, at their own rates."""
    seller = dataclasses.replace(
        SELLER, country="ES", city="Las Palmas", postal_code="35001", vat_id="ESA12345674"
    )
    return invoice(
        line("Thing", "2", "50.00", rate="7", tax_category="L"),
        line("Other thing", "1", "80.00", rate="4", tax_category="M"),
        seller=seller,
    )


SCENARIOS = {
    "allowances_and_charges": allowances_and_charges,
    "exempt": exempt,
    "reverse_charge": reverse_charge,
    "intra_community": intra_community,
    "export": export,
    "not_subject": not_subject,
    "zero_rated": zero_rated,
    "jpy": yen,
    "kwd": dinar,
    "credit_note": credit_note,
    "300_lines": many_lines,
    "domestic_german": domestic_german,
    "canary_islands": canary_islands,
}


def document(name: str) -> Document:
    return compute_document(SCENARIOS[name]())
