"""Fixtures for the document, renderer and command tests; the payloads live in tests/payloads.py."""

from typing import Any

import pytest

from invoices.document import build_document
from invoices.document.model import Document
from tests.payloads import sample_payload


@pytest.fixture
def invoice_payload() -> dict[str, Any]:
    return sample_payload()


@pytest.fixture
def sample_document() -> Document:
    return build_document(sample_payload())[1]
