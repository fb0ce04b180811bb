"""Fixtures of the download-link tests: real invoices, rendered in-process into a fresh GridFS database on
the MongoDB-compatible server, in the real PostgreSQL test database."""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from invoices import links, services
from invoices.models import Invoice, InvoiceStatus
from tests.payloads import sample_payload


@pytest.fixture
def ann(make_user) -> User:
    return make_user("ann@example.com")


@pytest.fixture
def bob(make_user) -> User:
    return make_user("bob@example.com")


@pytest.fixture
def ann_api(client_for, ann):
    return client_for(ann)


@pytest.fixture
def bob_api(client_for, bob):
    return client_for(bob)


@pytest.fixture
def make_invoice(invoices_gridfs_storage) -> Callable[..., Invoice]:
    """An invoice of ``owner`` in ``formats`` (the first the default), those in ``ready`` rendered."""

    def make(
        owner: User,
        formats: tuple[str, ...] = ("csv",),
        ready: tuple[str, ...] | None = None,
        number: str = "",
    ) -> Invoice:
        payload = sample_payload()
        del payload["format"]
        payload["formats"] = list(formats)
        payload["invoice"]["number"] = number or f"INV-{uuid.uuid4().hex[:8]}"
        invoice = services.invoice_submit(owner=owner, payload=payload).invoice
        for fmt in formats if ready is None else ready:
            services.invoice_render(invoice_id=invoice.id, fmt=fmt)
        return Invoice.objects.defer("input").get(pk=invoice.pk)

    return make


@pytest.fixture
def ann_invoice(make_invoice, ann) -> Invoice:
    invoice = make_invoice(ann, ("csv", "pdf"))
    assert invoice.status == InvoiceStatus.READY, invoice.failure_reason
    return invoice


class Clock:
    """``invoices.links.clock``, moved by hand."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(links, "clock", fake)
    return fake


def path_of(url: str) -> str:
    """The path of a link's absolute URL (SITE_URL + /files/<token>), for the test client."""
    return url[url.index("/files/") :]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
