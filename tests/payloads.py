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
