"""Documents that use what EN 16931 adds, built straight from ``InvoiceData`` through the money module.

For the PDF, XLSX and CSV tests: a credit note, line and document allowances and charges by amount and by
percentage, prices per base quantity, Rec 20 units, prepaid and rounding amounts, exempt and reverse-charge
lines with their reasons, JPY, and long invoices.
"""

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

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
)
from invoices.document.money import compute_document

EUR = Currency("EUR", 2)
JPY = Currency("JPY", 0)
D = Decimal

SELLER = Party(
    name="Werkzeugbau Lindner GmbH",
    address=("Industriestraße 14", "Halle 3"),
    city="München",
    postal_code="80331",
    country="DE",
    vat_id="DE129273398",
    tax_id="143/123/45678",
    legal_id="HRB 123456 Amtsgericht München",
    email="rechnung@lindner.example",
    phone="+49 89 1234 5670",
    electronic_address=ElectronicAddress("9930", "DE129273398"),
    contact=Contact(name="Sabine Huber", phone="+49 89 1234 5671", email="s.huber@lindner.example"),
)
BUYER = Party(
    name="Brouwerij De Kroon NV",
    address=("Kerkstraat 7",),
    city="Leuven",
    postal_code="3000",
    country_subdivision="Vlaams-Brabant",
    country="BE",
    vat_id="BE0417497106",
    legal_id="0417.497.106",
    contact=Contact(name="Jan Peeters", email="aankoop@dekroon.example"),
)
SHIP_TO = Party(
    name="De Kroon Magazijn", address=("Havenlaan 2",), city="Antwerpen", postal_code="2000", country="BE"
)


def line(description: str, quantity: str, price: str, rate: str = "19", **fields: Any) -> Line:
    return Line(
        description=description, quantity=D(quantity), unit_price=D(price), tax_rate=D(rate), **fields
    )


def rich_data(**changes: object) -> InvoiceData:
    """A German seller's invoice to a Belgian company: every feature the renditions print, at once.

    Worked by hand (EUR):
      1  12.5 h x 95.00 = 1,187.50; less 10 % volume discount 118.75, plus 25.00 travel  -> 1,093.75 S 19
      2  1,500 pcs at 12.50 / 100 = 187.50; less 7.50 discount                             ->   180.00 S 19
      3  42.5 m x 3.20 = 136.00; plus 5 % cutting 6.80                                     ->   142.80 S 7
      4  3 days x 480.00 installation, reverse charge                                     -> 1,440.00 AE 0
      5  1 training, exempt                                                                ->   350.00 E 0
      lines 3,206.55; allowances: 2 % of 3,206.55 = 64.13 (S 19), loyalty 50.00 (S 19); charges:
      shipping 15.00 (S 19); net 3,107.42
      S 19: 1,093.75 + 180.00 - 64.13 - 50.00 + 15.00 = 1,174.62 -> 223.18; S 7: 142.80 -> 10.00
      tax 233.18; gross 3,340.60; prepaid 1,000.00; rounding -0.60 -> payable 2,340.00
    """
    fields: dict[str, object] = {
        "number": "RE-2026-1187",
        "issue_date": date(2026, 11, 30),
        "due_date": date(2026, 12, 30),
        "currency": EUR,
        "seller": SELLER,
        "buyer": BUYER,
        "ship_to": SHIP_TO,
        "buyer_reference": "04011000-12345-67",
        "order_reference": "PO-88213",
        "billing_period": Period(date(2026, 11, 1), date(2026, 11, 30)),
        "lines": (
            line(
                "Engineering consulting", "12.5", "95.00", unit="HUR", unit_code="HUR", sku="SRV-ENG",
                allowances=(Adjustment(percent=D(10), reason="Volume discount", reason_code="95"),),
                charges=(Adjustment(amount=D("25.00"), reason="Travel", reason_code="FC"),),
            ),
            line(
                "Hex screws M6 x 30, stainless", "1500", "12.50", unit="C62", unit_code="C62", sku="HX-630",
                price_base_quantity=D(100),
                allowances=(Adjustment(amount=D("7.50"), reason="Discount", reason_code="95"),),
            ),
            line(
                "Cable H07RN-F 3G2.5", "42.5", "3.20", "7", unit="MTR", unit_code="MTR", sku="CB-325",
                charges=(Adjustment(percent=D(5), reason="Cutting to length", reason_code="CG"),),
            ),
            line(
                "Installation on site (Leuven)", "3", "480.00", "0", unit="DAY", unit_code="DAY",
                tax_category="AE", exemption_reason="Reverse charge: Article 196 Directive 2006/112/EC",
                exemption_reason_code="VATEX-EU-AE",
            ),
            line(
                "Safety training (accredited)", "1", "350.00", "0", tax_category="E",
                exemption_reason="Exempt under Article 132(1)(i) Directive 2006/112/EC",
                exemption_reason_code="VATEX-EU-132-1I",
            ),
        ),
        "allowances": (
            Adjustment(percent=D(2), reason="Early order", reason_code="64", tax_rate=D(19)),
            Adjustment(amount=D("50.00"), reason="Loyalty", reason_code="95", tax_rate=D(19)),
        ),
        "charges": (Adjustment(amount=D("15.00"), reason="Shipping", reason_code="FC", tax_rate=D(19)),),
        "prepaid_amount": D("1000.00"),
        "rounding_amount": D("-0.60"),
        "payment_terms": "30 days net",
        "notes": "Thank you for your order.",
        "payment": Payment(
            iban="DE89370400440532013000", bic="COBADEFFXXX", reference="RE-2026-1187", means_code="58",
            account_name="Werkzeugbau Lindner GmbH",
        ),
    }  # fmt: skip
    fields.update(changes)
    if "language" in changes and "locale" not in changes:
        fields["locale"] = changes["language"]  # a language code is a locale tag too: "de" is German
    return InvoiceData(**fields)  # type: ignore[arg-type]


