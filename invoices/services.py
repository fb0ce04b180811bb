"""The invoice lifecycle: issue, render each rendition, fail, add a rendition, re-queue.

An invoice is issued once (``invoice_submit``): its number is unique per owner and seller name, and the same
number again is either a replay of the same request or a conflict. Its files are renditions, one render job
each. Every rendition transition is a compare-and-set on the rendition's ``status`` (docs/reliability.md
rule 6), so a job that runs twice, at the same time or after the fact, changes nothing the second time: one
file per rendition, one email per invoice and event. The invoice's own ``status`` is recomputed from its
renditions (``invoices.models.aggregate_status``) under a lock on the invoice row, so two renditions that
finish at the same moment still make it ``ready`` (rule 12).
"""

import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from invoices import render_sql
from invoices.batch_notifications import batch_invoice_final
from invoices.branding import brand_style, brand_version_for_upload
from invoices.document import DocumentInvalid
from invoices.document.currencies import find_currency
from invoices.document.model import E_INVOICE_FORMATS, Document, InvoiceData, RenderedFile, RenderOptions
from invoices.document.validation import read_request
from invoices.jobs import RenderInvoice, SendNotification
from invoices.ledger import ledger_record_issued, ledger_record_rendition
from invoices.models import (
    FINAL_STATUSES,
    MAX_SELLER_NAME_LENGTH,
    BrandVersion,
    Invoice,
    InvoiceStatus,
    Notification,
    NotificationKind,
    Rendition,
    aggregate_status,
)
from invoices.numbering import TakenNumber, number_take
from invoices.renderers import RenderRefused, render
from invoices.renderers.naming import RENDITION_SUFFIXES, rendition_filename
from invoices.selectors import renditions_from_rows, renditions_of
from invoicesite import sqlnames
from invoicesite.metrics import render_measured
from webhooks.models import EventType
from webhooks.services import Event, events_emit
from workers.errors import MAX_ERROR_LENGTH, PermanentError
from workers.outbox import dispatch_after_commit, outbox_add

logger = logging.getLogger(__name__)

