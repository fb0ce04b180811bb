"""A batch completes once, when its last invoice is final: one batch.completed event, one email (its invoices
send none of their own), and the email is retried like a notification."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.utils import timezone

from invoices import batch_notifications, services
from invoices.batch_notifications import batch_email_send, batch_emails_requeue_due
from invoices.i18n.batch_emails import batch_more, batch_subject
from invoices.jobs import BATCH_COMPLETED, SendNotification
from invoices.models import Invoice, InvoiceBatch, Notification
from tests.batches.conftest import documents, post_batch
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from workers import outbox
from workers.errors import PermanentError
from workers.models import OutboxMessage


def submit(auth, count: int, prefix: str = "B") -> tuple[InvoiceBatch, list[Invoice]]:
    body = post_batch(auth, documents(count, prefix=prefix)).json()
    batch = InvoiceBatch.objects.get(id=body["id"])
    return batch, list(Invoice.objects.filter(batch=batch).order_by("batch_index"))


@pytest.fixture
def endpoint(owner):
    return WebhookEndpoint.objects.create(
        owner=owner,
        url="https://erp.example/hooks",
        event_types=[EventType.BATCH_COMPLETED, EventType.INVOICE_READY],
        secret="whsec_" + "A" * 32,
    )


def test_the_last_final_invoice_completes_the_batch_once(auth, owner, endpoint, local_invoice_storage):
    batch, (first, second, third) = submit(auth, 3)

    services.invoice_render(invoice_id=first.id)
    services.invoice_fail(invoice_id=second.id, reason="The renderer refused it.")
    batch.refresh_from_db()
    assert batch.completed_at is None
    services.invoice_render(invoice_id=third.id)

    batch.refresh_from_db()
    assert batch.completed_at is not None
    assert batch.email_recipient == owner.email
    assert batch.email_next_attempt_at is not None  # the dispatch's grace, in case its publish is lost
    [completed] = WebhookDelivery.objects.filter(event_type=EventType.BATCH_COMPLETED)
    assert completed.event_key == f"batch.completed:{batch.id}"
    data = completed.payload["data"]
    assert data["id"] == str(batch.id)
    assert data["counts"] == {"queued": 0, "rendering": 0, "ready": 2, "failed": 1}
    assert data["links"]["download"].endswith(f"/api/invoice-batches/{batch.id}/download/")
    # The invoices' own webhooks still fire; their emails do not exist.
    assert WebhookDelivery.objects.filter(event_type=EventType.INVOICE_READY).count() == 2
    assert not Notification.objects.exists()


def test_a_final_invoice_after_completion_changes_nothing(auth, local_invoice_storage, endpoint):
    batch, invoices = submit(auth, 2)
    for invoice in invoices:
        services.invoice_fail(invoice_id=invoice.id, reason="no")
    completed_at = InvoiceBatch.objects.get(id=batch.id).completed_at

    services.invoice_fail(invoice_id=invoices[0].id, reason="again")  # a duplicated job
    assert batch_notifications.batch_invoice_final(invoices[1]) is False

    assert InvoiceBatch.objects.get(id=batch.id).completed_at == completed_at
    assert WebhookDelivery.objects.filter(event_type=EventType.BATCH_COMPLETED).count() == 1


def test_the_batch_email_counts_and_lists_the_failed_invoices(auth, owner, local_invoice_storage, settings):
    settings.SITE_URL = "https://invoices.example"
    batch, invoices = submit(auth, 23)
    for invoice in invoices[:22]:
        services.invoice_fail(invoice_id=invoice.id, reason=f"Reason {invoice.number}.")
    services.invoice_render(invoice_id=invoices[22].id)

    batch_email_send(batch_id=batch.id)
    batch_email_send(batch_id=batch.id)  # a duplicate job

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [owner.email]
    assert message.subject == "Your batch of 23 invoices is done: 22 could not be created"
    body = message.body
    assert "Ready: 1" in body
    assert "Could not be created: 22" in body
    assert "B-0000: Reason B-0000." in body
    assert "B-0019: Reason B-0019." in body
    assert "B-0020" not in body  # the first 20 only
    assert "and 2 more" in body
    # The ZIP without a sign-in (a signed batch link), until when, then the API's ZIP and the status.
    assert (
        "Download every ready file as one ZIP (no sign-in needed):\nhttps://invoices.example/files/b1."
        in body
    )
    assert "This link works until " in body
    assert f"with your API token:\nhttps://invoices.example/api/invoice-batches/{batch.id}/download/" in body
    assert f"https://invoices.example/api/invoice-batches/{batch.id}/" in body
    html = str(message.alternatives[0][0])
    assert "B-0000: Reason B-0000." in html
    sent = InvoiceBatch.objects.get(id=batch.id)
    assert sent.email_sent_at is not None
    assert sent.email_attempts == 1
    assert sent.email_next_attempt_at is None


def test_the_counted_sentences_agree_with_the_count(auth, local_invoice_storage):
    # Plural messages: a batch of one invoice is not "1 invoices", and "and N more" follows the count.
    batch, [invoice] = submit(auth, 1)
    services.invoice_render(invoice_id=invoice.id)

    batch_email_send(batch_id=batch.id)

    [message] = mail.outbox
    assert message.subject == "Your batch of 1 invoice is done"
    assert "the invoice of your batch of 1 is done." in message.body
    assert batch_more("en", 1) == "and 1 more"
    assert batch_subject("en", 2, 1) == "Your batch of 2 invoices is done: 1 could not be created"


def test_the_email_is_in_the_owners_language(auth, owner, local_invoice_storage):
    owner.language = "de"
    owner.save(update_fields=["language"])
    batch, [invoice] = submit(auth, 1)
    services.invoice_render(invoice_id=invoice.id)

    batch_email_send(batch_id=batch.id)

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.subject == "Ihr Stapel mit 1 Rechnung ist abgeschlossen"
    assert 'lang="de"' in str(message.alternatives[0][0])


def test_a_sending_failure_is_retried_by_the_sweep_and_sent_once(auth, local_invoice_storage, settings):
    batch, [invoice] = submit(auth, 1)
    services.invoice_render(invoice_id=invoice.id)
    assert batch_emails_requeue_due() == 0  # within the dispatch's grace
    settings.EMAIL_BACKEND = "tests.services.test_email_retries.DownBackend"
    settings.NOTIFY_RETRY_BASE_SECONDS = 10

    batch_email_send(batch_id=batch.id)

    failed = InvoiceBatch.objects.get(id=batch.id)
    assert failed.email_sent_at is None
    assert failed.email_attempts == 1
    assert "Connection refused" in failed.email_last_error
    assert failed.email_next_attempt_at is not None
    assert failed.email_next_attempt_at > timezone.now() + timedelta(seconds=5)
    assert batch_emails_requeue_due() == 0  # not due yet
    InvoiceBatch.objects.filter(id=batch.id).update(email_next_attempt_at=timezone.now())
    assert batch_emails_requeue_due() == 1
    assert batch_emails_requeue_due() == 0  # queued once
    [row] = OutboxMessage.objects.filter(queue="notify")
    assert row.payload == {"batch_id": str(batch.id), "kind": "batch_completed"}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    batch_email_send(batch_id=batch.id)
    assert len(mail.outbox) == 1
    assert InvoiceBatch.objects.get(id=batch.id).email_sent_at is not None


def test_every_attempt_at_a_batch_s_email_carries_the_same_message_id(auth, local_invoice_storage, settings):
    from tests.services.test_email_retries import TakenThenCutBackend

    batch, [invoice] = submit(auth, 1)
    services.invoice_render(invoice_id=invoice.id)
    TakenThenCutBackend.taken = []
    settings.EMAIL_BACKEND = "tests.services.test_email_retries.TakenThenCutBackend"
    batch_email_send(batch_id=batch.id)  # the server may have taken it: the retry must be recognisable
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    batch_email_send(batch_id=batch.id)

    [repeat] = mail.outbox
    assert TakenThenCutBackend.taken == [repeat.extra_headers["Message-ID"]]
    assert repeat.extra_headers["Message-ID"] == f"<batch.{batch.id}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def test_the_email_gives_up_once_the_batch_completed_too_long_ago(auth, local_invoice_storage, settings):
    batch, [invoice] = submit(auth, 1)
    services.invoice_fail(invoice_id=invoice.id, reason="no")
    InvoiceBatch.objects.filter(id=batch.id).update(completed_at=timezone.now() - timedelta(days=3))
    settings.EMAIL_BACKEND = "tests.services.test_email_retries.DownBackend"

    batch_email_send(batch_id=batch.id)

    gave_up = InvoiceBatch.objects.get(id=batch.id)
    assert gave_up.email_failed_at is not None
    assert gave_up.email_last_error.startswith("Gave up after 1 attempts")
    assert batch_emails_requeue_due() == 0


def test_an_email_job_for_an_unfinished_batch_is_a_permanent_error(auth):
    batch, _invoices = submit(auth, 1)
    with pytest.raises(PermanentError):
        batch_email_send(batch_id=batch.id)


def test_the_notify_job_carries_a_batch_and_still_reads_old_messages():
    batch_id, invoice_id = uuid.uuid4(), uuid.uuid4()
    job = SendNotification(invoice_id=None, batch_id=batch_id, kind=BATCH_COMPLETED)

    assert job.to_payload() == {"batch_id": str(batch_id), "kind": "batch_completed"}
    assert SendNotification.from_payload(job.to_payload()) == job
    old = SendNotification.from_payload({"invoice_id": str(invoice_id), "kind": "ready"})
    assert (old.invoice_id, old.batch_id, old.kind) == (invoice_id, None, "ready")
    for bad in (
        {"batch_id": str(batch_id), "invoice_id": str(invoice_id), "kind": "batch_completed"},
        {"batch_id": str(batch_id), "kind": "ready"},
        {"batch_id": "nope", "kind": "batch_completed"},
    ):
        with pytest.raises(PermanentError):
            SendNotification.from_payload(bad)
    with pytest.raises(ValueError, match="exactly one"):
        SendNotification(invoice_id=invoice_id, batch_id=batch_id, kind="ready")


@pytest.mark.django_db(transaction=True)
def test_two_invoices_finishing_at_once_complete_the_batch_exactly_once(client_for, make_user, monkeypatch):
    """Two real transactions on PostgreSQL: each has made its invoice final (uncommitted) before either
    checks the batch, the interleaving in which, without the batch lock, each would see the other's invoice
    unfinished and nobody would complete the batch."""
    owner = make_user("racer@example.com")
    with monkeypatch.context() as upload:
        # The upload's render jobs stay in the outbox: committed for real here, they would otherwise run on
        # the embedded job thread and finish the invoices while the two threads below race to fail them.
        upload.setattr(outbox, "_dispatch", lambda *args: None)
        batch, (first, second) = submit(client_for(owner), 2)
    both_final = threading.Barrier(2, timeout=30)
    completed: list[bool] = []
    real = batch_notifications.batch_invoice_final

    def after_both_settled(invoice):
        both_final.wait()
        result = real(invoice)
        completed.append(result)
        return result

    monkeypatch.setattr(services, "batch_invoice_final", after_both_settled)
    errors: list[BaseException] = []

    def fail(invoice):
        try:
            services.invoice_fail(invoice_id=invoice.id, reason="parallel")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail, args=(invoice,)) for invoice in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert sorted(completed) == [False, True]
    assert InvoiceBatch.objects.get(id=batch.id).completed_at is not None
    # The one email was dispatched after the completing commit (embedded mode sends it at once).
    assert len(mail.outbox) == 1
    assert InvoiceBatch.objects.get(id=batch.id).email_sent_at is not None
