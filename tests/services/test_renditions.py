"""Renditions through the services the API and the render workers call: adding one later, the invoice's
status as the aggregate of its renditions', one email per invoice and event, a failed rendition beside
ready ones, two renditions finishing at once, and an add while the broker is down (the outbox)."""

import contextlib
import dataclasses
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.db import connections

from invoices import services
from invoices.document.validation import read_request
from invoices.models import Invoice, InvoiceStatus, Notification, Rendition
from tests.payloads import SAMPLE_TOTALS, sample_payload
from workers import outbox
from workers.errors import PermanentError
from workers.models import OutboxMessage
from workers.outbox import relay_pending
from workers.publisher import Publisher

CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:1/%2F"


@pytest.fixture
def invoice(user):
    return services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice


def statuses(invoice: Invoice) -> dict[str, str]:
    return dict(Rendition.objects.filter(invoice=invoice).values_list("format", "status"))


def status(invoice: Invoice) -> str:
    invoice.refresh_from_db()
    return str(invoice.status)


def render_jobs(invoice: Invoice) -> list[dict]:
    rows = OutboxMessage.objects.filter(queue="render", payload__invoice_id=str(invoice.id)).order_by("id")
    return [row.payload for row in rows]


def test_an_upload_makes_one_queued_rendition_and_one_job_per_format(invoice):
    assert statuses(invoice) == {"csv": "queued"}
    assert render_jobs(invoice) == [{"invoice_id": str(invoice.id), "format": "csv"}]
    assert (invoice.format, invoice.formats, invoice.status) == ("csv", ["csv"], InvoiceStatus.QUEUED)


def test_a_rendition_added_to_a_ready_invoice_renders_with_the_same_totals_and_sends_no_second_email(
    invoice, local_invoice_storage
):
    services.invoice_render(invoice_id=invoice.id, fmt="csv")
    assert status(invoice) == InvoiceStatus.READY

    added = services.rendition_add(invoice=invoice, fmt="xlsx")

    assert added.created
    assert (added.rendition.format, added.rendition.position) == ("xlsx", 1)
    assert status(invoice) == InvoiceStatus.RENDERING  # its files are not all there
    assert render_jobs(invoice)[-1] == {"invoice_id": str(invoice.id), "format": "xlsx"}

    services.invoice_render(invoice_id=invoice.id, fmt="xlsx")

    assert status(invoice) == InvoiceStatus.READY
    xlsx = Rendition.objects.get(invoice=invoice, format="xlsx")
    assert xlsx.download_name == "INV-2026-0042.xlsx"
    sheet = openpyxl.load_workbook(local_invoice_storage / xlsx.file_name).active
    numbers = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, int | float)}
    assert {float(SAMPLE_TOTALS[key]) for key in ("net", "tax", "gross")} <= numbers
    assert list(Notification.objects.filter(invoice=invoice).values_list("kind", flat=True)) == ["ready"]


def test_adding_a_format_the_invoice_has_returns_that_rendition_and_queues_nothing(invoice):
    jobs = render_jobs(invoice)

    again = services.rendition_add(invoice=invoice, fmt="csv")

    assert not again.created
    assert again.rendition == invoice.renditions.get()
    assert render_jobs(invoice) == jobs


def test_the_invoice_is_ready_when_its_last_rendition_is_and_then_gets_its_one_email(
    invoice, local_invoice_storage
):
    services.rendition_add(invoice=invoice, fmt="xlsx")

    services.invoice_render(invoice_id=invoice.id, fmt="xlsx")
    assert (status(invoice), statuses(invoice)) == ("rendering", {"csv": "queued", "xlsx": "ready"})
    assert not Notification.objects.exists()

    services.invoice_render(invoice_id=invoice.id, fmt="csv")
    assert status(invoice) == InvoiceStatus.READY
    assert invoice.rendered_at is not None
    assert Notification.objects.get().kind == "ready"


def test_a_failed_rendition_fails_the_invoice_once_and_the_others_still_render(
    invoice, local_invoice_storage
):
    services.rendition_add(invoice=invoice, fmt="xlsx")

    assert services.invoice_fail(invoice_id=invoice.id, fmt="xlsx", reason="The renderer crashed.")
    assert not services.invoice_fail(invoice_id=invoice.id, fmt="xlsx", reason="again")
    services.invoice_render(invoice_id=invoice.id, fmt="csv")

    invoice.refresh_from_db()
    assert (invoice.status, invoice.failure_reason) == (InvoiceStatus.FAILED, "The renderer crashed.")
    assert statuses(invoice) == {"csv": "ready", "xlsx": "failed"}
    assert list(Notification.objects.values_list("kind", flat=True)) == ["failed"]

    # Staff re-queue the failed rendition: once it renders, the invoice is ready and the ready email follows.
    assert services.invoice_requeue(invoice=invoice)
    assert status(invoice) == InvoiceStatus.RENDERING
    assert invoice.failure_reason == ""
    assert render_jobs(invoice)[-1] == {"invoice_id": str(invoice.id), "format": "xlsx"}
    services.invoice_render(invoice_id=invoice.id, fmt="xlsx")
    assert status(invoice) == InvoiceStatus.READY
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["failed", "ready"]