# The error path of a preceding invoice's id in the request (InvoiceData.preceding comes from it).
PRECEDING_ID_PATH = "invoice.preceding_invoice.id"


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different request: another body, or another format."""


class NumberTaken(Exception):
    """The invoice number was issued before, for the same owner and seller, with other content."""

    def __init__(self, invoice: Invoice) -> None:
        super().__init__(f"Invoice number {invoice.number!r} was already issued as invoice {invoice.id}.")
        self.invoice = invoice


@dataclass(frozen=True)
class Submission:
    invoice: Invoice
    created: bool  # False when a replay returned an invoice issued before
    # True when the replay was found by the invoice number (the same number and content, no
    # Idempotency-Key or another one): the API answers 200 with the invoice as it is now.
    by_number: bool = False


@dataclass(frozen=True)
class RenditionAdded:
    rendition: Rendition
    created: bool  # False when the invoice already had a rendition in that format


# --- Issuing ------------------------------------------------------------------------------------------


def invoice_submit(
    *,
    owner: User,
    payload: Any,
    default_format: str | None = None,
    idempotency_key: str = "",
    series_retry: bool = True,
) -> Submission:
    """Validate, then store the invoice, its renditions and their render jobs in one transaction (the
    outbox). Raises DocumentInvalid (400), IdempotencyConflict (422) or NumberTaken (409)."""
    if idempotency_key:
        replay = _idempotent_replay(
            owner=owner, key=idempotency_key, payload=payload, default_format=default_format
        )
        if replay is not None:
            return Submission(invoice=replay, created=False)
    # raises DocumentInvalid:
    options, document = read_request(
        payload, default_format=default_format, default_locale=owner.locale or None
    )
    preceding = _preceding_invoice(owner, document.data)  # raises DocumentInvalid
    brand_version = brand_version_for_upload(owner, options.brand)  # raises DocumentInvalid
    try:
        with transaction.atomic():
            # Taken last before the inserts: the series' counter stays locked until the commit.
            taken = _number_take(owner, document)  # raises DocumentInvalid
            invoice = _invoice_create(
                owner, payload, options, document, idempotency_key, preceding, brand_version, taken
            )
            _renditions_create(invoice, options.formats)
            ledger_record_issued([invoice])
    except IntegrityError:
        # The number was issued before (the unique constraint says so, no query spent on the common case of
        # a new number), or a concurrent request with the same Idempotency-Key committed first.
        again = _replay_after_conflict(owner, payload, options, document, idempotency_key, default_format)
        if again is None and document.data.series and series_retry:
            # The number the series gave was chosen by hand, for the same seller, by an upload that committed
            # meanwhile: taken again, the series passes over it (that invoice holds it, so no hole).
            return invoice_submit(
                owner=owner,
                payload=payload,
                default_format=default_format,
                idempotency_key=idempotency_key,
                series_retry=False,
            )
        if again is None:
            raise
        return again
    logger.info(
        "invoice %s submitted by user %s (%s)",
        invoice.id,
        owner.pk,
        ", ".join(options.formats),
        extra={"invoice_id": str(invoice.id)},
    )
    return Submission(invoice=invoice, created=True)


def _replay_after_conflict(
    owner: User,
    payload: Any,
    options: RenderOptions,
    document: Document,
    idempotency_key: str,
    default_format: str | None,
) -> Submission | None:
    if idempotency_key:
        replay = _idempotent_replay(
            owner=owner, key=idempotency_key, payload=payload, default_format=default_format
        )
        if replay is not None:
            return Submission(invoice=replay, created=False)
    if document.data.series:  # a number from a series is never the client's to replay by
        return None
    issued = _issued_with_number(owner, document)
    return _number_replay(issued, payload, options) if issued is not None else None


def _idempotent_replay(*, owner: User, key: str, payload: Any, default_format: str | None) -> Invoice | None:
    """The invoice first submitted with ``key``, if this request is the same one; IdempotencyConflict if not.

    The same request means the same invoice: the same body, and the same formats once ``?format=`` is
    applied (``/upload?format=pdf`` then ``?format=csv`` with one file are two requests). The stored invoice
    keeps its body (``input``) and the formats it was given (``formats``), so the comparison needs no extra
    column: ``?format=excel`` replays an invoice first sent with ``?format=xlsx``, as both make the same file.
    """
    invoice = Invoice.objects.filter(owner=owner, idempotency_key=key).first()
    if invoice is None:
        return None
    if _fingerprint(invoice.input) != _fingerprint(payload):
        raise IdempotencyConflict
    # The body is the stored one, so only ``default_format`` can make it invalid now (an unknown value,
    # answered 400 as for a first request) or a rule changed since.
    options, _document = read_request(
        payload, default_format=default_format, default_locale=invoice.locale or None
    )
    if list(options.formats) != _requested_formats(invoice):
        raise IdempotencyConflict
    return invoice


def _issued_with_number(owner: User, document: Document) -> Invoice | None:
    """The invoice that holds this number for this owner and seller (duplicates from before numbers were
    unique do not hold it)."""
    return Invoice.objects.filter(
        owner=owner,
        seller_name=_seller_name(document.data),
        number=document.data.number,
        duplicate_number=False,
    ).first()


def _number_replay(issued: Invoice, payload: Any, options: RenderOptions) -> Submission:
    """The issued invoice if this upload is the same request again (the same body, the same formats once
    ``?format=`` is applied); NumberTaken if its content differs in anything, as an issued invoice cannot
    change: a correction is a credit note, another file is a rendition added to the issued invoice."""
    same = _fingerprint(issued.input) == _fingerprint(payload) and list(
        options.formats
    ) == _requested_formats(issued)
    if not same:
        raise NumberTaken(issued)
    logger.info("invoice %s uploaded again with the same number and content", issued.id)
    return Submission(invoice=issued, created=False, by_number=True)


def _requested_formats(invoice: Invoice) -> list[str]:
    return list(invoice.formats) or [invoice.format]


def _fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _seller_name(data: InvoiceData) -> str:
    # As read (invoices/document/invisible.py): in NFC, without invisible characters, so that one seller
    # spelt two ways is one seller of the number's uniqueness.
    return data.seller.name[:MAX_SELLER_NAME_LENGTH]


def _preceding_invoice(owner: User, data: InvoiceData) -> Invoice | None:
    """The owner's invoice that a credit note names by id (BG-3), or None when it names none.

    An id that is not one of the owner's invoices is a 400 on the id; another owner's invoice gets the very
    same message as an unknown id, so the answer tells nothing about other accounts (docs/security.md).
    """
    ids = [reference.invoice_id for reference in data.preceding if reference.invoice_id is not None]
    if not ids:
        return None
    found = {invoice.id: invoice for invoice in Invoice.objects.filter(owner=owner, id__in=ids).only("id")}
    missing = [str(invoice_id) for invoice_id in ids if invoice_id not in found]
    if missing:
        raise DocumentInvalid(
            {PRECEDING_ID_PATH: [f"No invoice of yours has the id {invoice_id}." for invoice_id in missing]}
        )
    return found[ids[0]]


def _number_take(owner: User, document: Document) -> TakenNumber | None:
    """Within the issuing transaction: the next number of the series the invoice names, if it names one."""
    if not document.data.series:
        return None
    return number_take(owner=owner, code=document.data.series, issue_date=document.data.issue_date)


def _invoice_create(
    owner: User,
    payload: Any,
    options: RenderOptions,
    document: Document,
    idempotency_key: str,
    preceding: Invoice | None,
    brand_version: BrandVersion | None = None,
    taken: TakenNumber | None = None,
) -> Invoice:
    totals = document.totals
    invoice = Invoice(
        owner=owner,
        number=taken.number if taken is not None else document.data.number,
        series=taken.series if taken is not None else None,
        series_period=taken.period if taken is not None else None,
        series_value=taken.value if taken is not None else None,
        brand_version=brand_version,
        seller_name=_seller_name(document.data),
        type=document.data.type,
        preceding_invoice=preceding,
        format=options.formats[0] if options.formats else options.format,
        formats=list(options.formats or (options.format,)),
        page_size=options.page_size,
        input=payload,
        currency=document.data.currency.code,
        total_net=totals.net,
        total_tax=totals.tax,
        total_gross=totals.gross,
        idempotency_key=idempotency_key,
        locale=document.data.locale,
    )
    sqlnames.insert([invoice])  # the ORM's row without its compiling of the INSERT (every upload)
    return invoice


def _renditions_create(invoice: Invoice, formats: Sequence[str], first_position: int = 0) -> list[Rendition]:
    """Within the caller's transaction: one queued rendition per format, and its render job (the outbox)."""
    renditions = [
        Rendition(invoice=invoice, format=fmt, position=first_position + index)
        for index, fmt in enumerate(formats or (invoice.format,))
    ]
    sqlnames.insert(renditions)
    for rendition in renditions:
        outbox_add(RenderInvoice(invoice_id=invoice.id, format=rendition.format))
    return renditions


