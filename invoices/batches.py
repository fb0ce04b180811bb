"""Batches: up to BATCH_MAX_ITEMS invoices uploaded in one request (POST /api/invoice-batches/).

Each item is validated exactly as one upload is (``read_request`` with the owner's default locale, its
preceding invoices, its number unique per owner and seller) and gets its own outcome: accepted with the id
of the invoice issued for it, or rejected with its field errors, on the same paths a single upload's errors
have. Non-atomic, the valid items are issued and the others reported; ``atomic``, one error stores nothing.
Either way nothing is stored when no item is valid. The accepted invoices, their renditions and their render
jobs are written with a few bulk statements in one transaction: a batch of 1,000 is one request's work.

The batch completes when its last invoice becomes final (``invoices.batch_notifications``), and its ready
files leave as one streamed ZIP (``batch_zip_chunks``): through the API, or through a signed download link
(``batch_link_zip``).
"""

import hashlib
import json
import logging
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from accounts.models import User
from invoices import links
from invoices.branding import brand_version_for_upload
from invoices.document import DocumentInvalid
from invoices.document.model import Document, RenderOptions
from invoices.document.validation import read_request
from invoices.jobs import RenderInvoice
from invoices.ledger import ledger_record_issued
from invoices.models import (
    MAX_SELLER_NAME_LENGTH,
    Invoice,
    InvoiceBatch,
    InvoiceFormat,
    InvoiceStatus,
    NumberSeries,
    Rendition,
)
from invoices.numbering import SERIES_PATH, NumberTaker
from invoices.services import PRECEDING_ID_PATH, IdempotencyConflict
from workers.outbox import outbox_add_many

logger = logging.getLogger(__name__)

ACCEPTED = "accepted"
REJECTED = "rejected"
# Only in a 400 answer: the item is valid, but nothing was issued because another item was not.
VALID = "valid"
# The number's path in a request's errors: the current format's, and the original flat format's.
NUMBER_PATH = "invoice.number"
LEGACY_NUMBER_PATH = "invoice_no"


class BatchInvalid(Exception):
    """The request as a whole is refused (empty, too many items): nothing was looked at item by item."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class BatchRejected(Exception):
    """No invoice was issued: an atomic batch with an invalid item, or a batch whose every item is invalid.
    ``items`` is every item's outcome, for the 400 answer."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__(f"{sum(item['status'] == REJECTED for item in items)} item(s) rejected")
        self.items = items


@dataclass(frozen=True)
class BatchSubmission:
    batch: InvoiceBatch
    created: bool  # False for an Idempotency-Key replay: the first answer's batch


