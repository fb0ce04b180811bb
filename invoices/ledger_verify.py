"""Re-checking the ledger (invoices/ledger.py): every chain, every entry's hash and link, and what the entries
vouch for (the invoices' stored inputs and numbers, the stored files), then that nothing is missing.

``ledger_verify`` stops at the FIRST break and names it; ``ledger_links_hold`` is the cheap part the proof
endpoint runs (hashes and links only, no file read).
"""

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.files.storage import storages
from gridfs.errors import CorruptGridFile
from pymongo.errors import PyMongoError

from accounts.models import User
from invoices.ledger import GENESIS_HASH, entry_hash, input_sha256
from invoices.models import Invoice, InvoiceStatus, LedgerEntry, LedgerKind, Rendition

CHUNK_ENTRIES = 500  # entries checked per round of queries: bounds memory on a long chain
READ_BYTES = 1024 * 1024  # a stored file is hashed in pieces of this size, never loaded whole


class StorageUnavailable(Exception):
    """The file storage did not answer: nothing can be said about the files, so the check is not passed."""


@dataclass(frozen=True)
class Break:
    """The first entry (or missing entry) that does not hold, and what differs."""

    owner: str  # "ann@example.com (account 7)"
    position: int | None  # None: an entry that should exist does not
    entry_id: int | None
    kind: str
    invoice_id: uuid.UUID
    number: str
    problem: str

    def __str__(self) -> str:
        where = (
            f"entry #{self.position} (id {self.entry_id}, {self.kind})"
            if self.position is not None
            else f"missing {self.kind} entry"
        )
        return (
            f"Ledger of {self.owner}: {where} of invoice {self.invoice_id} ({self.number!r}): {self.problem}"
        )


@dataclass
class Summary:
    chains: int = 0
    entries: int = 0
    files: int = 0

    def __str__(self) -> str:
        return (
            f"Ledger verified: {self.chains} chain(s), {self.entries} entries, {self.files} stored file(s) "
            "hashed; every link, hash, input and file holds."
        )


def ledger_verify(owners: Iterable[User] | None = None) -> Break | Summary:
    """Check each owner's chain (every chain when ``owners`` is None); the first Break, or the Summary.
    Raises StorageUnavailable when the file storage does not answer."""
    if owners is None:
        owner_ids = LedgerEntry.objects.values_list("owner_id", flat=True).distinct()
        owners = User.objects.filter(id__in=set(owner_ids) | _owners_with_invoices()).order_by("id")
    summary = Summary()
    for owner in owners:
        found = _verify_chain(owner, summary)
        if found is not None:
            return found
        summary.chains += 1
    return summary


def ledger_links_hold(entries: list[LedgerEntry], predecessors: dict[int, str]) -> bool:
    """Each entry's hash recomputes from its fields and its previous_hash is its predecessor's entry_hash
    (``predecessors``: position -> entry_hash of that owner's chain; position 0 is the genesis)."""
    chain = {0: GENESIS_HASH, **predecessors}
    return all(
        entry_hash(entry) == entry.entry_hash and chain.get(entry.position - 1) == entry.previous_hash
        for entry in entries
    )


def _owners_with_invoices() -> set[int]:
    return set(Invoice.objects.values_list("owner_id", flat=True).distinct())


class _Chain:
    """The walk along one owner's chain."""

    def __init__(self, owner: User) -> None:
        self.owner = owner
        self.label = f"{owner.email} (account {owner.pk})"
        self.position = 0
        self.previous = GENESIS_HASH
        self.issued: set[uuid.UUID] = set()
        self.renditions: set[tuple[uuid.UUID, str]] = set()

    def broken(self, entry: LedgerEntry, problem: str) -> Break:
        return Break(
            self.label, entry.position, entry.id, entry.kind, entry.invoice_id, entry.number, problem
        )


def _verify_chain(owner: User, summary: Summary) -> Break | None:
    chain = _Chain(owner)
    entries = LedgerEntry.objects.filter(owner=owner).order_by("position").iterator(chunk_size=CHUNK_ENTRIES)
    for chunk in _chunks(entries, CHUNK_ENTRIES):
        invoices = {
            invoice_id: (number, stored_input)
            for invoice_id, number, stored_input in Invoice.objects.filter(
                id__in={entry.invoice_id for entry in chunk}
            ).values_list("id", "number", "input")
        }
        files = _ready_files(chunk)
        for entry in chunk:
            found = _verify_entry(chain, entry, invoices, files, summary)
            if found is not None:
                return found
            summary.entries += 1
    return _verify_complete(chain)


def _verify_entry(
    chain: _Chain,
    entry: LedgerEntry,
    invoices: dict[uuid.UUID, tuple[str, Any]],
    files: dict[tuple[uuid.UUID, str], Rendition],
    summary: Summary,
) -> Break | None:
    expected = chain.position + 1
    if entry.position != expected:
        return chain.broken(
            entry, f"position {entry.position} follows position {chain.position}: entries are missing"
        )
    if entry.previous_hash != chain.previous:
        return chain.broken(
            entry,
            f"previous_hash {entry.previous_hash} is not the entry_hash {chain.previous} of the entry before",
        )
    recomputed = entry_hash(entry)
    if recomputed != entry.entry_hash:
        return chain.broken(
            entry, f"entry_hash {entry.entry_hash} is recorded, but the entry's fields hash to {recomputed}"
        )
    chain.position, chain.previous = entry.position, entry.entry_hash
    problem = _content_problem(entry, invoices, files, summary)
    if problem:
        return chain.broken(entry, problem)
    if entry.kind == LedgerKind.ISSUED:
        chain.issued.add(entry.invoice_id)
    else:
        chain.renditions.update((entry.invoice_id, fmt) for fmt in entry.files)
    return None