def rich_document(**changes: object) -> Document:
    return compute_document(rich_data(**changes))


def credit_note_document(**changes: object) -> Document:
    """A credit note for part of an earlier invoice: two lines back, one with a restocking charge."""
    data = rich_data(
        type="credit_note",
        number="GS-2026-0007",
        issue_date=date(2026, 12, 4),
        preceding=(InvoiceReference("RE-2026-1187", date(2026, 11, 30)),),
        billing_period=None,
        delivery_date=date(2026, 11, 28),
        lines=(
            line(
                "Hex screws M6 x 30, stainless (returned)",
                "500",
                "12.50",
                unit="C62",
                unit_code="C62",
                price_base_quantity=D(100),
            ),
            line(
                "Cable H07RN-F 3G2.5 (damaged)",
                "10",
                "3.20",
                "7",
                unit="MTR",
                unit_code="MTR",
                charges=(Adjustment(amount=D("2.00"), reason="Restocking"),),
            ),
        ),
        allowances=(),
        charges=(),
        prepaid_amount=D(0),
        rounding_amount=D(0),
        notes="We credit the returned goods.",
    )
    if "language" in changes and "locale" not in changes:
        changes["locale"] = changes["language"]
    return compute_document(dataclasses.replace(data, **changes))  # type: ignore[arg-type]


def jpy_document() -> Document:
    """Yen: no minor unit; a percentage allowance and charge that round to whole yen."""
    return rich_document(
        currency=JPY,
        lines=(
            line(
                "Consulting",
                "7.5",
                "12000",
                "10",
                unit="HUR",
                unit_code="HUR",
                allowances=(Adjustment(percent=D("3.3"), reason="Volume discount"),),
            ),
            line(
                "Reduced-rate books",
                "3",
                "1980",
                "8",
                charges=(Adjustment(percent=D("2.5"), reason="Gift wrap"),),
            ),
        ),
        allowances=(Adjustment(amount=D(500), reason="Coupon", tax_rate=D(10)),),
        charges=(Adjustment(percent=D(1), reason="Handling", tax_rate=D(10)),),
        prepaid_amount=D(10000),
        rounding_amount=D(0),
        payment=None,
    )


def long_document(count: int = 300) -> Document:
    """``count`` lines, every third with an allowance and every fifth with a charge."""
    lines = tuple(
        line(
            f"Item {n:04d} spare part", str(1 + n % 7), f"{3 + n % 11}.25", "19" if n % 4 else "7",
            unit="C62", unit_code="C62", sku=f"SP-{n:04d}",
            allowances=(Adjustment(amount=D("1.00"), reason="Discount"),) if n % 3 == 0 else (),
            charges=(Adjustment(percent=D(2), reason="Small quantity"),) if n % 5 == 0 else (),
        )
        for n in range(count)
    )  # fmt: skip
    return rich_document(lines=lines)
