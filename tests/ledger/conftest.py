"""Invoices issued and rendered for real (PostgreSQL, the GridFS storage on the MongoDB-compatible server),
so the ledger's entries are the ones production writes."""

import uuid
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from invoices import services
from invoices.models import Invoice
from tests.payloads import sample_payload


def issue_and_render(owner: User, number: str, formats: list[str]) -> Invoice:
    payload = sample_payload()
    payload.pop("format", None)
    payload["formats"] = formats
    payload["invoice"]["number"] = number
    invoice = services.invoice_submit(owner=owner, payload=payload).invoice
    for fmt in formats:
        services.invoice_render(invoice_id=invoice.id, fmt=fmt)
    return Invoice.objects.get(id=invoice.id)


@pytest.fixture
def issued(invoices_gridfs_storage) -> Callable[..., Invoice]:
    """issued(owner, formats=["csv"]): an invoice issued and each rendition rendered and stored."""

    def make(owner: User, formats: list[str] | None = None) -> Invoice:
        return issue_and_render(owner, f"L-{uuid.uuid4().hex[:10]}", formats or ["csv"])

    return make


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_ledger", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def owner(user) -> User:
    return user


@pytest.fixture
def auth(client_for, owner):
    """An API client logged in as ``owner``."""
    return client_for(owner)
