"""Email retries outlive the delivery limit: the notification row schedules them, the relay queues them."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from invoices import notifications, services
from invoices.models import Notification
from invoices.notifications import (
    notification_give_up,
    notification_send,
    notifications_requeue_due,
    retry_delay,
)
from tests.payloads import sample_payload
from workers.models import OutboxMessage


class DownBackend(BaseEmailBackend):
    """An email backend whose server is down."""

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class TakenThenCutBackend(BaseEmailBackend):
    """An email backend whose server takes each email and then drops the connection before answering."""

    taken: list[str] = []

    def send_messages(self, messages) -> int:
        TakenThenCutBackend.taken += [message.extra_headers["Message-ID"] for message in messages]
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def notification(user, local_invoice_storage):
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    services.invoice_render(invoice_id=invoice.id)
    return Notification.objects.get(invoice=invoice, kind="ready")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.services.test_email_retries.DownBackend"
    settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS = 10, 60


def send(notification) -> Notification:
    notification_send(invoice_id=notification.invoice_id, kind=notification.kind)
    return Notification.objects.get(pk=notification.pk)


def test_the_delay_doubles_up_to_the_cap(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS = 10, 60

    assert [retry_delay(attempts) for attempts in range(1, 6)] == [10, 20, 40, 60, 60]


def test_each_failure_schedules_the_next_attempt_later(notification, smtp_down):
    first = send(notification)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    second = send(notification)

    assert second.attempts == 2
    assert first.next_attempt_at is not None
    assert second.next_attempt_at is not None
    assert second.next_attempt_at - first.next_attempt_at >= timedelta(seconds=10)
    assert "Connection refused" in second.last_error


def test_a_ready_email_whose_job_was_lost_is_queued_again_once_overdue(user, local_invoice_storage, settings):
    # The render job commits and then dies before its after-commit publish (the db fixture never runs it).
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    services.invoice_render(invoice_id=invoice.id)
    assert not OutboxMessage.objects.filter(queue="notify").exists()

    assert notifications_requeue_due() == 0  # within the grace: the publish may still be on its way
    Notification.objects.filter(invoice=invoice).update(next_attempt_at=timezone.now())
    assert notifications_requeue_due() == 1
    assert notifications_requeue_due() == 0

    [row] = OutboxMessage.objects.filter(queue="notify")
    assert row.payload == {"invoice_id": str(invoice.id), "kind": "ready"}


def test_a_sent_email_is_never_queued_again(notification):
    send(notification)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert notifications_requeue_due() == 0


def test_a_due_retry_is_queued_once_through_the_outbox(notification, smtp_down):
    send(notification)
    before = OutboxMessage.objects.filter(queue="notify").count()

    assert notifications_requeue_due() == 0  # not due yet
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert notifications_requeue_due() == 1
    assert notifications_requeue_due() == 0  # queued once: next_attempt_at is cleared

    assert OutboxMessage.objects.filter(queue="notify").count() == before + 1
    assert Notification.objects.get(pk=notification.pk).next_attempt_at is None


def test_a_retry_that_succeeds_sends_one_email(notification, smtp_down, settings):
    send(notification)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    sent = send(notification)
    send(notification)  # a duplicate job

    assert sent.sent_at is not None
    assert sent.next_attempt_at is None
    # The failed attempt and the one that went out; the failure's error is cleared with the "sent".
    assert (sent.attempts, sent.last_error) == (2, "")
    assert sent.provider_message_id == mail.outbox[0].extra_headers["Message-ID"]
    assert len(mail.outbox) == 1


def test_a_retry_of_an_email_the_server_may_have_taken_carries_the_same_message_id(
    notification, settings, monkeypatch
):
    monkeypatch.setattr(TakenThenCutBackend, "taken", [])
    settings.EMAIL_BACKEND = "tests.services.test_email_retries.TakenThenCutBackend"
    failed = send(notification)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())

    sent = send(notification)

    # Rule 8's gap: the first attempt may have arrived too; as the same email, a mail system can drop it.
    assert "Connection unexpectedly closed" in failed.last_error
    [repeat] = mail.outbox
    assert TakenThenCutBackend.taken == [repeat.extra_headers["Message-ID"]]
    expected = f"<{notification.invoice_id}.ready@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    assert repeat.extra_headers["Message-ID"] == expected
    assert sent.provider_message_id == repeat.extra_headers["Message-ID"]


def test_a_notification_older_than_the_limit_fails_with_the_reason(notification, smtp_down, settings):
    settings.NOTIFY_GIVE_UP_SECONDS = 60
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(seconds=61))

    failed = send(notification)

    assert failed.failed_at is not None
    assert failed.next_attempt_at is None
    assert failed.last_error.startswith("Gave up after 1 attempts: ConnectionRefusedError")
    assert notifications_requeue_due() == 0


def test_the_queue_giving_up_marks_the_notification_failed(notification):
    notification_give_up(invoice_id=notification.invoice_id, kind="ready", reason="template error")

    failed = Notification.objects.get(pk=notification.pk)
    assert failed.failed_at is not None
    assert failed.last_error == "Gave up: template error"


def test_an_email_sent_before_the_database_went_away_is_recorded_not_sent_again(notification, monkeypatch):
    from django.db import OperationalError

    real_mark_sent = notifications._mark_sent
    outage = {"on": True}

    def mark_sent(notification_id, message_id):
        # The UPDATE that records the email: the database goes away just before it.
        if outage["on"]:
            outage["on"] = False
            raise OperationalError("server closed the connection unexpectedly")
        return real_mark_sent(notification_id, message_id)

    monkeypatch.setattr(notifications, "_mark_sent", mark_sent)
    with pytest.raises(OperationalError):
        send(notification)  # the provider took it; recording it failed (the runner retries the job)

    sent = send(notification)  # the database is back

    assert len(mail.outbox) == 1
    assert sent.sent_at is not None
    assert sent.provider_message_id == mail.outbox[0].extra_headers["Message-ID"]


def test_make_run_sends_an_overdue_email_at_start_in_embedded_mode(
    user, local_invoice_storage, settings, django_capture_on_commit_callbacks
):
    # Embedded mode sends the email in-process right after the commit; the process died before it did.
    from django.core.management import call_command

    settings.AMQP_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    services.invoice_render(invoice_id=invoice.id)
    Notification.objects.filter(invoice=invoice).update(next_attempt_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_pending_jobs")

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert Notification.objects.get(invoice=invoice).sent_at is not None


def test_the_relay_runs_the_notifications_sweep(notification):
    from workers.outbox import run_sweeps

    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())

    assert run_sweeps() == 1
    [row] = OutboxMessage.objects.filter(queue="notify")
    assert row.payload == {"invoice_id": str(notification.invoice_id), "kind": "ready"}