# --- Adding a rendition later ---------------------------------------------------------------------------


def rendition_add(*, invoice: Invoice, fmt: str) -> RenditionAdded:
    """Queue a rendition the upload did not ask for, rendered from the same stored input.

    Raises DocumentInvalid (400) when the stored invoice cannot be rendered in ``fmt`` (an e-invoice needs
    fields the invoice lacks) or when ``fmt`` would change its totals (an e-invoice rounds a KWD invoice to
    2 decimals): an issued invoice keeps its amounts in every file. A format it has already is not added
    again; that rendition is returned, whatever its status.
    """
    existing = invoice.renditions.filter(format=fmt).first()
    if existing is not None:
        return RenditionAdded(rendition=existing, created=False)
    formats = [*invoice.renditions.values_list("format", flat=True), fmt]
    _options, document = _stored_request(invoice, formats)  # raises DocumentInvalid
    changed = _totals_changed(invoice, document)
    if changed:
        raise DocumentInvalid(
            {
                "format": [
                    f"A {fmt} rendition would change this invoice's totals ({changed}); an issued invoice "
                    f"keeps its amounts. Issue a credit note and a new invoice that asks for {fmt} from the "
                    "start."
                ]
            }
        )
    try:
        with transaction.atomic():
            _lock(invoice.id)
            last = invoice.renditions.aggregate(last=Max("position"))["last"]
            (rendition,) = _renditions_create(invoice, [fmt], first_position=(last or 0) + 1)
            # A ready invoice is `rendering` again until its new file is ready as well.
            _settle(invoice.id)
    except IntegrityError:  # the same format added by a concurrent request, which committed first
        return RenditionAdded(rendition=invoice.renditions.get(format=fmt), created=False)
    logger.info("invoice %s: %s rendition added", invoice.id, fmt, extra={"invoice_id": str(invoice.id)})
    return RenditionAdded(rendition=rendition, created=True)


