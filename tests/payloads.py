"""Invoice payloads shared by every test: the document and renderer tests, the API and end-to-end tests.

``sample_payload()`` is a plain function so a test can change a copy before use:

    payload = sample_payload()
    payload["invoice"]["lines"][0]["quantity"] = "-1"
"""

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from invoices.document.model import Document, RenderOptions
from invoices.document.validation import read_request

DATA_DIR = Path(__file__).parent / "invoices" / "data"
LEGACY_SAMPLE = DATA_DIR / "legacy_sample_invoice.json"

# The sample's amounts, worked by hand:
#   line 1: 2 x 500.00 = 1000.00, less 10 % = 100.00             -> net 900.00 at 20 %
#   line 2: 3.5 x 12.345 = 43.2075 -> 43.21, no discount          -> net  43.21 at 20 %
#   line 3: 1 x 39.90, less 5 % = 1.995 -> 2.00 (half up)         -> net  37.90 at 5.5 %
#   shipping 15.00 at 20 %
#   20 %: base 958.21, tax 191.642 -> 191.64;  5.5 %: base 37.90, tax 2.0845 -> 2.08
#   net 996.11 (lines 981.11 + shipping 15.00), tax 193.72, gross 1189.83
SAMPLE_TOTALS = {"net": Decimal("996.11"), "tax": Decimal("193.72"), "gross": Decimal("1189.83")}

_SAMPLE: dict[str, Any] = {
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
            "phone": "+33 1 23 45 67 89",
        },
        "buyer": {
            "name": "Müller & Söhne GmbH",
            "address": ["Hauptstraße 5", "10115 Berlin"],
            "country": "DE",
            "tax_id": "DE136695976",
            "email": "einkauf@mueller.example",
        },
        "ship_to": {
            "name": "Müller & Söhne Lager",
            "address": ["Lagerweg 1", "12345 Teltow"],
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
            },
            {
                "sku": "B-100",
                "description": "Backup storage\nNovember 2026",
                "quantity": "3.5",
                "unit": "TB",
                "unit_price": "12.345",
                "tax_rate": "20",
            },
            {
                "sku": "BK-7",
                "description": "Cloud Operations Handbook (print)",
                "quantity": "1",
                "unit_price": "39.90",
                "tax_rate": "5.5",
                "discount_percent": "5",
            },
        ],
        "shipping": {"amount": "15.00", "tax_rate": "20"},
        "notes": "Thank you for your business.\nPlease quote the invoice number with your payment.",
        "payment_terms": "Net 30",
        "payment": {
            "iban": "FR76 3000 6000 0112 3456 7890 189",
            "bic": "AGRIFRPP",
            "reference": "INV-2026-0042",
        },
        "totals": {"net": "996.11", "tax": "193.72", "gross": "1189.83"},
    },
}


def sample_payload(*, fmt: str | None = None, lines: int | None = None) -> dict[str, Any]:
    """A valid request body: a mixed-rate (20 % and 5.5 %), discounted 3-line EUR invoice with shipping.

    Amounts are strings, as clients send them; a fresh deep copy every call. ``fmt`` sets the format;
    ``lines`` makes an invoice of that many copies of the first line (without the claimed totals).
    """
    payload = copy.deepcopy(_SAMPLE)
    if fmt is not None:
        payload["format"] = fmt
    if lines is not None:
        first = payload["invoice"]["lines"][0]
        payload["invoice"]["lines"] = [dict(first, sku=f"SKU-{n:04d}") for n in range(lines)]
        del payload["invoice"]["totals"]
    return payload


def legacy_payload() -> dict[str, Any]:
    """The original service's sample invoice, parsed with Decimal numbers as the API parses it."""
    return json.loads(LEGACY_SAMPLE.read_text(), parse_float=Decimal, parse_int=Decimal)


def build(payload: dict[str, Any]) -> tuple[RenderOptions, Document]:
    return read_request(payload)


def without_totals(**changes: Any) -> dict[str, Any]:
    """The sample without its claimed totals, with ``changes`` applied to the invoice object."""
    payload = sample_payload()
    del payload["invoice"]["totals"]
    payload["invoice"].update(changes)
    return payload


# An EN 16931 invoice from a German seller to a German public buyer (XRechnung's case), worked by hand:
#   line 1: 12.5 h x 120.00 = 1500.00, allowance 10 % = 150.00        -> net 1350.00, S 19 %
#   line 2: 250 x 45.00 per 100 = 112.50, packaging charge 5.00        -> net  117.50, S 7 %
#   line 3: 1 day x 400.00, exempt (vocational training)              -> net  400.00, E 0 %
#   line total 1867.50; document allowance 50.00 (S 19 %), shipping charge 15.00 (S 7 %)
#   S 19 %: base 1300.00, tax 247.00;  S 7 %: base 132.50, tax 9.275 -> 9.28;  E: base 400.00, tax 0.00
#   net 1832.50, tax 256.28, gross 2088.78, prepaid 500.00, payable 1588.78
EINVOICE_TOTALS = {
    "line_total": Decimal("1867.50"),
    "allowances": Decimal("50.00"),
    "charges": Decimal("15.00"),
    "net": Decimal("1832.50"),
    "tax": Decimal("256.28"),
    "gross": Decimal("2088.78"),
    "payable": Decimal("1588.78"),
}

