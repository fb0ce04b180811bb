"""Helpers of the numbering tests: a series of an owner, and uploads that name it."""

import json
from typing import Any

import pytest

from invoices.models import NumberSeries
from tests.payloads import sample_payload

SERIES = "/api/number-series/"
PATTERN = "INV-{YYYY}-{seq:05}"


def series_payload(code: str = "INV", issue_date: str = "2026-11-23", fmt: str = "csv") -> dict[str, Any]:
    """The sample invoice naming a series instead of a number."""
    payload = sample_payload(fmt=fmt)
    del payload["invoice"]["number"]
    payload["invoice"]["series"] = code
    payload["invoice"]["issue_date"] = issue_date
    payload["invoice"].pop("due_date", None)
    return payload


def post_invoice(client: Any, payload: Any, **headers: Any) -> Any:
    return client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json", **headers)


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def auth(client_for, owner):
    return client_for(owner)


@pytest.fixture
def series(owner) -> NumberSeries:
    return NumberSeries.objects.create(owner=owner, code="INV", pattern=PATTERN)