def _stored_request(invoice: Invoice, formats: Sequence[str]) -> tuple[RenderOptions, Document]:
    """The stored request read again, for an invoice whose renditions are ``formats``.

    The upload's own formats need nothing more than the stored input. An e-invoice format added later
    changes what validation requires (a buyer's city for UBL) and how it rounds (at most 2 decimals), so the
    request is then read as if it had named that format too, and validation answers as it would have on
    upload. PDF, XLSX and CSV need nothing more from the document, whenever they are added.
    """
    # The locale the upload resolved: an account's default changed since does not re-word an issued invoice.
    locale = invoice.locale or None
    # The number a series gave it, for a body that names a series instead of a number.
    number = invoice.number
    options, document = read_request(
        invoice.input, default_format=_query_format(invoice), default_locale=locale, assigned_number=number
    )
    added_e_invoices = [fmt for fmt in formats if fmt in E_INVOICE_FORMATS and fmt not in options.formats]
    if added_e_invoices:
        options, document = _read_as_if_requested(invoice.input, formats, added_e_invoices[0], locale, number)
    return dataclasses.replace(options, formats=tuple(formats)), document  # type: ignore[arg-type]


def _query_format(invoice: Invoice) -> str | None:
    """The ``?format=`` the upload came with, as far as it mattered: the invoice's format when its body names
    none (``/upload?format=csv``), else None (a body naming ``formats`` and a ``?format=`` are refused)."""
    payload = invoice.input
    named = isinstance(payload, dict) and ("format" in payload or "formats" in payload)
    return None if named else invoice.format


def _read_as_if_requested(
    payload: Any, formats: Sequence[str], e_invoice: str, locale: str | None, number: str
) -> tuple[RenderOptions, Document]:
    if isinstance(payload, dict) and "invoice" in payload:
        named = {key: value for key, value in payload.items() if key not in ("format", "formats")}
        return read_request(
            {**named, "formats": list(formats)}, default_locale=locale, assigned_number=number
        )
    # The original flat format names its one format by ?format= only: read it for the e-invoice format.
    return read_request(payload, default_format=e_invoice, default_locale=locale)


def _totals_changed(invoice: Invoice, document: Document) -> str:
    """'' when the document's totals are the invoice's stored ones, else which differ (for a message)."""
    stored = {"net": invoice.total_net, "tax": invoice.total_tax, "gross": invoice.total_gross}
    computed = {"net": document.totals.net, "tax": document.totals.tax, "gross": document.totals.gross}
    return ", ".join(
        f"{name} {computed[name]} instead of {stored[name].normalize()}"
        for name in stored
        if computed[name] != stored[name]
    )


# --- Rendering (the render queue's consumer calls these) -------------------------------------------


