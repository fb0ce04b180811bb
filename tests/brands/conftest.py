"""Helpers of the brand tests: an owner with a client, another account, and the calls."""

import base64
import json
from typing import Any

import pytest

from tests.payloads import sample_payload

BRANDS = "/api/brands/"


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def auth(client_for, owner):
    return client_for(owner)


@pytest.fixture
def mallory(client_for, make_user):
    return client_for(make_user("mallory@example.com"))


def post_json(client: Any, body: Any, url: str = BRANDS) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch_json(client: Any, brand_id: str, body: Any) -> Any:
    return client.patch(f"{BRANDS}{brand_id}/", data=json.dumps(body), content_type="application/json")


def put_json(client: Any, brand_id: str, body: Any) -> Any:
    return client.put(f"{BRANDS}{brand_id}/", data=json.dumps(body), content_type="application/json")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def make_brand(client: Any, name: str = "Nuage", **fields: Any) -> dict[str, Any]:
    response = post_json(client, {"name": name, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def upload(client: Any, number: str, brand: str | None = None) -> Any:
    payload = sample_payload(fmt="pdf")
    payload["invoice"]["number"] = number
    payload["invoice"]["payment"]["reference"] = number
    if brand is not None:
        payload["brand"] = brand
    return client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
