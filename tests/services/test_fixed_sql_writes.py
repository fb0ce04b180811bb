"""The rows an upload and a render insert with fixed SQL (``sqlnames.insert``) are the very rows the ORM
inserts: every column the same value (JSON documents, decimals, foreign keys, defaults), the times the ORM
sets (``auto_now_add``, ``auto_now``) set on the instance and stored, and a key the database gives read back
into each instance, in order."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invoices.models import DownloadLink, Invoice, LedgerEntry, Notification, Rendition
from invoicesite import sqlnames
from workers.models import OutboxMessage

# Columns that differ between two rows by design: the key, the number, the times they were made.
VARYING = {
    "id",
    "number",
    "idempotency_key",
    "message_id",
    "created_at",
    "updated_at",
    "position",
    "entry_hash",
}


def _stored(model: Any, pk: Any) -> dict[str, Any]:
    return {
        key: value for key, value in model.objects.filter(pk=pk).values().get().items() if key not in VARYING
    }


def _invoice(user: Any, number: str, key: str = "") -> Invoice:
    return Invoice(
        owner=user,
        number=number,
        seller_name="Acme GmbH",
        format="pdf",
        formats=["pdf", "ubl"],
        input={"invoice": {"lines": [{"quantity": "1.50", "unit_price": "0.10"}], "notes": "Grüße 請求書"}},
        currency="EUR",
        total_net=Decimal("12345678901.23"),
        total_tax=Decimal("0.01"),
        total_gross=Decimal("12345678901.24"),
        idempotency_key=key or f"key-{number}",
        locale="de-CH",
    )


def test_an_invoice_row_is_the_orms(user):
    ours = _invoice(user, "FIX-1")
    before = timezone.now()
    sqlnames.insert([ours])
    orms = _invoice(user, "ORM-1")
    orms.save(force_insert=True)

    assert _stored(Invoice, ours.pk) == _stored(Invoice, orms.pk)
    stored = Invoice.objects.get(pk=ours.pk)
    assert stored.input == ours.input  # a JSON document, not its text
    assert stored.total_gross == Decimal("12345678901.24")
    # The times the ORM sets on save are set on the instance, and they are what was stored.
    assert before <= ours.created_at <= timezone.now()
    assert (stored.created_at, stored.updated_at) == (ours.created_at, ours.updated_at)
    assert not ours._state.adding
    assert ours._state.db == "default"


def test_renditions_get_the_keys_the_database_gave_them_in_order(user):
    invoice = _invoice(user, "FIX-2")
    sqlnames.insert([invoice])
    renditions = [
        Rendition(invoice=invoice, format=fmt, position=index) for index, fmt in enumerate(["pdf", "ubl"])
    ]
    with CaptureQueriesContext(connection) as context:
        sqlnames.insert(renditions)
    assert len(context.captured_queries) == 1  # one statement for every format, as bulk_create sends
    assert all(rendition.pk is not None for rendition in renditions)
    assert {rendition.pk: rendition.format for rendition in renditions} == dict(
        Rendition.objects.filter(invoice=invoice).values_list("id", "format")
    )
    orms = Rendition.objects.create(invoice=_orm_invoice(user), format="pdf", position=0)
    ours = renditions[0]
    assert {k: v for k, v in _stored(Rendition, ours.pk).items() if k != "invoice_id"} == {
        k: v for k, v in _stored(Rendition, orms.pk).items() if k != "invoice_id"
    }


def _orm_invoice(user: Any) -> Invoice:
    invoice = _invoice(user, "ORM-2")
    invoice.save(force_insert=True)
    return invoice


def test_an_outbox_row_is_the_orms_and_knows_its_key(db):
    payload = {
        "invoice_id": "4f0e3a8e-0000-4000-8000-000000000000",
        "format": "pdf",
        "nested": {"a": [1, "b"]},
    }
    ours = OutboxMessage(queue="render", payload=payload)
    sqlnames.insert([ours])
    orms = OutboxMessage.objects.create(queue="render", payload=payload)
    assert isinstance(ours.pk, int)
    assert ours.pk != orms.pk
    assert _stored(OutboxMessage, ours.pk) == _stored(OutboxMessage, orms.pk)
    assert OutboxMessage.objects.get(pk=ours.pk).message_id == ours.message_id


def test_ledger_entries_are_inserted_in_one_statement_with_their_keys(user):
    invoice = _invoice(user, "FIX-3")
    sqlnames.insert([invoice])
    now = timezone.now()
    entries = [
        LedgerEntry(
            owner=user,
            position=position,
            kind="issued",
            at=now + timedelta(microseconds=position),
            invoice=invoice,
            number=invoice.number,
            input_sha256="a" * 64,
            renderer_version="1",
            files={"pdf": "b" * 64} if position == 2 else {},
            previous_hash="0" * 64,
            entry_hash=f"{position}" * 64,
        )
        for position in (1, 2, 3)
    ]
    sqlnames.insert(entries)
    stored = list(
        LedgerEntry.objects.filter(owner=user).order_by("position").values_list("id", "position", "files")
    )
    assert stored == [(entry.pk, entry.position, entry.files) for entry in entries]
    assert entries[0].pk < entries[1].pk < entries[2].pk


def test_rows_beyond_the_databases_parameter_limit_go_in_several_statements(user, monkeypatch):
    # SQLite takes 999 parameters a statement: 66 ledger entries. Here, two rows a statement.
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 2)
    invoice = _invoice(user, "FIX-6")
    sqlnames.insert([invoice])
    renditions = [
        Rendition(invoice=invoice, format=fmt, position=index)
        for index, fmt in enumerate(["pdf", "ubl", "cii", "csv", "xlsx"])
    ]
    with CaptureQueriesContext(connection) as context:
        sqlnames.insert(renditions)
    assert len(context.captured_queries) == 3
    assert {rendition.pk: rendition.format for rendition in renditions} == dict(
        Rendition.objects.filter(invoice=invoice).values_list("id", "format")
    )


def test_a_notification_row_is_the_orms(user):
    invoices = [_invoice(user, "FIX-5"), _invoice(user, "ORM-5")]
    sqlnames.insert(invoices)
    due = timezone.now() + timedelta(minutes=5)
    ours = Notification(invoice=invoices[0], kind="ready", recipient="owner@example.com", next_attempt_at=due)
    sqlnames.insert([ours])
    orms = Notification.objects.create(
        invoice=invoices[1], kind="ready", recipient="owner@example.com", next_attempt_at=due
    )
    assert ours.pk is not None
    assert {k: v for k, v in _stored(Notification, ours.pk).items() if k != "invoice_id"} == {
        k: v for k, v in _stored(Notification, orms.pk).items() if k != "invoice_id"
    }


def test_an_emails_download_links_are_the_orms(user):
    invoice = _invoice(user, "FIX-7")
    sqlnames.insert([invoice])
    expires = timezone.now() + timedelta(days=7)
    ours = [
        DownloadLink(invoice=invoice, format=fmt, purpose="email", expires_at=expires)
        for fmt in ("pdf", "ubl")
    ]
    sqlnames.insert(ours)
    orms = DownloadLink.objects.create(invoice=invoice, format="pdf", purpose="email", expires_at=expires)
    assert _stored(DownloadLink, ours[0].pk) == _stored(DownloadLink, orms.pk)
    assert {link.pk: link.format for link in ours} == dict(
        DownloadLink.objects.filter(pk__in=[link.pk for link in ours]).values_list("id", "format")
    )


def test_a_duplicate_is_refused_by_the_database_as_with_the_orm(user):
    sqlnames.insert([_invoice(user, "FIX-4")])
    with pytest.raises(IntegrityError), transaction.atomic():
        sqlnames.insert([_invoice(user, "FIX-4", key="another")])  # the number is unique per account
    assert Invoice.objects.filter(owner=user, number="FIX-4").count() == 1


def test_nothing_to_insert_sends_nothing(db):
    with CaptureQueriesContext(connection) as context:
        sqlnames.insert([])
    assert context.captured_queries == []
