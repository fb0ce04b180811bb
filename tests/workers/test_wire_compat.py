"""Messages written by the release before typed jobs (bodies spelled out here byte for byte, as its
``json.dumps`` of a hand-built dict produced them) are still consumed, and the jobs now published are
those same bytes: a deploy with messages in flight loses none. Since renditions, a render job names the
rendition's format too; an old render message without it renders the invoice's first format, the one
rendition an invoice from before renditions has."""

import threading
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connections, transaction

from invoices import services
from invoices.jobs import RenderInvoice, SendNotification
from invoices.models import InvoiceStatus, Notification
from tests.amqp import fetch_messages, publish_raw, wait_until
from tests.payloads import sample_payload
from workers import outbox
from workers.models import OutboxMessage
from workers.registry import get_consumer
from workers.runner import RunnerOptions, run

FAST = RunnerOptions(retry_base=0.01, retry_max=0.05, grace=5, poll=0.1, reconnect_min=0.1, reconnect_max=0.5)


@pytest.fixture(autouse=True)
def _job_thread_closes_its_connection(monkeypatch):
    # The runner's job thread keeps its connection for CONN_MAX_AGE; the test database is dropped at the end.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@contextmanager
def worker(queue: str):
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(get_consumer(queue),), kwargs={"stop": stop, "with_relay": False, "options": FAST}
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the runner did not stop"


def _unpublished_invoice(user, monkeypatch):
    """An invoice whose render job is in the outbox only: the message under test is the old one alone."""
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_dispatch", lambda *args: None)
        return services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice


def _status(invoice) -> str:
    invoice.refresh_from_db()
    return str(invoice.status)


def test_an_old_render_message_renders_the_invoice_and_the_new_notify_message_is_the_old_format(
    transactional_db, user, amqp_namespace, local_invoice_storage, monkeypatch
):
    invoice = _unpublished_invoice(user, monkeypatch)
    [row] = OutboxMessage.objects.all()
    assert row.queue == "render"
    assert row.payload == {"invoice_id": str(invoice.id), "format": "csv"}

    publish_raw("render", b'{"invoice_id": "' + str(invoice.id).encode() + b'"}', message_id="old-render")
    with worker("render"):
        wait_until(lambda: _status(invoice) == InvoiceStatus.READY, 20, "the invoice to be rendered")
    assert invoice.renditions.get().format == "csv"

    [published] = fetch_messages(f"{amqp_namespace}.notify")
    assert published.body == b'{"invoice_id": "' + str(invoice.id).encode() + b'", "kind": "ready"}'


def test_an_old_notify_message_sends_the_email(
    transactional_db, user, amqp_namespace, local_invoice_storage, monkeypatch
):
    invoice = _unpublished_invoice(user, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_dispatch", lambda *args: None)  # the new code's own notify job
        services.invoice_render(invoice_id=invoice.id)
    mail.outbox.clear()

    body = b'{"invoice_id": "' + str(invoice.id).encode() + b'", "kind": "ready"}'
    publish_raw("notify", body, message_id="old-notify")
    with worker("notify"):
        wait_until(
            lambda: Notification.objects.filter(invoice=invoice, sent_at__isnull=False).exists(),
            20,
            "the ready email to be sent",
        )

    [email] = mail.outbox
    assert str(invoice.id) in email.body


def test_the_jobs_publish_the_old_bytes(transactional_db, amqp_namespace):
    invoice_id = "0b0e9c4e-6f0a-4d0c-9a51-2c3d4e5f6a7b"
    with transaction.atomic():
        outbox.dispatch_after_commit(RenderInvoice.from_payload({"invoice_id": invoice_id}))
        outbox.dispatch_after_commit(
            SendNotification.from_payload({"invoice_id": invoice_id, "kind": "failed"})
        )

    [render] = fetch_messages(f"{amqp_namespace}.render")
    [notify] = fetch_messages(f"{amqp_namespace}.notify")
    assert render.body == b'{"invoice_id": "0b0e9c4e-6f0a-4d0c-9a51-2c3d4e5f6a7b"}'
    assert notify.body == b'{"invoice_id": "0b0e9c4e-6f0a-4d0c-9a51-2c3d4e5f6a7b", "kind": "failed"}'


def test_a_render_message_naming_a_format_renders_that_rendition_only(
    transactional_db, user, amqp_namespace, local_invoice_storage, monkeypatch
):
    invoice = _unpublished_invoice(user, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_dispatch", lambda *args: None)
        services.rendition_add(invoice=invoice, fmt="xlsx")

    body = b'{"invoice_id": "' + str(invoice.id).encode() + b'", "format": "xlsx"}'
    publish_raw("render", body, message_id="new-render")
    with worker("render"):
        wait_until(
            lambda: invoice.renditions.get(format="xlsx").status == InvoiceStatus.READY,
            20,
            "the xlsx rendition to be rendered",
        )

    assert invoice.renditions.get(format="csv").status == InvoiceStatus.QUEUED  # its own job never ran
    assert _status(invoice) == InvoiceStatus.RENDERING


def test_a_render_job_with_a_format_publishes_it_after_the_invoice_id(transactional_db, amqp_namespace):
    invoice_id = "0b0e9c4e-6f0a-4d0c-9a51-2c3d4e5f6a7b"
    job = RenderInvoice.from_payload({"invoice_id": invoice_id, "format": "ubl"})
    with transaction.atomic():
        outbox.dispatch_after_commit(job)

    [render] = fetch_messages(f"{amqp_namespace}.render")
    assert render.body == b'{"invoice_id": "0b0e9c4e-6f0a-4d0c-9a51-2c3d4e5f6a7b", "format": "ubl"}'
    assert RenderInvoice.from_payload({"invoice_id": invoice_id}).format is None
