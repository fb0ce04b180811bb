"""The ledger: an append-only, hash-chained log of every issued invoice and every rendered file.

Each account has a chain of its own (an account's auditor verifies its own chain, and concurrent accounts
never queue on one lock). An entry records the invoice, its number, the SHA-256 of its stored input, the
brand version and layout it is rendered with, the renderers' version and, for a rendition, the SHA-256 of
the file; ``entry_hash`` is the SHA-256 of the entry's canonical form, which includes the hash of the entry
before (``previous_hash``; 64 zeros for the first). Changing or removing an entry breaks every link after
it; ``manage.py verify_ledger`` finds the first break (invoices/ledger_verify.py).

The two canonical forms, so an auditor can recompute every hash from the rows (docs/api.md, "Proof"):

- the input: the invoice's stored ``input`` as JSON with sorted keys, no spaces (separators ``,`` and
  ``:``), non-ASCII characters as themselves, encoded UTF-8; decimals are the strings they are stored as;
- the entry: the JSON object of ``ENTRY_FIELDS`` written the same way, with ``owner`` the account's id,
  ``invoice`` and ``brand_version`` as UUID strings (or null), ``at`` as ISO 8601 UTC with microseconds
  (``2026-12-03T17:05:00.123456Z``) and ``files`` the object ``{format: sha256}`` (``{}`` for ``issued``).
  The row's own ``id`` is not part of it (the database gives it on insert).

Appending takes a transaction-scoped advisory lock on the owner's chain (PostgreSQL; SQLite serializes
writers anyway), reads the head, inserts; the unique (owner, position) constraint is the backstop.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from invoices.models import BrandVersion, Invoice, LedgerEntry, LedgerKind
from invoicesite import sqlnames

# The version of the renderers an entry names: raised whenever a change to a renderer changes the files it
# makes for the same input.
RENDERER_VERSION = "2026.12.1"

GENESIS_HASH = "0" * 64
# The service's own layout, for an invoice issued without a brand, in the version the invoice names
# (Invoice.layout_version; invoices.document.model.DEFAULT_STYLE).
DEFAULT_LAYOUT = "classic"
# The fields entry_hash covers, in the order the proof endpoint and the docs list them.
ENTRY_FIELDS = (
    "owner",
    "position",
    "kind",
    "at",
    "invoice",
    "number",
    "input_sha256",
    "brand_version",
    "layout",
    "layout_version",
    "renderer_version",
    "files",
    "previous_hash",
)
# The key of a chain's lock, pg_advisory_xact_lock(int, int): the first half names the ledger, so no other
# advisory lock can collide with a chain's; the second is the owner's id folded into 31 bits (two owners
# that fold alike share a lock: slower, never wrong).
LOCK_NAMESPACE = 0x1ED6E5
LOCK_ID_MASK = 0x7FFFFFFF


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8; a Decimal is written as the string it is stored as."""
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def input_sha256(stored_input: Any) -> str:
    """The SHA-256 of an invoice's stored input in its canonical form."""
    return hashlib.sha256(canonical_json(stored_input)).hexdigest()


