"""The invoice lifecycle: submit, render, fail, re-queue.

Every transition is a compare-and-set on ``status`` (docs/reliability.md rule 6), so a job that runs twice, at
the same time or after the fact, changes nothing the second time: one file, one email.
"""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from invoices.document import DocumentInvalid
from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.document.validation import read_request
from invoices.jobs import RenderInvoice, SendNotification
from invoices.models import Invoice, InvoiceStatus, Notification, NotificationKind
from invoices.renderers import RenderRefused, render
from invoicesite.metrics import RENDER_SECONDS
from workers.errors import MAX_ERROR_LENGTH, PermanentError
from workers.outbox import dispatch_after_commit, outbox_add

logger = logging.getLogger(__name__)

FINAL_STATUSES = (InvoiceStatus.READY, InvoiceStatus.FAILED)


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different request: another body, or another format."""


@dataclass(frozen=True)
class Submission:
    invoice: Invoice
    created: bool  # False when an Idempotency-Key replay returned the first invoice


def invoice_submit(
    *, owner: User, payload: Any, default_format: str | None = None, idempotency_key: str = ""
) -> Submission:
    """Validate, then store the invoice and its render job in one transaction (the outbox)."""
    if idempotency_key:
        replay = _idempotent_replay(
            owner=owner, key=idempotency_key, payload=payload, default_format=default_format
        )
        if replay is not None:
            return Submission(invoice=replay, created=False)
    options, document = read_request(payload, default_format=default_format)  # raises DocumentInvalid
    try:
        with transaction.atomic():
            invoice = _invoice_create(owner, payload, options, document, idempotency_key)
            outbox_add(RenderInvoice(invoice_id=invoice.id))
    except IntegrityError:
        # Two requests with the same Idempotency-Key raced; the other one committed first.
        replay = _idempotent_replay(
            owner=owner, key=idempotency_key, payload=payload, default_format=default_format
        )
        if replay is None:
            raise
        return Submission(invoice=replay, created=False)
    logger.info(
        "invoice %s submitted by user %s (%s)",
        invoice.id,
        owner.pk,
        invoice.format,
        extra={"invoice_id": str(invoice.id)},
    )
    return Submission(invoice=invoice, created=True)


def _idempotent_replay(*, owner: User, key: str, payload: Any, default_format: str | None) -> Invoice | None:
    """The invoice first submitted with ``key``, if this request is the same one; IdempotencyConflict if not.

    The same request means the same invoice: the same body, and the same format once ``?format=`` is applied
    (``/upload?format=pdf`` then ``?format=csv`` with one file are two requests). The stored invoice keeps
    its body (``input``) and the format it was given (``format``), so the comparison needs no extra column:
    ``?format=excel`` replays an invoice first sent with ``?format=xlsx``, as both make the same file.
    """
    invoice = Invoice.objects.filter(owner=owner, idempotency_key=key).first()
    if invoice is None:
        return None
    if _fingerprint(invoice.input) != _fingerprint(payload):
        raise IdempotencyConflict
    # The body is the stored one, so only ``default_format`` can make it invalid now (an unknown value,
    # answered 400 as for a first request) or a rule changed since.
    options, _document = read_request(payload, default_format=default_format)
    if options.format != invoice.format:
        raise IdempotencyConflict
    return invoice


def _fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _invoice_create(
    owner: User, payload: Any, options: RenderOptions, document: Document, idempotency_key: str
) -> Invoice:
    totals = document.totals
    return Invoice.objects.create(
        owner=owner,
        number=document.data.number,
        format=options.format,
        page_size=options.page_size,
        input=payload,
        currency=document.data.currency.code,
        total_net=totals.net,
        total_tax=totals.tax,
        total_gross=totals.gross,
        idempotency_key=idempotency_key,
    )


# --- Rendering (the render queue's consumer calls these) -------------------------------------------


def invoice_render(*, invoice_id: uuid.UUID) -> None:
    # The owner comes along: the ready notification needs its address.
    invoice = Invoice.objects.select_related("owner").filter(id=invoice_id).first()
    if invoice is None:
        raise PermanentError(f"Unknown invoice {invoice_id}.")
    if invoice.status in FINAL_STATUSES:
        logger.info("invoice %s is already %s; duplicate job ignored", invoice_id, invoice.status)
        return
    _claim(invoice_id)
    rendered = _render_file(invoice)
    storage = storages["invoices"]
    # A fresh name per attempt: a retried or duplicated job never overwrites a file another one committed.
    name = storage.save(f"{invoice.id}/{uuid.uuid4().hex}.{invoice.format}", ContentFile(rendered.content))
    if not _mark_ready(invoice, name, rendered.filename, rendered.content_type, rendered.content):
        # Lost the race to another delivery of the same job: its file is the invoice's; drop ours.
        storage.delete(name)
        logger.info("invoice %s was finished by another job; discarded file %s", invoice_id, name)


def _claim(invoice_id: uuid.UUID) -> None:
    Invoice.objects.filter(id=invoice_id).exclude(status__in=FINAL_STATUSES).update(
        status=InvoiceStatus.RENDERING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )


def _render_file(invoice: Invoice) -> RenderedFile:
    try:
        options, document = read_request(invoice.input, default_format=invoice.format)
    except DocumentInvalid as exc:  # stored input that no longer validates: a rule changed
        raise PermanentError(f"The invoice data is no longer valid: {exc}") from None
    try:
        with RENDER_SECONDS.labels(options.format).time():
            return render(document, options)
    except RenderRefused as exc:  # past a renderer's limit: the same every time
        raise PermanentError(str(exc)) from None


def _mark_ready(invoice: Invoice, name: str, download_name: str, content_type: str, content: bytes) -> bool:
    with transaction.atomic():
        updated = (
            Invoice.objects.filter(id=invoice.id)
            .exclude(status__in=FINAL_STATUSES)
            .update(
                status=InvoiceStatus.READY,
                file_name=name,
                download_name=download_name,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                failure_reason="",
                rendered_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
        if updated:
            _notify_ready(invoice)
    if updated:
        logger.info("invoice %s ready: %s (%d bytes)", invoice.id, name, len(content))
    return bool(updated)


def invoice_fail(*, invoice_id: uuid.UUID, reason: str) -> bool:
    """Mark the invoice failed (unless it already finished) and tell its owner. True if it changed."""
    with transaction.atomic():
        invoice = Invoice.objects.select_related("owner").filter(id=invoice_id).first()
        if invoice is None:
            return False
        updated = (
            Invoice.objects.filter(id=invoice_id)
            .exclude(status__in=FINAL_STATUSES)
            .update(
                status=InvoiceStatus.FAILED,
                failure_reason=reason[:MAX_ERROR_LENGTH],
                updated_at=timezone.now(),
            )
        )
        if updated:
            _notify(invoice, NotificationKind.FAILED)
    if updated:
        logger.warning("invoice %s failed: %s", invoice_id, reason)
    return bool(updated)


def invoice_requeue(*, invoice: Invoice) -> bool:
    """Give a failed invoice another render (the admin's action). True if it was re-queued."""
    with transaction.atomic():
        updated = Invoice.objects.filter(id=invoice.id, status=InvoiceStatus.FAILED).update(
            status=InvoiceStatus.QUEUED, failure_reason="", updated_at=timezone.now()
        )
        if updated:
            # The earlier failure email stays sent; a new ready email may follow.
            outbox_add(RenderInvoice(invoice_id=invoice.id))
    return bool(updated)


def _notify_ready(invoice: Invoice) -> None:
    """Within the ready transaction: the ready notification, and its job after the commit.

    A plain insert, not _notify's get-or-create: only the one compare-and-set that made the invoice ready
    gets here, and ready is final, so the row cannot exist yet (the unique constraint still guards it).
    """
    Notification.objects.create(
        invoice=invoice,
        kind=NotificationKind.READY,
        recipient=invoice.owner.email,
        next_attempt_at=_dispatch_overdue_at(),
    )
    _dispatch_notification(invoice, NotificationKind.READY)


def _notify(invoice: Invoice, kind: str) -> None:
    """Within the caller's transaction: one notification row per (invoice, kind), and its job."""
    _row, created = Notification.objects.get_or_create(
        invoice=invoice,
        kind=kind,
        defaults={"recipient": invoice.owner.email, "next_attempt_at": _dispatch_overdue_at()},
    )
    if created:
        _dispatch_notification(invoice, kind)


# The notification row is its job's outbox (workers.outbox.dispatch_after_commit): the job is published
# after the commit, and if the email has not been sent by the row's next_attempt_at, that publish was lost
# and the relay queues the job again.


def _dispatch_overdue_at() -> datetime:
    return timezone.now() + timedelta(seconds=settings.NOTIFY_DISPATCH_GRACE_SECONDS)


def _dispatch_notification(invoice: Invoice, kind: str) -> None:
    dispatch_after_commit(SendNotification(invoice_id=invoice.id, kind=kind))
