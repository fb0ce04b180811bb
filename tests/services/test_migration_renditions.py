"""Migrations 0003 and 0004 on a PostgreSQL database holding invoices of the old shape (one file per
invoice, numbers not unique), run with Django's migration executor: every invoice stays downloadable as it
was, a queued one still renders from an old message, and the old duplicates of a number do not break the
new unique constraint."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from invoices import services
from invoices.models import Invoice, InvoiceStatus, Rendition
from tests.payloads import legacy_payload, sample_payload

BEFORE = [("invoices", "0002_notification_retries")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def stored(payload) -> object:
    """The input as the old release stored it (Decimals written as strings)."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


@pytest.fixture
def old_shape(transactional_db, user, make_user, local_invoice_storage):
    """Invoices written by the release before renditions, with a file in the invoice storage."""
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: set DATABASE_URL", pytrace=False)
    apps = migrate(BEFORE)
    OldInvoice = apps.get_model("invoices", "Invoice")
    content = b"row_type,number\nline,INV-2026-0042\n"
    (local_invoice_storage / "old").mkdir()
    (local_invoice_storage / "old" / "file.csv").write_bytes(content)
    now = timezone.now()

    def old(number: str, payload, minutes_ago: int, **fields):
        values = {
            "owner_id": user.pk,
            "number": number,
            "format": "csv",
            "input": stored(payload),
            "currency": "EUR",
            "total_net": "996.11",
            "total_tax": "193.72",
            "total_gross": "1189.83",
            **fields,
        }
        invoice = OldInvoice.objects.create(**values)
        moment = now - timedelta(minutes=minutes_ago)
        OldInvoice.objects.filter(id=invoice.id).update(created_at=moment, updated_at=moment)
        return invoice.id

    seller_with_spaces = sample_payload(fmt="csv")
    seller_with_spaces["invoice"]["seller"]["name"] = "  Nuage Informatique SAS  "
    ids = {
        "ready": old(
            "INV-2026-0042",
            sample_payload(fmt="csv"),
            30,
            status="ready",
            file_name="old/file.csv",
            download_name="INV-2026-0042.csv",
            content_type="text/csv; charset=utf-8",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            attempts=2,
            rendered_at=now - timedelta(minutes=29),
        ),
        # The same number and seller again, twice (the old service allowed it): later copies are duplicates.
        "again": old("INV-2026-0042", sample_payload(fmt="csv"), 20, status="failed", failure_reason="boom"),
        "spaces": old("INV-2026-0042", seller_with_spaces, 10),
        "queued": old("INV-2026-0043", _numbered("INV-2026-0043"), 5),
        "legacy": old("INV-2026-001", legacy_payload(), 4, format="xlsx", total_gross="1356.25"),
        "other owner": old(
            "INV-2026-0042", sample_payload(fmt="csv"), 3, owner_id=make_user("bob@example.com").pk
        ),
    }
    migrate(_leaf_nodes())  # the current schema (0003 on): the code under test runs on it
    yield ids
    # Leave the schema as the other tests expect it (the executor already did; this states it).
    migrate([("invoices", max(node[1] for node in _leaf_nodes()))])


def _leaf_nodes():
    executor = MigrationExecutor(connection)
    return [node for node in executor.loader.graph.leaf_nodes() if node[0] == "invoices"]


def _numbered(number: str):
    payload = sample_payload(fmt="csv")
    payload["invoice"]["number"] = number
    return payload


def test_every_old_file_becomes_its_invoices_one_rendition(old_shape):
    invoice = Invoice.objects.get(id=old_shape["ready"])
    rendition = invoice.renditions.get()

    assert (invoice.format, invoice.formats, invoice.type) == ("csv", ["csv"], "invoice")
    assert (rendition.format, rendition.status, rendition.position) == ("csv", "ready", 0)
    assert (rendition.file_name, rendition.download_name, rendition.attempts) == (
        "old/file.csv",
        "INV-2026-0042.csv",
        2,
    )
    assert rendition.created_at == invoice.created_at
    assert rendition.rendered_at == invoice.rendered_at
    assert Rendition.objects.count() == len(old_shape)
    failed = Rendition.objects.get(invoice_id=old_shape["again"])
    assert (failed.status, failed.failure_reason) == ("failed", "boom")


def test_an_old_invoice_downloads_as_before(old_shape, client_for, user, local_invoice_storage):
    auth = client_for(user)
    invoice_id = old_shape["ready"]

    for url in (f"/api/invoices/{invoice_id}/download/", f"/download?fid={invoice_id}"):
        response = auth.get(url)
        assert response.status_code == 200, url
        assert (
            b"".join(response.streaming_content) == (local_invoice_storage / "old" / "file.csv").read_bytes()
        )
        assert response["Content-Disposition"] == 'attachment; filename="INV-2026-0042.csv"'
        assert (
            response["ETag"]
            == f'"{hashlib.sha256((local_invoice_storage / "old" / "file.csv").read_bytes()).hexdigest()}"'
        )
    detail = auth.get(f"/api/invoices/{invoice_id}/").json()
    assert detail["file"]["name"] == "INV-2026-0042.csv"
    assert [r["format"] for r in detail["renditions"]] == ["csv"]


def test_an_old_queued_invoice_renders_from_an_old_message(old_shape):
    services.invoice_render(invoice_id=old_shape["queued"])  # {"invoice_id": ...}: no format

    invoice = Invoice.objects.get(id=old_shape["queued"])
    assert invoice.status == InvoiceStatus.READY
    assert invoice.renditions.get().download_name == "INV-2026-0043.csv"


def test_the_first_invoice_holds_its_number_and_later_copies_are_marked_duplicates(old_shape):
    duplicate = dict(Invoice.objects.values_list("id", "duplicate_number"))

    assert duplicate[old_shape["ready"]] is False
    assert duplicate[old_shape["again"]] is True
    # The seller's name is what validation reads (trimmed), so this copy is a duplicate as well.
    assert duplicate[old_shape["spaces"]] is True
    assert Invoice.objects.get(id=old_shape["spaces"]).seller_name == "Nuage Informatique SAS"
    assert duplicate[old_shape["queued"]] is False
    assert duplicate[old_shape["other owner"]] is False
    assert Invoice.objects.get(id=old_shape["legacy"]).seller_name == legacy_payload()["company_name"]


def test_a_new_upload_of_an_old_number_is_compared_with_the_first_invoice(old_shape, user):
    replay = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv"))

    assert (replay.invoice.id, replay.by_number) == (old_shape["ready"], True)
    with pytest.raises(services.NumberTaken) as taken:
        services.invoice_submit(owner=user, payload=sample_payload(fmt="pdf"))
    assert taken.value.invoice.id == old_shape["ready"]


def test_the_migrations_reverse_to_the_old_shape_with_the_files_on_their_invoices(old_shape):
    apps = migrate(BEFORE)

    OldInvoice = apps.get_model("invoices", "Invoice")
    ready = OldInvoice.objects.get(id=old_shape["ready"])
    assert (ready.file_name, ready.download_name, ready.attempts) == ("old/file.csv", "INV-2026-0042.csv", 2)
    assert OldInvoice.objects.count() == len(old_shape)
    migrate(_leaf_nodes())  # the current schema (0003 on): the code under test runs on it