def invoice_render(*, invoice_id: uuid.UUID, fmt: str | None = None) -> None:
    """Render one rendition; ``fmt`` None (a message from before renditions) means the first format."""
    invoice, renditions, claimed = _read_and_claim(invoice_id, fmt)
    if invoice is None:
        raise PermanentError(f"Unknown invoice {invoice_id}.")
    fmt = fmt or invoice.format
    rendition = next((each for each in renditions if each.format == fmt), None)
    if rendition is None:
        raise PermanentError(f"Invoice {invoice_id} has no {fmt} rendition.")
    if rendition.status in FINAL_STATUSES:
        logger.info("invoice %s: %s is already %s; duplicate job ignored", invoice_id, fmt, rendition.status)
        return
    if not claimed:
        _claim(rendition)
    rendered = _render_file(invoice, fmt, [each.format for each in renditions])
    storage = storages["invoices"]
    # A fresh name per attempt: a retried or duplicated job never overwrites a file another one committed.
    name = storage.save(
        f"{invoice.id}/{uuid.uuid4().hex}{RENDITION_SUFFIXES[fmt]}", ContentFile(rendered.content)
    )
    if not _mark_ready(invoice, rendition, name, rendered):
        # Lost the race to another delivery of the same job: its file is the rendition's; drop ours.
        storage.delete(name)
        logger.info("invoice %s: %s was finished by another job; discarded file %s", invoice_id, fmt, name)


def _read_and_claim(invoice_id: uuid.UUID, fmt: str | None) -> tuple[Invoice | None, list[Rendition], bool]:
    """The invoice with its owner, every rendition (the one to render, and every format the invoice has),
    and whether the rendition ``fmt`` (None: the invoice's first format) was claimed already. On PostgreSQL
    the claim and the read go in one message, the read seeing the claim (a final rendition is left as it
    was, so the caller still sees it final): two round trips fewer per file. Elsewhere the reads only; the
    caller claims."""
    if connection.vendor != "postgresql":
        invoice = _invoice_with_owner(invoice_id)
        return invoice, (renditions_of(invoice) if invoice is not None else []), False
    key = sqlnames.value(Invoice, "id", invoice_id)
    claim = _claim_params(key, fmt)
    with connection.cursor() as cursor:
        sqlnames.execute_together(
            cursor, [(render_sql.claim_sql("format"), claim), (render_sql.claimed_invoice_sql(), [key])]
        )
        rows = cursor.fetchall()
    if not rows:
        return None, [], True
    invoice = _invoice_from(rows[0])
    invoice_fields, owner_fields = render_sql.invoice_with_owner_fields()
    start = len(invoice_fields) + len(owner_fields)
    # Not the LEFT JOIN's row of NULLs, of an invoice without renditions.
    renditions = renditions_from_rows(invoice, [row[start:] for row in rows if row[start] is not None])
    return invoice, renditions, True


def _invoice_with_owner(invoice_id: uuid.UUID) -> Invoice | None:
    """The invoice and its owner (the ready notification needs the address), by one fixed statement: the
    ORM's select_related cost the render worker 1.3 ms of CPU per file, this 0.5 ms (the same instances)."""
    with connection.cursor() as cursor:
        sqlnames.execute(
            cursor, render_sql.invoice_with_owner_sql(), [sqlnames.value(Invoice, "id", invoice_id)]
        )
        row = cursor.fetchone()
    return None if row is None else _invoice_from(row)


def _invoice_from(row: Sequence[Any]) -> Invoice:
    """The invoice with its owner cached, from a row that starts with their columns."""
    invoice_fields, owner_fields = render_sql.invoice_with_owner_fields()
    invoice = sqlnames.instance(Invoice, invoice_fields, row[: len(invoice_fields)])
    owner = sqlnames.instance(
        User, owner_fields, row[len(invoice_fields) : len(invoice_fields) + len(owner_fields)]
    )
    Invoice.owner.field.set_cached_value(invoice, owner)
    return invoice


def _lock(invoice_id: uuid.UUID) -> bool:
    """Within a transaction: hold the invoice row, so its status is recomputed by one rendition at a time
    (two renditions finishing together must not both read the other as unfinished; the statuses are read
    by the next statement, which sees what the transaction holding the lock before committed). Return
    whether the invoice was ever ready (its ready email exists then)."""
    with connection.cursor() as cursor:
        sqlnames.execute(
            cursor, render_sql.lock_sql(connection.vendor), [sqlnames.value(Invoice, "id", invoice_id)]
        )
        rows = cursor.fetchall()
    return any(rendered_at is not None for (rendered_at,) in rows)


