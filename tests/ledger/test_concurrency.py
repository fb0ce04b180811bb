"""Uploads of one account at the same moment, each in its own transaction on its own connection: the chain's
lock makes them append one after the other (positions 1..N, each linked to the one before), where two
readers of the same head would collide on (owner, position)."""

import threading

import pytest
from django.db import connection

from invoices import services
from invoices.models import LedgerEntry
from tests.ledger.conftest import verify
from tests.payloads import sample_payload

UPLOADS = 8

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_uploads_of_one_account_append_one_after_the_other(user, local_invoice_storage):
    """Outside a request the embedded default renders each upload right after its commit, in its thread:
    an issued and a rendition entry per upload, all racing for the one chain."""
    start = threading.Barrier(UPLOADS)
    errors: list[BaseException] = []

    def upload(index: int) -> None:
        payload = sample_payload(fmt="csv")
        payload["invoice"]["number"] = f"C-{index}"
        try:
            start.wait(timeout=10)
            services.invoice_submit(owner=user, payload=payload)
        except BaseException as exc:  # reported below, with the test's own assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(index,)) for index in range(UPLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    entries = list(LedgerEntry.objects.filter(owner=user).order_by("position"))
    assert [entry.position for entry in entries] == list(range(1, 2 * UPLOADS + 1))
    issued = sorted(entry.number for entry in entries if entry.kind == "issued")
    assert issued == sorted(f"C-{index}" for index in range(UPLOADS))
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    assert f"1 chain(s), {2 * UPLOADS} entries" in verify()