def test_a_job_without_a_format_means_the_first_format(invoice, local_invoice_storage):
    services.rendition_add(invoice=invoice, fmt="xlsx")

    services.invoice_render(invoice_id=invoice.id)  # an old message: {"invoice_id": ...}
    services.invoice_fail(invoice_id=invoice.id, reason="given up")  # its give-up

    assert statuses(invoice) == {"csv": "ready", "xlsx": "queued"}


def test_a_job_for_a_format_the_invoice_lacks_is_permanent(invoice):
    with pytest.raises(PermanentError, match="no pdf rendition"):
        services.invoice_render(invoice_id=invoice.id, fmt="pdf")


def test_a_redelivered_job_for_a_ready_rendition_changes_nothing(invoice, local_invoice_storage):
    services.rendition_add(invoice=invoice, fmt="xlsx")
    services.invoice_render(invoice_id=invoice.id, fmt="xlsx")
    first = Rendition.objects.get(invoice=invoice, format="xlsx")

    services.invoice_render(invoice_id=invoice.id, fmt="xlsx")

    again = Rendition.objects.get(invoice=invoice, format="xlsx")
    assert (again.file_name, again.sha256, again.attempts) == (first.file_name, first.sha256, 1)
    assert sorted(path.name for path in local_invoice_storage.rglob("*.xlsx")) == [
        first.file_name.split("/")[1]
    ]


def _totals_changed_by_a_rule(monkeypatch) -> None:
    """Reading a stored invoice again computes other totals, as if a rounding rule had changed."""

    def read(payload, **kwargs):
        options, document = read_request(payload, **kwargs)
        totals = dataclasses.replace(document.totals, gross=document.totals.gross + Decimal("0.01"))
        return options, dataclasses.replace(document, totals=totals)

    monkeypatch.setattr(services, "read_request", read)


def test_a_rendition_that_would_change_the_totals_is_refused_and_nothing_is_queued(invoice, monkeypatch):
    jobs = render_jobs(invoice)
    _totals_changed_by_a_rule(monkeypatch)

    with pytest.raises(services.DocumentInvalid) as refused:
        services.rendition_add(invoice=invoice, fmt="xlsx")

    assert "gross 1189.84 instead of 1189.83" in refused.value.errors["format"][0]
    assert statuses(invoice) == {"csv": "queued"}
    assert render_jobs(invoice) == jobs


def test_a_render_whose_totals_would_differ_from_the_invoices_is_permanent(invoice, monkeypatch):
    _totals_changed_by_a_rule(monkeypatch)

    with pytest.raises(PermanentError, match="totals would change"):
        services.invoice_render(invoice_id=invoice.id, fmt="csv")


def test_a_rendition_added_while_the_broker_is_down_waits_in_the_outbox_for_the_relay(
    transactional_db, user, amqp_namespace, settings
):
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    good_url = settings.AMQP_URL
    settings.AMQP_URL = CLOSED_PORT_URL

    added = services.rendition_add(invoice=invoice, fmt="xlsx")  # accepted: the job is in the outbox

    assert added.created
    row = OutboxMessage.objects.get(payload={"invoice_id": str(invoice.id), "format": "xlsx"})
    assert row.sent_at is None
    assert "cannot publish" in row.last_error
    settings.AMQP_URL = good_url
    with Publisher() as publisher:
        assert relay_pending(publisher, min_age_seconds=0) >= 1
    row.refresh_from_db()
    assert row.sent_at is not None


def test_two_renditions_finishing_at_the_same_moment_make_the_invoice_ready_once(
    transactional_db, user, local_invoice_storage, monkeypatch
):
    # Each render, its rendition marked ready and its siblings' statuses read, waits (up to 2 s) for the
    # other to get there too. Were the statuses read without the invoice's lock, both would get there, each
    # having read the other as unfinished, and the invoice would stay `rendering` with every file there. With
    # the lock (the first statement of the same message) the second waits for the first's commit: the wait
    # runs out, and it reads `ready`.
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_dispatch", lambda *args: None)  # the jobs are run by the threads below
        invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
        services.rendition_add(invoice=invoice, fmt="xlsx")
    assert statuses(invoice) == {"csv": "queued", "xlsx": "queued"}
    both = threading.Barrier(2, timeout=2)
    ready = services._ready

    def ready_together(*args):
        read = ready(*args)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other is held by the lock
            both.wait()
        return read

    monkeypatch.setattr(services, "_ready", ready_together)
    errors: list[BaseException] = []

    def render(fmt: str) -> None:
        try:
            services.invoice_render(invoice_id=invoice.id, fmt=fmt)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=render, args=(fmt,)) for fmt in ("csv", "xlsx")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert statuses(invoice) == {"csv": "ready", "xlsx": "ready"}
    assert status(invoice) == InvoiceStatus.READY
    assert Notification.objects.filter(invoice=invoice, kind="ready").count() == 1