def _settle(invoice_id: uuid.UUID) -> InvoiceStatus:
    """Within a transaction holding ``_lock``: set the invoice's status from its renditions'; return it."""
    with connection.cursor() as cursor:
        sqlnames.execute(
            cursor, render_sql.settle_read_sql(), [sqlnames.value(Rendition, "invoice", invoice_id)]
        )
        renditions = cursor.fetchall()
    return _settle_from(invoice_id, renditions)


def _settle_from(invoice_id: uuid.UUID, renditions: Sequence[tuple[str, str]]) -> InvoiceStatus:
    """Set the invoice's status from its renditions' (status, failure reason), read after the lock."""
    status = aggregate_status(state for state, _reason in renditions)
    failure = next((reason for state, reason in renditions if state == InvoiceStatus.FAILED), "")
    now = sqlnames.value(Invoice, "updated_at", timezone.now())
    ready = status == InvoiceStatus.READY
    with connection.cursor() as cursor:
        sqlnames.execute(
            cursor,
            render_sql.settle_sql(ready),
            [status, now, failure, *([now] if ready else []), sqlnames.value(Invoice, "id", invoice_id)],
        )
    return status


def _claim(rendition: Rendition) -> None:
    """The rendition is rendering; so is its invoice if it was queued. No lock: a rendition that starts
    moves its invoice only from ``queued`` (every rendition queued) to ``rendering``, a compare-and-set of
    its own that never overwrites a ``failed`` (and ``ready`` cannot be: this rendition is not).

    One statement (the rendition's update feeds the invoice's), atomic on its own: two ORM updates in a
    transaction cost three round trips and 0.6 ms of the worker's CPU per file (docs/performance.md)."""
    now = timezone.now()
    if connection.vendor != "postgresql":  # SQLite (embedded mode) has no UPDATE inside a WITH
        with transaction.atomic():
            claimed = (
                Rendition.objects.filter(id=rendition.id)
                .exclude(status__in=FINAL_STATUSES)
                .update(status=InvoiceStatus.RENDERING, attempts=F("attempts") + 1, updated_at=now)
            )
            if claimed:
                Invoice.objects.filter(id=rendition.invoice_id, status=InvoiceStatus.QUEUED).update(
                    status=InvoiceStatus.RENDERING, updated_at=now
                )
        return
    with connection.cursor() as cursor:
        sqlnames.execute(cursor, render_sql.claim_sql("id"), _claim_params(rendition.id, now=now))


def _claim_params(*which: Any, now: datetime | None = None) -> list[Any]:
    """The values of ``render_sql.claim_sql``: ``which`` names the rendition (its id, or its invoice and
    format)."""
    now = now or timezone.now()
    return [
        InvoiceStatus.RENDERING,
        now,
        *which,
        *FINAL_STATUSES,
        InvoiceStatus.RENDERING,
        now,
        InvoiceStatus.QUEUED,
    ]


def _render_file(invoice: Invoice, fmt: str, formats: list[str]) -> RenderedFile:
    try:
        options, document = _stored_request(invoice, formats)
    except DocumentInvalid as exc:  # stored input that no longer validates: a rule changed
        raise PermanentError(f"The invoice data is no longer valid: {exc}") from None
    changed = _totals_changed(invoice, document)
    if changed:  # a rule changed since the upload: a file must never show other amounts than the invoice's
        raise PermanentError(f"The invoice's totals would change ({changed}); it is not rendered again.")
    # The brand version of the moment it was issued, whenever it is rendered.
    style = brand_style(invoice.brand_version_id, invoice.layout_version)
    try:
        with render_measured(fmt):
            return render(document, dataclasses.replace(options, format=fmt, style=style))  # type: ignore[arg-type]
    except RenderRefused as exc:  # past a renderer's limit: the same every time
        raise PermanentError(str(exc)) from None