def _content_problem(
    entry: LedgerEntry,
    invoices: dict[uuid.UUID, tuple[str, Any]],
    files: dict[tuple[uuid.UUID, str], Rendition],
    summary: Summary,
) -> str:
    """What the entry vouches for that no longer holds, or ""."""
    number, stored_input = invoices[entry.invoice_id]  # the foreign key protects the invoice
    if number != entry.number:
        return f"the invoice's number is now {number!r}"
    stored = input_sha256(stored_input)
    if stored != entry.input_sha256:
        return f"the invoice's stored input hashes to {stored}, not to the recorded {entry.input_sha256}"
    if entry.kind == LedgerKind.ISSUED:
        return "" if entry.files == {} else f"an issued entry lists files {entry.files}"
    for fmt, recorded in entry.files.items():
        rendition = files.get((entry.invoice_id, fmt))
        if rendition is None:
            return f"the invoice has no ready {fmt} rendition"
        problem = _file_problem(rendition, recorded)
        if problem:
            return problem
        summary.files += 1
    return ""


def _file_problem(rendition: Rendition, recorded: str) -> str:
    try:
        actual = _stored_sha256(rendition.file_name)
    except FileNotFoundError:
        return f"the {rendition.format} file {rendition.file_name!r} is not in the storage"
    except CorruptGridFile as exc:  # chunks missing or of the wrong size: the file was altered
        return f"the {rendition.format} file {rendition.file_name!r} cannot be read whole ({exc})"
    except (PyMongoError, OSError) as exc:
        raise StorageUnavailable(f"The file storage did not answer: {type(exc).__name__}: {exc}") from None
    if actual != recorded:
        return (
            f"the stored {rendition.format} file {rendition.file_name!r} hashes to {actual}, not {recorded}"
        )
    return ""


def _stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with storages["invoices"].open(name, "rb") as stored:
        while piece := stored.read(READ_BYTES):
            digest.update(piece)
    return digest.hexdigest()


def _ready_files(chunk: list[LedgerEntry]) -> dict[tuple[uuid.UUID, str], Rendition]:
    invoice_ids = {entry.invoice_id for entry in chunk if entry.kind == LedgerKind.RENDITION}
    ready = Rendition.objects.filter(invoice_id__in=invoice_ids, status=InvoiceStatus.READY).only(
        "invoice_id", "format", "file_name"
    )
    return {(rendition.invoice_id, rendition.format): rendition for rendition in ready}


def _verify_complete(chain: _Chain) -> Break | None:
    """Every invoice of the owner has its issued entry and every ready rendition its entry: a removed last
    entry (which leaves the chain itself intact) shows up here."""
    end = f"the chain ends at position {chain.position} (entry_hash {chain.previous})"
    invoices = Invoice.objects.filter(owner=chain.owner).order_by("created_at", "id")
    for invoice_id, number in invoices.values_list("id", "number").iterator():
        if invoice_id not in chain.issued:
            return Break(
                chain.label, None, None, LedgerKind.ISSUED, invoice_id, number, f"the invoice has none; {end}"
            )
    ready = Rendition.objects.filter(invoice__owner=chain.owner, status=InvoiceStatus.READY).order_by(
        "rendered_at", "id"
    )
    for invoice_id, number, fmt in ready.values_list("invoice_id", "invoice__number", "format").iterator():
        if (invoice_id, fmt) not in chain.renditions:
            return Break(
                chain.label,
                None,
                None,
                LedgerKind.RENDITION,
                invoice_id,
                number,
                f"its ready {fmt} rendition has none; {end}",
            )
    return None


def _chunks(items: Iterator[LedgerEntry], size: int) -> Iterator[list[LedgerEntry]]:
    while chunk := list(islice(items, size)):
        yield chunk


@dataclass(frozen=True)
class Proof:
    """An invoice's entries with where its chain stands now (GET /api/invoices/{id}/proof/)."""

    entries: list[LedgerEntry]
    chain_length: int
    head_hash: str
    verified: bool  # every entry's hash recomputes and links to the entry before it


def ledger_proof(invoice: Invoice) -> Proof:
    """Three queries: the invoice's entries, their predecessors' hashes, the chain's head. No file is read."""
    entries = list(LedgerEntry.objects.filter(invoice_id=invoice.id).order_by("position"))
    chain = LedgerEntry.objects.filter(owner_id=invoice.owner_id)
    predecessors = dict(
        chain.filter(position__in=[entry.position - 1 for entry in entries]).values_list(
            "position", "entry_hash"
        )
    )
    head = chain.order_by("-position").values_list("position", "entry_hash").first()
    length, head_hash = head if head is not None else (0, GENESIS_HASH)
    return Proof(entries, length, head_hash, bool(entries) and ledger_links_hold(entries, predecessors))
