"""manage.py verify_ledger [--owner <email|id>]: re-check the hash-chained ledger (invoices/ledger.py).

For every account's chain (or one): positions 1..N without a gap, each entry's previous_hash the entry
before's entry_hash, each entry_hash recomputed from the entry's fields; each invoice's stored input and
number as its entries recorded them; each rendered file, read back from the storage, hashing to what its
entry recorded; and every invoice and every ready rendition with its entry. The first break is named (the
account, the entry's position and id, its kind, the invoice and its number, what differs) and the command
exits non-zero; when everything holds it prints one summary line.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from invoices.ledger_verify import Break, StorageUnavailable, ledger_verify


class Command(BaseCommand):
    help = "Re-check every account's ledger chain, the invoices' inputs and the stored files' hashes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--owner", help="only this account's chain: its email or id")

    def handle(self, *args: Any, owner: str | None, **options: Any) -> None:
        owners = [_owner(owner)] if owner else None
        try:
            outcome = ledger_verify(owners)
        except StorageUnavailable as exc:
            raise CommandError(f"{exc} The ledger was not verified.") from None
        if isinstance(outcome, Break):
            raise CommandError(f"Ledger broken. {outcome}")
        self.stdout.write(str(outcome))


def _owner(reference: str) -> User:
    found = (
        User.objects.filter(pk=int(reference)).first()
        if reference.isdigit()
        else User.objects.filter(email__iexact=reference).first()
    )
    if found is None:
        raise CommandError(f"No account {reference!r} (give its email or id).")
    return found
