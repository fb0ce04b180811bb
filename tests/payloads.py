"""Invoice payloads shared by the API and end-to-end tests."""

import copy
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "invoices" / "data"

_SAMPLE: dict[str, Any] = {
    "format": "pdf",
    "invoice": {
        "number": "INV-2026-0042",
        "issue_date": "2026-11-23",
        "due_date": "2026-12-23",
        "currency": "EUR",
        "language": "en",
        "seller": {
            "name": "Nimbus Hosting SARL",
            "address": ["12 rue de la Paix", "75002 Paris"],
            "country": "FR",
            "tax_id": "FR40303265045",
            "email": "billing@nimbus.example",
            "phone": "+33 1 23 45 67 89",
        },
        "buyer": {
            "name": "Müller & Söhne GmbH",
            "address": ["Hauptstraße 5", "10115 Berlin"],
            "country": "DE",
            "tax_id": "DE123456789",
            "email": "ap@mueller.example",
        },
        "lines": [
            {
                "sku": "Z345678",
                "description": "Premium Cloud Server",
                "quantity": "2",
                "unit": "month",
                "unit_price": "500.00",
                "tax_rate": "20",
                "discount_percent": "10",
            },
            {
                "description": "Support hours",
                "quantity": "3",
                "unit": "h",
                "unit_price": "49.99",
                "tax_rate": "7",
            },
            {"description": "Printed manual", "quantity": "1", "unit_price": "12.50", "tax_rate": "0"},
        ],
        "shipping": {"amount": "15.00", "tax_rate": "20"},
        "notes": "Thank you for your business.",
        "payment_terms": "Net 30",
        "payment": {"iban": "FR7630006000011234567890189", "bic": "AGRIFRPP", "reference": "INV-2026-0042"},
    },
}

# Worked by hand: nets 900.00 + 149.97 + 12.50, shipping 15.00; tax 20% of 915.00 = 183.00,
# 7% of 149.97 = 10.4979 -> 10.50, 0% of 12.50 = 0.00.
SAMPLE_TOTALS = {"net": "1077.47", "tax": "193.50", "gross": "1270.97"}


def sample_payload(*, fmt: str = "pdf", lines: int | None = None) -> dict[str, Any]:
    """A fresh copy of the sample invoice; with `lines`, that many copies of its first line."""
    payload = copy.deepcopy(_SAMPLE)
    payload["format"] = fmt
    if lines is not None:
        first = payload["invoice"]["lines"][0]
        payload["invoice"]["lines"] = [dict(first, sku=f"SKU-{n:04d}") for n in range(lines)]
    return payload


def legacy_payload() -> dict[str, Any]:
    """The original service's flat format (copied from ../shared/samples/legacy_sample_invoice.json)."""
    return json.loads((DATA_DIR / "legacy_sample_invoice.json").read_text())
