"""The ledger: an append-only, hash-chained log of every issued invoice and every rendered file.

(Contract placeholder: the entries, their hashes, ``verify_ledger`` and the proof endpoint are built on
this interface.)
"""

from collections.abc import Sequence

from invoices.models import Invoice

# The version of the renderers an entry names: raised whenever a change to a renderer changes the files it
# makes for the same input.
RENDERER_VERSION = "2026.12.1"


def ledger_record_issued(invoices: Sequence[Invoice]) -> None:
    """Within the issuing transaction: one ``issued`` entry per invoice, in order, in each owner's chain."""


def ledger_record_rendition(invoice: Invoice, fmt: str, sha256: str) -> None:
    """Within the transaction that marks the rendition ready: its ``rendition`` entry with the file's hash."""
