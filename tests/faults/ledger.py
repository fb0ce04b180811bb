"""The ledger check every fault scenario ends with: after the fault, nothing is lost, doubled or left behind.

``settle()`` waits (polling, generous timeout) until the pipeline is quiet, then ``check()`` asserts:

- every accepted invoice is ``ready`` or ``failed`` with a non-empty reason (and no other invoice exists);
- a ready invoice has exactly one stored GridFS file per rendition, the ones its rendition rows point to,
  readable, with the size and sha256 each row records;
- no orphan in the test's GridFS database: no file no ready rendition points to, no chunk without a file;
- at most one email per invoice and event in the SMTP inbox, and exactly one for each notification
  marked sent; no notification left pending (each is sent, or failed with a reason); likewise one email
  per batch whose email is marked sent, and no batch email left pending;
- no outbox row left unsent;
- no webhook delivery left pending: each succeeded, or failed with a reason; one delivery (one webhook-id)
  per endpoint and event; and, given the receivers' records (``check_webhook_receipts``), every delivery
  that succeeded reached its receiver under its own webhook-id, and no receiver saw an id of no delivery;
- the hash-chained ledger holds (``manage.py verify_ledger``: every chain, input and stored file), and each
  ready rendition has exactly one rendition entry: a worker killed between storing its file and committing
  left no entry, and the retry that finished it added one.
"""

import hashlib
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from invoices.models import (
    Invoice,
    InvoiceBatch,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Notification,
    Rendition,
)
from tests.e2e.conftest import Pipeline
from webhooks.models import DeliveryStatus, WebhookDelivery
from workers.models import OutboxMessage

SETTLE_TIMEOUT = 120.0  # seconds; generous for a 2-core machine shared with other work
FINAL = (InvoiceStatus.READY, InvoiceStatus.FAILED)
SUBJECT_KIND = {"is ready": "ready", "could not be created": "failed"}
# A batch's one email links its ZIP (invoices/batch_notifications.py); an invoice's email names the invoice.
BATCH_LINK = re.compile(r"/api/invoice-batches/([0-9a-f-]{36})/download/")


@dataclass
class Ledger:
    ready: int
    failed: int
    emails: int
    orphans_removed: int  # unreferenced files + orphan chunks the product's cleanup_files had to remove
    webhooks_succeeded: int = 0
    webhooks_failed: int = 0


