"""The typed jobs: the payloads they write are the wire format, and a payload that carries no job is a
permanent error (no retry can fix a message's body)."""

import uuid

import pytest

from invoices.jobs import RenderInvoice, SendNotification
from invoices.models import InvoiceFormat, NotificationKind
from workers.errors import PermanentError
from workers.registry import get_consumer

INVOICE_ID = uuid.UUID("0b0e9c4e-6f0a-4d0c-9a51-2c3d4e5f6a7b")


def test_render_invoice_writes_exactly_the_invoice_id():
    job = RenderInvoice(invoice_id=INVOICE_ID)

    assert job.queue == "render"
    assert job.to_payload() == {"invoice_id": str(INVOICE_ID)}
    assert RenderInvoice.from_payload(job.to_payload()) == job


@pytest.mark.parametrize("fmt", InvoiceFormat.values)
def test_render_invoice_writes_the_invoice_id_and_the_renditions_format(fmt):
    job = RenderInvoice(invoice_id=INVOICE_ID, format=fmt)

    assert job.to_payload() == {"invoice_id": str(INVOICE_ID), "format": fmt}
    assert RenderInvoice.from_payload(job.to_payload()) == job


@pytest.mark.parametrize("fmt", ["docx", "", None, 3, "PDF"])
def test_render_invoice_refuses_a_payload_with_an_unknown_format(fmt):
    with pytest.raises(PermanentError, match="rendition format"):
        RenderInvoice.from_payload({"invoice_id": str(INVOICE_ID), "format": fmt})


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_send_notification_writes_exactly_the_invoice_id_and_the_kind(kind):
    job = SendNotification(invoice_id=INVOICE_ID, kind=kind)

    assert job.queue == "notify"
    assert job.to_payload() == {"invoice_id": str(INVOICE_ID), "kind": kind}
    assert SendNotification.from_payload(job.to_payload()) == job


def test_a_kind_given_as_the_enum_is_written_as_its_value():
    job = SendNotification(invoice_id=INVOICE_ID, kind=NotificationKind.FAILED)

    assert job.to_payload() == {"invoice_id": str(INVOICE_ID), "kind": "failed"}
    assert type(job.to_payload()["kind"]) is str


@pytest.mark.parametrize(
    "payload",
    [{}, {"invoice_id": "inv-1"}, {"invoice_id": None}, {"invoice_id": 42}, {"id": str(INVOICE_ID)}],
)
def test_render_invoice_refuses_a_payload_without_a_valid_invoice_id(payload):
    with pytest.raises(PermanentError, match="no valid invoice_id"):
        RenderInvoice.from_payload(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"invoice_id": str(INVOICE_ID)},
        {"invoice_id": str(INVOICE_ID), "kind": "sent"},
        {"invoice_id": str(INVOICE_ID), "kind": None},
        {"invoice_id": str(INVOICE_ID), "kind": ["ready"]},
    ],
)
def test_send_notification_refuses_a_payload_without_a_valid_kind(payload):
    with pytest.raises(PermanentError, match="no valid notification kind"):
        SendNotification.from_payload(payload)


def test_send_notification_refuses_a_payload_without_a_valid_invoice_id():
    with pytest.raises(PermanentError, match="no valid invoice_id"):
        SendNotification.from_payload({"invoice_id": "nope", "kind": "ready"})


@pytest.mark.parametrize("queue", ["render", "notify"])
def test_a_consumer_refuses_an_event_without_its_job_before_touching_anything(queue):
    with pytest.raises(PermanentError):
        get_consumer(queue).consume({"invoice_id": "inv-1"})


@pytest.mark.parametrize("queue", ["render", "notify"])
def test_giving_up_on_an_event_without_a_job_only_logs_it(queue, caplog):
    # No database here: recording a failure would need one (the message itself is dead-lettered).
    get_consumer(queue).give_up({"invoice_id": "inv-1"}, "not JSON we know")

    assert f"giving up on {queue} event {{'invoice_id': 'inv-1'}}: not JSON we know" in caplog.text
