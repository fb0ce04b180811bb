"""Fixtures for the document, renderer and command tests; the payloads live in tests/payloads.py."""

from typing import Any

import pytest

from invoices.document.model import Document
from invoices.document.validation import read_request
from tests.payloads import sample_payload


@pytest.fixture
def invoice_payload() -> dict[str, Any]:
    return sample_payload()


@pytest.fixture
def sample_document() -> Document:
    return read_request(sample_payload())[1]
