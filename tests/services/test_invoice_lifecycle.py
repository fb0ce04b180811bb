"""The services the workers call, one behaviour at a time (the e2e tests run them through RabbitMQ)."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from invoices import services
from invoices.models import Invoice, InvoiceStatus, Notification
from invoices.notifications import notification_send
from tests.payloads import sample_payload
from workers.errors import PermanentError
from workers.models import OutboxMessage


@pytest.fixture
def invoice(user):
    return services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice


@pytest.fixture
def local_storage(local_invoice_storage):
    return local_invoice_storage


def test_render_stores_the_file_and_queues_one_ready_email(invoice, local_storage):
    services.invoice_render(invoice_id=invoice.id)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY
    rendition = invoice.renditions.get()
    assert (rendition.format, rendition.status) == ("csv", InvoiceStatus.READY)
    assert (local_storage / rendition.file_name).read_bytes().startswith(b"row_type,")
    assert rendition.download_name == "INV-2026-0042.csv"
    assert invoice.rendered_at is not None
    notification = Notification.objects.get(invoice=invoice)
    assert notification.kind == "ready"
    # Its job is published after the commit; the row itself is the outbox: it falls due if that is lost.
    assert not OutboxMessage.objects.filter(queue="notify").exists()
    assert notification.next_attempt_at is not None
    due = notification.next_attempt_at - notification.created_at
    assert abs(due - timedelta(seconds=settings.NOTIFY_DISPATCH_GRACE_SECONDS)) < timedelta(seconds=1)


def test_rendering_a_ready_invoice_again_changes_nothing(invoice, local_storage):
    services.invoice_render(invoice_id=invoice.id)
    rendition = invoice.renditions.get()

    services.invoice_render(invoice_id=invoice.id, fmt="csv")

    assert list(local_storage.rglob("*.csv")) == [local_storage / rendition.file_name]
    assert Notification.objects.count() == 1
    rendition.refresh_from_db()
    assert rendition.attempts == 1


def test_rendering_an_unknown_invoice_is_permanent(db):
    with pytest.raises(PermanentError):
        services.invoice_render(invoice_id=uuid.uuid4())


def test_fail_marks_failed_once_and_never_touches_a_ready_invoice(invoice, local_storage):
    assert services.invoice_fail(invoice_id=invoice.id, reason="boom")
    assert not services.invoice_fail(invoice_id=invoice.id, reason="again")

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.FAILED
    assert invoice.failure_reason == "boom"
    assert Notification.objects.get(invoice=invoice).kind == "failed"


def test_requeue_gives_a_failed_invoice_another_render(invoice, local_storage):
    services.invoice_fail(invoice_id=invoice.id, reason="storage was down")

    assert services.invoice_requeue(invoice=invoice)
    services.invoice_render(invoice_id=invoice.id)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY
    assert invoice.failure_reason == ""
    assert not services.invoice_requeue(invoice=invoice)  # only failed invoices


def test_the_ready_email_is_sent_once_with_the_link(invoice, local_storage, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://invoices.example.com"
    services.invoice_render(invoice_id=invoice.id)

    notification_send(invoice_id=invoice.id, kind="ready")
    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [invoice.owner.email]
    assert f"https://invoices.example.com/api/invoices/{invoice.id}/download/" in message.body
    assert "(total €1,189.83) is ready." in message.body  # the owner reads English (the default)
    assert message.alternatives[0][1] == "text/html"
    notification = Notification.objects.get(invoice=invoice)
    assert notification.sent_at is not None
    assert notification.provider_message_id == message.extra_headers["Message-ID"]


def test_an_smtp_failure_is_recorded_and_a_retry_scheduled(invoice, local_storage, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    services.invoice_render(invoice_id=invoice.id)

    notification_send(invoice_id=invoice.id, kind="ready")  # returns: the job is done, the row retries

    notification = Notification.objects.get(invoice=invoice)
    assert notification.sent_at is None
    assert notification.failed_at is None
    assert notification.next_attempt_at is not None
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error or "SMTP" in notification.last_error


def test_an_email_for_a_missing_notification_is_permanent(db):
    with pytest.raises(PermanentError):
        notification_send(invoice_id=uuid.uuid4(), kind="ready")


def test_the_admin_requeues_failed_invoices(client, make_user, password, invoice, local_storage):
    make_user("staff@example.com", is_staff=True, is_superuser=True)
    client.login(username="staff@example.com", password=password)
    services.invoice_fail(invoice_id=invoice.id, reason="storage was down")

    response = client.post(
        "/admin/invoices/invoice/",
        {"action": "requeue_failed", "_selected_action": [str(invoice.id)]},
        follow=True,
    )

    assert response.status_code == 200
    assert Invoice.objects.get(id=invoice.id).status == InvoiceStatus.QUEUED
    assert b"Re-queued 1 invoice" in response.content


def test_an_anymail_provider_backend_records_the_providers_message_id(invoice, local_storage, settings):
    # Any anymail ESP is chosen by EMAIL_BACKEND; its message id is what we store to trace the email.
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    services.invoice_render(invoice_id=invoice.id)

    notification_send(invoice_id=invoice.id, kind="ready")

    [message] = mail.outbox
    notification = Notification.objects.get(invoice=invoice)
    assert notification.provider_message_id == str(getattr(message, "anymail_status").message_id)  # noqa: B009
    assert notification.provider_message_id != message.extra_headers["Message-ID"]