def _ready(invoice_id: uuid.UUID, rendition_id: int, file: dict[str, Any]) -> tuple[bool, bool, list[Any]]:
    """Within a transaction: lock the invoice, mark the rendition ready with its file unless it already
    finished (a compare-and-set), and read every rendition's (status, failure) after the lock. Returns
    (the invoice was ever ready, this rendition was updated, the statuses; empty when not updated).

    On PostgreSQL the three statements go in one message, in the same order (each with its own snapshot,
    so the statuses are read after the lock as before): two round trips fewer per file."""
    now = sqlnames.value(Rendition, "rendered_at", timezone.now())
    key = sqlnames.value(Invoice, "id", invoice_id)
    ready = [InvoiceStatus.READY, *(file[name] for name in render_sql.READY_COLUMNS), "", now, now]
    ready += [rendition_id, *FINAL_STATUSES]
    if connection.vendor != "postgresql":
        was_ready = _lock(invoice_id)
        with connection.cursor() as cursor:
            sqlnames.execute(cursor, render_sql.rendition_ready_sql(), ready)
            updated = bool(cursor.rowcount)
            if not updated:
                return was_ready, False, []
            sqlnames.execute(cursor, render_sql.settle_read_sql(), [key])
            return was_ready, True, cursor.fetchall()
    with connection.cursor() as cursor:
        sqlnames.execute_together(
            cursor,
            [
                (render_sql.lock_sql(connection.vendor), [key]),
                (render_sql.rendition_ready_sql(), ready),
                (render_sql.statuses_sql(), [file["file_name"], key]),
            ],
        )
        rows = cursor.fetchall()
    # The file's name is fresh per attempt: a rendition holding it is one this UPDATE made ready.
    updated = any(ours for _state, _reason, ours, _was_ready in rows)
    was_ready = bool(rows) and bool(rows[0][3])
    return was_ready, updated, [(state, reason) for state, reason, _ours, _was in rows] if updated else []


def _mark_ready(invoice: Invoice, rendition: Rendition, name: str, rendered: RenderedFile) -> bool:
    content = rendered.content
    sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        was_ready, updated, statuses = _ready(
            invoice.id,
            rendition.id,
            {
                "file_name": name,
                # Named here, not by the renderer: every rendition of one invoice gets a distinct name.
                "download_name": rendition_filename(invoice.number, rendition.format),
                "content_type": rendered.content_type,
                "size": len(content),
                "sha256": sha256,
            },
        )
        events = (
            [_event(invoice, EventType.RENDITION_READY, f"{invoice.id}:{rendition.format}")]
            if updated
            else []
        )
        if updated and _settle_from(invoice.id, statuses) == InvoiceStatus.READY and not was_ready:
            # Every rendition is ready, for the first time: the one ready email (none when a rendition added
            # later is). A plain insert: the unique constraint still guards it.
            if _in_batch(invoice):
                batch_invoice_final(invoice)
            else:
                notification = Notification(
                    invoice=invoice,
                    kind=NotificationKind.READY,
                    recipient=invoice.owner.email,
                    next_attempt_at=_dispatch_overdue_at(),
                )
                sqlnames.insert([notification])
                _dispatch_notification(invoice, NotificationKind.READY)
            events.append(_event(invoice, EventType.INVOICE_READY, str(invoice.id)))
        events_emit(owner_id=invoice.owner_id, events=events)
        if updated:
            # Last before the commit: the owner's chain is locked from here to the commit, and every upload
            # and file of the owner waits for it.
            ledger_record_rendition(invoice, rendition.format, sha256)
    if updated:
        logger.info("invoice %s: %s ready: %s (%d bytes)", invoice.id, rendition.format, name, len(content))
    return bool(updated)