def settle(pipeline: Pipeline, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until no invoice, outbox row, notification or webhook delivery is still on its way."""

    def quiet() -> bool:
        return (
            not Invoice.objects.exclude(status__in=FINAL).exists()
            and not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
            and not _pending_notifications().exists()
            and not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()
            and not _pending_batch_emails().exists()
            and len(pipeline.inbox.messages)
            >= Notification.objects.filter(sent_at__isnull=False).count()
            + InvoiceBatch.objects.filter(email_sent_at__isnull=False).count()
        )

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if quiet():
            return
        time.sleep(0.1)
    pytest.fail(
        f"timed out after {timeout:.0f} s waiting for the pipeline to settle (invoices final, outbox sent, "
        f"notifications and webhooks done); still on its way:\n{_still_pending(pipeline)}",
        pytrace=False,
    )


def _still_pending(pipeline: Pipeline) -> str:
    """What kept the pipeline from settling, and the end of each worker's log: a failure explains itself."""
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    not_final = Invoice.objects.exclude(status__in=FINAL)
    notifications = _pending_notifications()
    deliveries = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    lines = [
        f"invoices not final: {list(not_final.values_list('id', 'status'))}",
        f"outbox unsent: {list(unsent.values_list('id', 'queue', 'publish_attempts', 'last_error'))}",
        f"notifications pending: {list(notifications.values_list('invoice_id', 'kind', 'attempts'))}",
        f"webhook deliveries pending: {deliveries.count()}",
        f"emails received {len(pipeline.inbox.messages)}, notifications sent "
        f"{Notification.objects.filter(sent_at__isnull=False).count()}",
    ]
    for worker in pipeline.workers:
        tail = worker.log()[-2500:]
        lines.append(f"--- {worker.queue} (exit {worker.process.poll()}), last lines:\n{tail}")
    return "\n".join(lines)


def check(
    pipeline: Pipeline,
    accepted: Iterable[Any],
    *,
    orphans_expected: bool = False,
    email_repeats: bool = False,
) -> Ledger:
    """Settle, then assert the ledger; ``orphans_expected`` when workers were killed mid-upload;
    ``email_repeats`` when connections to the mail server were cut while it was taking emails (rule 8's gap:
    an email may then arrive twice, but only as the same email, under its Message-ID)."""
    accepted_ids = {str(invoice_id) for invoice_id in accepted}
    settle(pipeline)
    invoices = list(Invoice.objects.all())
    assert {str(invoice.id) for invoice in invoices} == accepted_ids, "an accepted invoice is missing"
    removed = _check_no_orphans(pipeline, invoices, cleanup=orphans_expected)
    for invoice in invoices:
        _check_invoice(pipeline, invoice)
    emails = _check_emails(pipeline, invoices, repeats=email_repeats)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    ready = sum(invoice.status == InvoiceStatus.READY for invoice in invoices)
    succeeded, failed = _check_webhook_deliveries()
    _check_hash_chain()
    return Ledger(
        ready=ready,
        failed=len(invoices) - ready,
        emails=emails,
        orphans_removed=removed,
        webhooks_succeeded=succeeded,
        webhooks_failed=failed,
    )


def check_webhook_receipts(received_ids: Iterable[str]) -> Counter[str]:
    """After ``check``: the webhook-ids the receivers recorded (verified requests, repeats included) against
    the deliveries. Every succeeded delivery arrived at least once; nothing arrived that no delivery sent.
    Returns how many times each id arrived (more than once: a retry after a kill, which its id lets the
    receiver drop)."""
    counts = Counter(received_ids)
    deliveries = {d.webhook_id: d for d in WebhookDelivery.objects.all()}
    assert set(counts) <= set(deliveries), f"ids no delivery sent: {set(counts) - set(deliveries)}"
    lost = [
        d.event_key
        for d in deliveries.values()
        if d.status == DeliveryStatus.SUCCEEDED and not counts[d.webhook_id]
    ]
    assert not lost, f"deliveries marked succeeded that no receiver recorded: {lost}"
    return counts


def _check_webhook_deliveries() -> tuple[int, int]:
    deliveries = list(WebhookDelivery.objects.all())
    for delivery in deliveries:
        assert delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED), f"{delivery} is pending"
        if delivery.status == DeliveryStatus.FAILED:
            assert delivery.last_error.strip(), f"{delivery} failed without a reason"
        else:
            assert delivery.delivered_at is not None
    per_event = Counter((d.endpoint_id, d.event_key) for d in deliveries)
    assert all(count == 1 for count in per_event.values()), "more than one delivery for an endpoint and event"
    succeeded = sum(d.status == DeliveryStatus.SUCCEEDED for d in deliveries)
    return succeeded, len(deliveries) - succeeded


def _check_hash_chain() -> None:
    out = StringIO()
    call_command("verify_ledger", stdout=out)  # CommandError naming the first break otherwise
    assert out.getvalue().startswith("Ledger verified"), out.getvalue()
    entries = Counter(
        (invoice_id, fmt)
        for invoice_id, files in LedgerEntry.objects.filter(kind=LedgerKind.RENDITION).values_list(
            "invoice_id", "files"
        )
        for fmt in files
    )
    ready = set(Rendition.objects.filter(status=InvoiceStatus.READY).values_list("invoice_id", "format"))
    doubled = {key: count for key, count in entries.items() if count > 1}
    assert not doubled, f"a rendition with more than one ledger entry: {doubled}"
    assert set(entries) == ready, "rendition entries without a ready rendition, or the reverse"


def _pending_notifications() -> Any:
    return Notification.objects.filter(sent_at__isnull=True, failed_at__isnull=True)


def _pending_batch_emails() -> Any:
    """Batches with an invoice (so an email to send once all are final) whose email is neither sent nor
    failed."""
    return InvoiceBatch.objects.filter(
        accepted_count__gt=0, email_sent_at__isnull=True, email_failed_at__isnull=True
    )


