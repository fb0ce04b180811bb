"""Helpers of the batch tests: numbered copies of the sample invoice, and the upload call."""

import json
from typing import Any

import pytest

from tests.payloads import sample_payload

BATCHES = "/api/invoice-batches/"


def numbered(number: str, fmt: str = "csv") -> dict[str, Any]:
    """The sample under another invoice number (numbers are unique per owner and seller)."""
    payload = sample_payload(fmt=fmt)
    payload["invoice"]["number"] = number
    payload["invoice"]["payment"]["reference"] = number
    return payload


def documents(count: int, prefix: str = "B", fmt: str = "csv") -> list[dict[str, Any]]:
    return [numbered(f"{prefix}-{index:04d}", fmt) for index in range(count)]


def post_batch(client: Any, body: Any, query: str = "", **headers: Any) -> Any:
    return client.post(BATCHES + query, data=json.dumps(body), content_type="application/json", **headers)


def post_ndjson(client: Any, lines: list[Any], query: str = "", **headers: Any) -> Any:
    body = "".join(json.dumps(line) + "\n" for line in lines)
    return client.post(BATCHES + query, data=body, content_type="application/x-ndjson", **headers)


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def auth(client_for, owner):
    return client_for(owner)