def invoice_fail(*, invoice_id: uuid.UUID, reason: str, fmt: str | None = None) -> bool:
    """Mark the rendition failed (unless it already finished) and tell the invoice's owner, once per invoice.
    ``fmt`` None means the first format. True if it changed."""
    with transaction.atomic():
        invoice = Invoice.objects.select_related("owner").defer("input").filter(id=invoice_id).first()
        if invoice is None:
            return False
        _lock(invoice_id)
        updated = (
            Rendition.objects.filter(invoice_id=invoice_id, format=fmt or invoice.format)
            .exclude(status__in=FINAL_STATUSES)
            .update(
                status=InvoiceStatus.FAILED,
                failure_reason=reason[:MAX_ERROR_LENGTH],
                updated_at=timezone.now(),
            )
        )
        if updated and _settle(invoice_id) == InvoiceStatus.FAILED:
            if _in_batch(invoice):
                batch_invoice_final(invoice)
            else:
                _notify(invoice, NotificationKind.FAILED)
            events_emit(
                owner_id=invoice.owner_id, events=[_event(invoice, EventType.INVOICE_FAILED, str(invoice.id))]
            )
    if updated:
        logger.warning("invoice %s: %s failed: %s", invoice_id, fmt or invoice.format, reason)
    return bool(updated)


def invoice_requeue(*, invoice: Invoice) -> bool:
    """Give an invoice's failed renditions another render (the admin's action). True if any was re-queued."""
    with transaction.atomic():
        _lock(invoice.id)
        failed = list(
            Rendition.objects.filter(invoice_id=invoice.id, status=InvoiceStatus.FAILED).values_list(
                "id", "format"
            )
        )
        if not failed:
            return False
        Rendition.objects.filter(id__in=[pk for pk, _fmt in failed]).update(
            status=InvoiceStatus.QUEUED, failure_reason="", updated_at=timezone.now()
        )
        _settle(invoice.id)
        # The earlier failure email stays sent; a new ready email may follow.
        for _pk, fmt in failed:
            outbox_add(RenderInvoice(invoice_id=invoice.id, format=fmt))
    return True


def _notify(invoice: Invoice, kind: str) -> None:
    """Within the caller's transaction: one notification row per (invoice, kind), and its job after commit."""
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


# --- Batches ----------------------------------------------------------------------------------------


def _in_batch(invoice: Invoice) -> bool:
    """An invoice of a batch sends no email of its own: when it becomes final, its batch is checked instead
    (``batch_invoice_final``: the batch's one email and batch.completed event once all of it is final)."""
    return invoice.batch_id is not None


# --- Webhooks ---------------------------------------------------------------------------------------


def _event(invoice: Invoice, event_type: EventType, key: str) -> Event:
    """An event about ``invoice`` for its owner's endpoints (the webhooks app), emitted within the
    transaction that made the change."""
    return Event(type=event_type, key=key, data=lambda: invoice_event_data(invoice))


def invoice_event_data(invoice: Invoice) -> dict[str, Any]:
    """An invoice as its webhook events show it: what a receiver needs to fetch its files, nothing more
    than the owner's own API shows (read within the caller's transaction, so the statuses are current)."""
    invoice_url = settings.SITE_URL + reverse("invoice-detail", args=[invoice.id])
    renditions = Rendition.objects.filter(invoice_id=invoice.id).values_list(
        "format", "status", "failure_reason"
    )
    status = Invoice.objects.filter(id=invoice.id).values_list("status", flat=True).first() or invoice.status
    return {
        "id": str(invoice.id),
        "number": invoice.number,
        "status": status,
        "currency": invoice.currency,
        "total_gross": _amount(invoice, invoice.total_gross),
        "batch_id": str(invoice.batch_id) if invoice.batch_id else None,
        "renditions": [
            {
                "format": fmt,
                "status": state,
                **({"failure_reason": reason} if state == InvoiceStatus.FAILED else {}),
                **(
                    {"download": f"{invoice_url}download/?format={fmt}"}
                    if state == InvoiceStatus.READY
                    else {}
                ),
            }
            for fmt, state, reason in renditions
        ],
        "links": {"self": invoice_url},
    }


def _amount(invoice: Invoice, value: Decimal) -> str:
    """A stored amount (four decimals) with the invoice currency's minor units, as its files show it."""
    currency = find_currency(invoice.currency)
    minor_units = currency.minor_units if currency is not None else 2
    return str(value.quantize(Decimal(1).scaleb(-minor_units)))