def entry_time(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds: what entry_hash covers of ``at``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    """The entry's fields as entry_hash covers them (and as the proof endpoint shows them)."""
    return {
        "owner": entry.owner_id,
        "position": entry.position,
        "kind": entry.kind,
        "at": entry_time(entry.at),
        "invoice": str(entry.invoice_id),
        "number": entry.number,
        "input_sha256": entry.input_sha256,
        "brand_version": str(entry.brand_version) if entry.brand_version is not None else None,
        "layout": entry.layout,
        "layout_version": entry.layout_version,
        "renderer_version": entry.renderer_version,
        "files": entry.files,
        "previous_hash": entry.previous_hash,
    }


def entry_hash(entry: LedgerEntry) -> str:
    return hashlib.sha256(canonical_json(entry_fields(entry))).hexdigest()


@dataclass(frozen=True)
class _Look:
    brand_version: Any  # uuid.UUID | None
    layout: str
    layout_version: int


def ledger_record_issued(invoices: Sequence[Invoice]) -> None:
    """Within the issuing transaction: one ``issued`` entry per invoice, in order, in each owner's chain,
    hashed in Python and inserted with one statement."""
    if not invoices:
        return
    looks = _looks(invoices)
    # Each entry's fields but its place in the chain, before the chain is locked: the input's hash (a
    # canonical JSON of the whole document) would otherwise keep every other writer of the owner waiting.
    pending = [_entry(invoice, LedgerKind.ISSUED, looks[_look_key(invoice)], {}) for invoice in invoices]
    entries: list[LedgerEntry] = []
    for owner_id in dict.fromkeys(entry.owner_id for entry in pending):
        position, previous = _head(owner_id)
        now = timezone.now()  # taken once the chain is ours: its times follow its positions
        for entry in pending:
            if entry.owner_id != owner_id:
                continue
            position += 1
            previous = _chain(entry, position, previous, now)
            entries.append(entry)
    sqlnames.insert(entries)


def ledger_record_rendition(invoice: Invoice, fmt: str, sha256: str) -> None:
    """Within the transaction that marks the rendition ready, as its last statements (the chain stays
    locked until the commit): its ``rendition`` entry with the file's hash."""
    entry = _entry(invoice, LedgerKind.RENDITION, _looks([invoice])[_look_key(invoice)], {fmt: sha256})
    position, previous = _head(invoice.owner_id)
    # The time is taken once the chain is ours: its times follow its positions.
    _chain(entry, position + 1, previous, timezone.now())
    sqlnames.insert([entry])


def _chain(entry: LedgerEntry, position: int, previous: str, now: datetime) -> str:
    """Place ``entry`` at ``position`` after the entry hashed ``previous``; its own hash."""
    entry.position, entry.previous_hash, entry.at = position, previous, now
    entry.entry_hash = entry_hash(entry)
    return entry.entry_hash


def _entry(invoice: Invoice, kind: str, look: _Look, files: dict[str, str]) -> LedgerEntry:
    """An entry without its place in the chain (position, previous hash, time, own hash)."""
    return LedgerEntry(
        owner_id=invoice.owner_id,
        kind=kind,
        invoice_id=invoice.id,
        number=invoice.number,
        input_sha256=input_sha256(invoice.input),
        brand_version=look.brand_version,
        layout=look.layout,
        layout_version=look.layout_version,
        renderer_version=RENDERER_VERSION,
        files=files,
    )


def _head(owner_id: int) -> tuple[int, str]:
    """Lock the owner's chain until the transaction ends, then read its last position and hash.

    The lock comes first, in a statement of its own: a head read in the same statement could miss an entry
    committed while it waited. On PostgreSQL both statements go in one message, so the chain is held one
    round trip less: each statement of a simple query takes its own snapshot, the read's after the lock is
    granted (tests/ledger/test_concurrency.py races appenders on one chain)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sqlnames.execute_together(
                cursor,
                [
                    (sqlnames.ADVISORY_XACT_LOCK, [LOCK_NAMESPACE, owner_id & LOCK_ID_MASK]),
                    (_head_sql(), [owner_id]),
                ],
            )
        else:
            sqlnames.execute(cursor, _head_sql(), [owner_id])
        head = cursor.fetchone()
    return (head[0], head[1]) if head is not None else (0, GENESIS_HASH)


@cache
def _head_sql() -> str:
    table = sqlnames.table(LedgerEntry)
    owner, position, entry_hash_ = (
        sqlnames.column(LedgerEntry, name) for name in ("owner", "position", "entry_hash")
    )
    # Names from the model's metadata, the owner as a parameter; (owner, position) is unique and indexed.
    # Fixed SQL: the ORM spent 0.5 ms of CPU building this query on every upload and every file.
    return (
        f"SELECT {position}, {entry_hash_} FROM {table} "  # noqa: S608  # nosec B608
        f"WHERE {owner} = %s ORDER BY {position} DESC LIMIT 1"
    )


def _look_key(invoice: Invoice) -> Any:
    """What an invoice's look is found under in ``_looks``: its brand version, or the version of the
    service's own layout it has without one."""
    return invoice.brand_version_id or (DEFAULT_LAYOUT, invoice.layout_version)


def _looks(invoices: Sequence[Invoice]) -> dict[Any, _Look]:
    """The brand version, layout and layout version of each invoice's look (under ``_look_key``): the
    service's own (classic, the invoice's ``layout_version``) without a brand; one query for the brand
    versions not already loaded with their invoice."""
    looks: dict[Any, _Look] = {
        (DEFAULT_LAYOUT, invoice.layout_version): _Look(None, DEFAULT_LAYOUT, invoice.layout_version)
        for invoice in invoices
        if invoice.brand_version_id is None
    }
    missing = set()
    for invoice in invoices:
        version_id = invoice.brand_version_id
        if version_id is None or version_id in looks:
            continue
        cached = Invoice.brand_version.is_cached(invoice)
        if cached and invoice.brand_version is not None:
            looks[version_id] = _Look(
                version_id, invoice.brand_version.layout, invoice.brand_version.layout_version
            )
        else:
            missing.add(version_id)
    if missing:
        for version_id, layout, layout_version in BrandVersion.objects.filter(id__in=missing).values_list(
            "id", "layout", "layout_version"
        ):
            looks[version_id] = _Look(version_id, layout, layout_version)
    return looks