_EINVOICE: dict[str, Any] = {
    "formats": ["pdf", "ubl", "cii"],
    "ubl_profile": "xrechnung",
    "cii_profile": "xrechnung",
    "invoice": {
        "number": "RE-2026-1001",
        "issue_date": "2026-12-01",
        "due_date": "2026-12-31",
        "currency": "EUR",
        "language": "de",
        "buyer_reference": "04011000-12345-34",
        "order_reference": "PO-4711",
        "billing_period": {"start": "2026-11-01", "end": "2026-11-30"},
        "seller": {
            "name": "Nuage Informatik GmbH",
            "address": {
                "lines": ["Friedrichstraße 123"],
                "city": "Berlin",
                "postal_code": "10117",
                "country": "DE",
            },
            "vat_id": "DE136695976",
            "tax_id": "29/815/08150",
            "legal_id": "HRB 123456 B",
            "electronic_address": {"scheme": "EM", "id": "rechnung@nuage.example"},
            "contact": {"name": "Anna Schmidt", "phone": "+49 30 1234567", "email": "billing@nuage.example"},
        },
        "buyer": {
            "name": "Stadtverwaltung Musterstadt",
            "address": {
                "lines": ["Rathausplatz 1", "Amt für Digitales"],
                "city": "Musterstadt",
                "postal_code": "12345",
                "country_subdivision": "Brandenburg",
                "country": "DE",
            },
            "electronic_address": {"scheme": "0204", "id": "04011000-12345-34"},
            "contact": {"name": "Jonas Weber", "email": "j.weber@musterstadt.example"},
        },
        "lines": [
            {
                "sku": "CONS-01",
                "description": "IT consulting",
                "quantity": "12.5",
                "unit": "HUR",
                "unit_price": "120.00",
                "tax_rate": "19",
                "allowances": [
                    {"percent": "10", "reason": "Framework contract discount", "reason_code": "95"}
                ],
            },
            {
                "sku": "MAN-250",
                "description": "Printed operations manual",
                "quantity": "250",
                "unit": "C62",
                "unit_price": "45.00",
                "price_base_quantity": "100",
                "tax_rate": "7",
                "charges": [{"amount": "5.00", "reason": "Packaging", "reason_code": "ABL"}],
            },
            {
                "sku": "TRN-1",
                "description": "Training workshop for administrators",
                "quantity": "1",
                "unit": "DAY",
                "unit_price": "400.00",
                "tax_rate": "0",
                "tax_category": "E",
                "exemption_reason": "Exempt under section 4 no. 21 UStG (vocational training)",
                "exemption_reason_code": "VATEX-EU-132-1I",
            },
        ],
        "allowances": [
            {"amount": "50.00", "reason": "Loyalty rebate", "reason_code": "100", "tax_rate": "19"}
        ],
        "shipping": {"amount": "15.00", "tax_rate": "7"},
        "prepaid_amount": "500.00",
        "payment_terms": "Payable within 30 days without deduction.",
        "payment": {
            "means_code": "58",
            "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "COBADEFFXXX",
            "account_name": "Nuage Informatik GmbH",
            "reference": "RE-2026-1001",
        },
        "totals": {key: str(value) for key, value in EINVOICE_TOTALS.items()},
    },
}


def einvoice_payload(*, formats: list[str] | None = None) -> dict[str, Any]:
    """A valid EN 16931 request body that uses every new field: structured parties with VAT, legal and
    electronic addresses and contacts, the Leitweg-ID, line and document allowances and charges, a price base
    quantity, an exempt line, a prepayment. A fresh deep copy every call."""
    payload = copy.deepcopy(_EINVOICE)
    if formats is not None:
        payload["formats"] = formats
    return payload


def credit_note_payload() -> dict[str, Any]:
    """The e-invoice sample as a credit note for it."""
    payload = einvoice_payload()
    invoice = payload["invoice"]
    invoice.update(
        type="credit_note",
        number="GS-2026-0007",
        preceding_invoice={"number": "RE-2026-1001", "issue_date": "2026-12-01"},
    )
    invoice.pop("prepaid_amount")
    invoice["totals"] = {key: value for key, value in invoice["totals"].items() if key != "payable"}
    return payload