def _check_invoice(pipeline: Pipeline, invoice: Invoice) -> None:
    renditions = list(invoice.renditions.all())
    if invoice.status == InvoiceStatus.FAILED:
        assert invoice.failure_reason.strip(), f"invoice {invoice.id} failed without a reason"
        assert all(r.file_name for r in renditions if r.status == InvoiceStatus.READY)
        assert not any(r.file_name for r in renditions if r.status != InvoiceStatus.READY)
        return
    assert invoice.status == InvoiceStatus.READY, invoice.status
    stored = sorted(document["filename"] for document in _files_of(pipeline, invoice.id))
    names = sorted(rendition.file_name for rendition in renditions)
    assert stored == names, f"invoice {invoice.id} should have exactly its files {names}, has {stored}"
    for rendition in renditions:
        with pipeline.storage.open(rendition.file_name) as file:
            content = file.read()
        assert len(content) == rendition.size
        assert hashlib.sha256(content).hexdigest() == rendition.sha256


def _files_of(pipeline: Pipeline, invoice_id: Any) -> list[dict[str, Any]]:
    files = pipeline.storage.database()[f"{pipeline.storage.bucket_name}.files"]
    return list(files.find({"filename": {"$regex": f"^{invoice_id}/"}}, {"filename": 1}))


def _orphans(pipeline: Pipeline, invoices: list[Invoice]) -> tuple[list[str], int]:
    database = pipeline.storage.database()
    bucket = pipeline.storage.bucket_name
    ready = Rendition.objects.filter(invoice__in=invoices, status=InvoiceStatus.READY)
    referenced = set(ready.values_list("file_name", flat=True))
    files = {document["_id"]: document["filename"] for document in database[f"{bucket}.files"].find()}
    unreferenced = sorted(name for name in files.values() if name not in referenced)
    orphan_chunks = database[f"{bucket}.chunks"].count_documents({"files_id": {"$nin": list(files)}})
    return unreferenced, orphan_chunks


def _check_no_orphans(pipeline: Pipeline, invoices: list[Invoice], *, cleanup: bool) -> int:
    unreferenced, orphan_chunks = _orphans(pipeline, invoices)
    found = len(unreferenced) + orphan_chunks
    if found and cleanup:
        # A worker killed between its GridFS upload and its commit leaves garbage by design (rule 10);
        # the product's cleanup command must be able to remove all of it.
        call_command("cleanup_files", "--older-than-hours", "0.00001", stdout=StringIO())
        unreferenced, orphan_chunks = _orphans(pipeline, invoices)
    assert unreferenced == [], f"files no ready invoice points to: {unreferenced}"
    assert orphan_chunks == 0, f"{orphan_chunks} chunk(s) without a files document"
    return found


def _check_emails(pipeline: Pipeline, invoices: list[Invoice], *, repeats: bool) -> int:
    """Every email sent once; with ``repeats``, a repeat of one under the same Message-ID is counted once."""
    by_invoice = {str(invoice.id): invoice for invoice in invoices}
    counts: Counter[tuple[str, str]] = Counter()
    batches: Counter[str] = Counter()
    seen: dict[str, Any] = {}
    for message in list(pipeline.inbox.messages):
        message_id = message["Message-ID"]
        if repeats and message_id in seen:
            assert message["Subject"] == seen[message_id]["Subject"], f"two emails under {message_id}"
            continue
        seen[message_id] = message
        if batch := BATCH_LINK.search(_plain(message)):
            batches[batch.group(1)] += 1
            continue
        kind = next(kind for words, kind in SUBJECT_KIND.items() if words in message["Subject"])
        invoice_id = next(i for i in by_invoice if i in _plain(message))
        counts[invoice_id, kind] += 1
    doubled = {key: count for key, count in counts.items() if count > 1}
    assert not doubled, f"more than one email per invoice and event: {doubled}"
    sent = {
        (str(n.invoice_id), n.kind) for n in Notification.objects.filter(sent_at__isnull=False).only("kind")
    }
    assert set(counts) == sent, "the inbox and the notifications marked sent disagree"
    for notification in Notification.objects.filter(sent_at__isnull=True):
        assert notification.last_error.strip(), f"{notification} is unsent without a reason"
    assert all(count == 1 for count in batches.values()), f"more than one email per batch: {batches}"
    emailed = {
        str(pk)
        for pk in InvoiceBatch.objects.filter(email_sent_at__isnull=False).values_list("pk", flat=True)
    }
    assert set(batches) == emailed, "the inbox and the batches marked emailed disagree"
    return sum(counts.values()) + sum(batches.values())


def _plain(message: Any) -> str:
    part = message.get_body(("plain",))
    return part.get_content() if part is not None else ""