@dataclass
class _Item:
    """One item of the request while it is checked: its document once valid, else its errors."""

    index: int
    payload: Any
    options: RenderOptions | None = None
    document: Document | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    preceding_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    brand_version_id: uuid.UUID | None = None
    # The number its invoice was issued with: the document's, or the one its series gave.
    number: str = ""

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.errors

    def reject(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def outcome(self) -> dict[str, Any]:
        if not self.valid or self.document is None:
            return {"index": self.index, "status": REJECTED, "errors": self.errors}
        if self.invoice_id is None:  # valid, but nothing was issued (an atomic batch with an invalid item)
            # An item naming a series has no number until it is issued.
            number = None if self.document.data.series else self.document.data.number
            return {"index": self.index, "status": VALID, "number": number}
        return {
            "index": self.index,
            "status": ACCEPTED,
            "id": str(self.invoice_id),
            "number": self.number or self.document.data.number,
        }


# --- Submitting -----------------------------------------------------------------------------------------


def batch_submit(
    *, owner: User, documents: Sequence[Any], atomic: bool, idempotency_key: str = ""
) -> BatchSubmission:
    """Check every item, then issue the valid ones (all or none when ``atomic``) in one transaction.

    Raises BatchInvalid (400: empty, too many items), BatchRejected (400: nothing issued, every item's
    outcome) or IdempotencyConflict (422: the key was used for another request).
    """
    batch_check_size(len(documents))
    fingerprint = batch_fingerprint(documents, atomic)
    if idempotency_key:
        replay = _replay(owner, idempotency_key, fingerprint)
        if replay is not None:
            return BatchSubmission(batch=replay, created=False)
    items = _checked_items(owner, documents)
    _refuse_unless_issuable(items, atomic)
    try:
        batch = _store(owner, items, atomic, idempotency_key, fingerprint)
    except IntegrityError:
        # A concurrent request with the same Idempotency-Key committed its batch first.
        replay = _replay(owner, idempotency_key, fingerprint) if idempotency_key else None
        if replay is None:
            raise
        return BatchSubmission(batch=replay, created=False)
    logger.info(
        "batch %s submitted by user %s: %d of %d item(s) accepted",
        batch.id,
        owner.pk,
        batch.accepted_count,
        batch.item_count,
    )
    return BatchSubmission(batch=batch, created=True)


def batch_check_size(count: int) -> None:
    """BatchInvalid unless 1 <= ``count`` <= BATCH_MAX_ITEMS (the view checks while reading, too)."""
    if count == 0:
        raise BatchInvalid({"invoices": ["The batch is empty; send at least one invoice."]})
    if count > settings.BATCH_MAX_ITEMS:
        raise BatchInvalid(
            {
                "invoices": [
                    f"A batch holds at most {settings.BATCH_MAX_ITEMS:,} invoices; split it into several "
                    "batches."
                ]
            }
        )


def batch_fingerprint(documents: Sequence[Any], atomic: bool) -> str:
    """The SHA-256 of the canonical request: the same items in the same order, and the same option."""
    canonical = json.dumps(
        {"atomic": atomic, "invoices": list(documents)},
        cls=DjangoJSONEncoder,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(owner: User, key: str, fingerprint: str) -> InvoiceBatch | None:
    batch = InvoiceBatch.objects.filter(owner=owner, idempotency_key=key).first()
    if batch is not None and batch.fingerprint != fingerprint:
        raise IdempotencyConflict
    return batch


def _refuse_unless_issuable(items: list[_Item], atomic: bool) -> None:
    valid = sum(item.valid for item in items)
    if valid == 0 or (atomic and valid < len(items)):
        raise BatchRejected([item.outcome() for item in items])


# --- Checking each item ---------------------------------------------------------------------------------


def _checked_items(owner: User, documents: Sequence[Any]) -> list[_Item]:
    """Every item validated as one upload is; then, with one query each for the whole batch, the preceding
    invoices they name and the numbers they take."""
    default_locale = owner.locale or None
    items = [_validated(index, payload, default_locale) for index, payload in enumerate(documents)]
    _check_preceding(owner, items)
    _check_numbers(owner, items)
    _check_series(owner, items)
    _check_brands(owner, items)
    return items


def _validated(index: int, payload: Any, default_locale: str | None) -> _Item:
    item = _Item(index=index, payload=payload)
    try:
        item.options, item.document = read_request(payload, default_locale=default_locale)
    except DocumentInvalid as exc:
        item.errors = {path: list(messages) for path, messages in exc.errors.items()}
    return item


def _check_preceding(owner: User, items: list[_Item]) -> None:
    """The preceding invoice each credit note names must be one of the owner's: another account's id gets
    the very message of an unknown one (services._preceding_invoice, docs/security.md)."""
    named = {
        item.index: [ref.invoice_id for ref in item.document.data.preceding if ref.invoice_id is not None]
        for item in items
        if item.valid and item.document is not None
    }
    wanted = {invoice_id for ids in named.values() for invoice_id in ids}
    if not wanted:
        return
    owned = set(Invoice.objects.filter(owner=owner, id__in=wanted).values_list("id", flat=True))
    for item in items:
        ids = named.get(item.index, [])
        for invoice_id in ids:
            if invoice_id not in owned:
                item.reject(PRECEDING_ID_PATH, f"No invoice of yours has the id {invoice_id}.")
        if ids and item.valid:
            item.preceding_id = ids[0]


def _check_numbers(owner: User, items: list[_Item]) -> None:
    """A number is issued once per owner and seller: one already issued, or one an earlier item of this
    batch takes, is the item's error on its number."""
    # An item naming a series takes its number when it is issued (``_issue``).
    valid = [
        item for item in items if item.valid and item.document is not None and not item.document.data.series
    ]
    numbers = {item.document.data.number for item in valid if item.document is not None}
    issued = {
        (seller, number): invoice_id
        for seller, number, invoice_id in Invoice.objects.filter(
            owner=owner, duplicate_number=False, number__in=numbers
        ).values_list("seller_name", "number", "id")
    }
    first_index: dict[tuple[str, str], int] = {}
    for item in valid:
        if item.document is None:  # not reached: valid items have one; narrows the type
            continue
        number = item.document.data.number
        key = (_seller_name(item.document), number)
        path = _number_path(item.payload)
        if key in issued:
            item.reject(
                path,
                f"Invoice number {number} was already issued (invoice {issued[key]}); an issued invoice "
                "cannot change. Give this invoice a new number.",
            )
        elif key in first_index:
            item.reject(
                path,
                f"Invoice number {number} is already taken by item {first_index[key]} of this batch "
                "(for the same seller).",
            )
        else:
            first_index[key] = item.index


def _check_series(owner: User, items: list[_Item]) -> None:
    """The series an item names must be one of the owner's (one query for the batch)."""
    codes = {item.document.data.series for item in items if item.valid and item.document is not None}
    codes.discard("")
    known = set(NumberSeries.objects.filter(owner=owner, code__in=codes).values_list("code", flat=True))
    for item in items:
        series = item.document.data.series if item.valid and item.document is not None else ""
        if series and series not in known:
            item.reject(
                SERIES_PATH, f"You have no number series {series!r}; create it at /api/number-series/ first."
            )


def _check_brands(owner: User, items: list[_Item]) -> None:
    """The brand each valid item names (or the account's default): its current version, one lookup per
    distinct name; an unknown brand is the item's error on ``brand``."""
    found: dict[str, uuid.UUID | DocumentInvalid | None] = {}
    for item in items:
        if not item.valid or item.options is None:
            continue
        reference = item.options.brand
        if reference not in found:
            try:
                version = brand_version_for_upload(owner, reference)
                found[reference] = version.id if version is not None else None
            except DocumentInvalid as exc:
                found[reference] = exc
        outcome = found[reference]
        if isinstance(outcome, DocumentInvalid):
            for path, messages in outcome.errors.items():
                for message in messages:
                    item.reject(path, message)
        else:
            item.brand_version_id = outcome


def _number_path(payload: Any) -> str:
    return NUMBER_PATH if isinstance(payload, dict) and "invoice" in payload else LEGACY_NUMBER_PATH


def _seller_name(document: Document) -> str:
    # As read: one spelling per seller, as invoices.services._seller_name.
    return document.data.seller.name[:MAX_SELLER_NAME_LENGTH]


# --- Storing --------------------------------------------------------------------------------------------


def _store(owner: User, items: list[_Item], atomic: bool, key: str, fingerprint: str) -> InvoiceBatch:
    """The batch, its invoices, their renditions and render jobs, in one transaction."""
    with transaction.atomic():
        batch = InvoiceBatch.objects.create(
            owner=owner, idempotency_key=key, fingerprint=fingerprint, atomic=atomic, item_count=len(items)
        )
        valid = [item for item in items if item.valid]
        try:
            with transaction.atomic():
                _issue(owner, batch, valid)
        except IntegrityError:
            _issue_one_by_one(owner, batch, valid)
            # raises BatchRejected, which rolls the batch back too:
            _refuse_unless_issuable(items, atomic)
        batch.items = [item.outcome() for item in items]
        batch.accepted_count = sum(item.valid for item in items)
        batch.save(update_fields=["items", "accepted_count"])
    return batch


def _issue_one_by_one(owner: User, batch: InvoiceBatch, items: list[_Item]) -> None:
    """After the bulk insert met a number a concurrent upload took since the check: each item in its own
    savepoint, so that one taken number costs only its own item."""
    for item in items:
        try:
            with transaction.atomic():
                _issue(owner, batch, [item])
        except IntegrityError:
            item.invoice_id = None
            if item.document is not None and item.document.data.series:
                # The number the series gave was chosen by hand for the same seller by an upload that
                # committed in the same moment; the savepoint gave the series' number back.
                item.reject(
                    SERIES_PATH,
                    f"Number {item.number} of the series was chosen by hand by another request while this "
                    "batch was issued; send this invoice again.",
                )
                continue
            number = item.document.data.number if item.document is not None else ""
            item.reject(
                _number_path(item.payload),
                f"Invoice number {number} was issued by another request while this batch was checked; give "
                "this invoice a new number.",
            )


def _issue(owner: User, batch: InvoiceBatch, items: list[_Item]) -> None:
    """Within a transaction: the items' invoices, their renditions and render jobs, one INSERT each. An item
    naming a series takes its number here, in item order, so a rolled-back batch gives its numbers back."""
    # The numbers this batch issues, so that a series passes over a number an earlier item takes (by hand,
    # or from another series) before any of them is inserted.
    held = {item.document.data.number for item in items if item.document and not item.document.data.series}
    taker = NumberTaker(owner, held)
    invoices = [_unsaved_invoice(owner, batch, item, taker) for item in items]
    taker.save()
    Invoice.objects.bulk_create(invoices)
    renditions = Rendition.objects.bulk_create(
        Rendition(invoice=invoice, format=fmt, position=position)
        for invoice in invoices
        for position, fmt in enumerate(invoice.formats)
    )
    ledger_record_issued(invoices)
    outbox_add_many(
        [RenderInvoice(invoice_id=rendition.invoice_id, format=rendition.format) for rendition in renditions]
    )
    for item, invoice in zip(items, invoices, strict=True):
        item.invoice_id = invoice.id


def _unsaved_invoice(owner: User, batch: InvoiceBatch, item: _Item, taker: NumberTaker) -> Invoice:
    """The invoice one upload of the item would issue (services._invoice_create's fields), in the batch."""
    options, document = item.options, item.document
    if options is None or document is None:  # not reached: only valid items are issued
        raise ValueError(f"item {item.index} is not valid")
    totals = document.totals
    taken = None
    if document.data.series:
        taken = taker.take(document.data.series, document.data.issue_date)
    item.number = taken.number if taken is not None else document.data.number
    return Invoice(
        id=uuid.uuid4(),
        owner=owner,
        number=item.number,
        series=taken.series if taken is not None else None,
        series_period=taken.period if taken is not None else None,
        series_value=taken.value if taken is not None else None,
        brand_version_id=item.brand_version_id,
        seller_name=_seller_name(document),
        type=document.data.type,
        preceding_invoice_id=item.preceding_id,
        format=options.formats[0] if options.formats else options.format,
        formats=list(options.formats or (options.format,)),
        page_size=options.page_size,
        input=item.payload,
        currency=document.data.currency.code,
        total_net=totals.net,
        total_tax=totals.tax,
        total_gross=totals.gross,
        locale=document.data.locale,
        batch=batch,
        batch_index=item.index,
    )


# --- Reading --------------------------------------------------------------------------------------------


def batch_get(*, owner: User, batch_id: uuid.UUID | str) -> InvoiceBatch | None:
    """The owner's batch, or None: another account's batch and a missing one look the same."""
    try:
        key = batch_id if isinstance(batch_id, uuid.UUID) else uuid.UUID(str(batch_id))
    except ValueError:
        return None
    return InvoiceBatch.objects.filter(owner=owner, id=key).first()


def batch_list(*, owner: User) -> Any:
    """The owner's batches, newest first, without their items (a list shows counts, not outcomes)."""
    return InvoiceBatch.objects.filter(owner=owner).defer("items").order_by("-created_at", "-id")


# --- The ZIP of its files -------------------------------------------------------------------------------

ZIP_READ_CHUNK = 64 * 1024
# Formats that are compressed already (a PDF's streams, XLSX is itself a ZIP): stored, as deflating them
# again costs CPU for nothing. The text formats (CSV, UBL, CII) shrink several times: deflated.
_STORED_FORMATS = {InvoiceFormat.PDF, InvoiceFormat.XLSX, InvoiceFormat.FACTURX}


@dataclass(frozen=True)
class ZipEntry:
    name: str  # unique within the ZIP
    file_name: str  # the storage's name
    format: str
    size: int


def batch_zip_entries(batch: InvoiceBatch, fmt: str | None = None) -> list[ZipEntry]:
    """The batch's ready renditions (of ``fmt`` only, when given), in item order, each under its download
    name, made unique with a "-2", "-3"... suffix when two collide (two sellers' invoices with one number)."""
    rows = Rendition.objects.filter(
        invoice__batch=batch, invoice__owner_id=batch.owner_id, status=InvoiceStatus.READY
    )
    if fmt:
        rows = rows.filter(format=fmt)
    taken: set[str] = set()
    entries = []
    for download_name, file_name, rendition_format, size in rows.order_by(
        "invoice__batch_index", "position"
    ).values_list("download_name", "file_name", "format", "size"):
        name = _unique(download_name or f"{file_name.rsplit('/', 1)[-1]}", taken)
        entries.append(ZipEntry(name=name, file_name=file_name, format=rendition_format, size=size or 0))
    return entries


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, counter = name, 1
    while candidate.lower() in taken:
        counter += 1
        candidate = f"{stem}-{counter}.{suffix}" if dot else f"{stem}-{counter}"
    taken.add(candidate.lower())
    return candidate


class _ChunkSink:
    """The file object zipfile writes to: it keeps what was written until ``take`` hands it out. Not
    seekable, so zipfile writes each entry's sizes after its data (a data descriptor) and never goes back:
    nothing but the current chunk is ever held."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        chunk = b"".join(self._parts)
        self._parts.clear()
        return chunk


def batch_zip_chunks(entries: Sequence[ZipEntry], chunk_size: int = ZIP_READ_CHUNK) -> Iterator[bytes]:
    """The ZIP of ``entries``, as chunks of about ``chunk_size`` bytes: each stored file is read chunk by
    chunk and each chunk handed out as soon as it is compressed, so memory stays at a chunk or two whatever
    the batch's size."""
    storage = storages["invoices"]
    sink = _ChunkSink()
    with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name)
            info.compress_type = (
                zipfile.ZIP_STORED if entry.format in _STORED_FORMATS else zipfile.ZIP_DEFLATED
            )
            info.file_size = entry.size
            with storage.open(entry.file_name, "rb") as source, archive.open(info, mode="w") as target:
                yield from _copy(source, target, sink, chunk_size)
            tail = sink.take()
            if tail:
                yield tail
    tail = sink.take()  # the central directory
    if tail:
        yield tail


def _copy(source: IO[bytes], target: IO[bytes], sink: _ChunkSink, chunk_size: int) -> Iterator[bytes]:
    while chunk := source.read(chunk_size):
        target.write(chunk)
        written = sink.take()
        if written:
            yield written


def batch_link_zip(token: str) -> tuple[links.Opened, list[ZipEntry]]:
    """What a batch download link opens: the ZIP's entries when the link works and a file is ready, else why
    not (``links.batch_link_open``'s answer; NOT_READY while no file is ready yet, FAILED when the batch is
    complete and none ever will be). The signature is checked before any query."""
    opened = links.batch_link_open(token)
    link = opened.link
    if opened.outcome != links.Outcome.FILE or link is None or link.batch is None:
        return opened, []
    entries = batch_zip_entries(link.batch, link.format or None)
    if not entries:
        outcome = links.Outcome.FAILED if link.batch.completed_at else links.Outcome.NOT_READY
        return links.Opened(outcome, link), []
    return opened, entries
