"""Validate one small document at process start, so that no request pays for first-use costs.

Django compiles some validators' regular expressions lazily (``validate_email`` is much slower the first
time), and the legacy reader is imported on first use. In a threaded web process the first requests
after start would each pay that at once, compiling the same patterns side by side under the GIL: in the
32-client burst (bench section 6) a whole gunicorn process stalled (docs/performance.md).
``invoicesite/wsgi.py`` calls ``warm_up()`` before the server takes its first request.
"""

import importlib
import logging
from decimal import Decimal

from invoices.document.errors import DocumentInvalid
from invoices.document.validation import read_request

logger = logging.getLogger(__name__)

_PARTY = {
    "name": "Warm-up Ltd",
    "address": ["1 Main Street"],
    "country": "GB",
    "tax_id": "GB123",
    "email": "warm-up@example.com",
    "phone": "+44 20 0000 0000",
}
# An EU party, a VAT number and bank details: python-stdnum reads its IBAN registry and loads its per-country
# modules on first use.
_SELLER = {"name": "Warm-up GmbH", "country": "DE", "tax_id": "DE136695976"}
_DOCUMENT = {
    "format": "pdf",
    "invoice": {
        "number": "WARM-UP-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "currency": "EUR",
        "seller": _SELLER,
        "buyer": _PARTY,
        "payment": {"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"},
        "lines": [
            {
                "sku": "W-1",
                "description": "Warm-up",
                "quantity": Decimal("1"),
                "unit_price": Decimal("1.00"),
                "tax_rate": Decimal("20"),
                "discount_percent": Decimal("0"),
            }
        ],
    },
}


def warm_up() -> None:
    importlib.import_module("invoices.document.legacy")
    try:
        read_request(_DOCUMENT)
    except DocumentInvalid as exc:  # a schema change outran this document: slower start, never no start
        logger.warning("the warm-up document no longer validates: %s", exc)
