"""A batch's completion and its one email.

A batch completes in the transaction where its last invoice becomes final (ready or failed):
``batch_invoice_final``, called by ``invoices.services`` under the invoice's lock, sets ``completed_at``,
emits ``batch.completed`` and queues the batch email, once. The invoices of a batch send no email of their
own: this one replaces them (their webhooks still fire).

The email is sent like a Notification (invoices/notifications.py, docs/reliability.md rule 8): the batch row
is locked while it is sent and marked sent in the same transaction, a sending failure is retried by the
relay's sweep (``batch_emails_requeue_due``) with the notifications' backoff until NOTIFY_GIVE_UP_SECONDS
after completion, and the job is dispatched after the commit with ``email_next_attempt_at`` as its outbox.

The email carries a signed download link to the ZIP of every ready file (invoices/links.py), made with the
email in a savepoint: the link of an email that did not go out is not kept.
"""

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from invoices.i18n.batch_emails import BatchEmailText, batch_done, batch_email_text, batch_more, batch_subject
from invoices.i18n.locales import RTL_LANGUAGES
from invoices.jobs import BATCH_COMPLETED, SendNotification
from invoices.links import batch_link_for_email, link_url
from invoices.models import FINAL_STATUSES, DownloadLink, Invoice, InvoiceBatch, InvoiceStatus
from invoices.notifications import SEND_ERRORS, email_datetime, email_locale, retry_delay
from invoicesite import mail
from webhooks.models import EventType
from webhooks.services import Event, events_emit
from workers.errors import MAX_ERROR_LENGTH, PermanentError
from workers.outbox import dispatch_after_commit, outbox_add

logger = logging.getLogger(__name__)

REQUEUE_BATCH = 100
# The failed invoices an email lists by number and reason; the rest are "and N more" (the status URL has all).
EMAIL_FAILED_LISTED = 20
# Batch emails the provider accepted whose "sent" the database did not record (see notifications.py), with
# the download link the email carries, to be written again with the "sent".
_sent_unrecorded: dict[str, tuple[str, DownloadLink | None]] = {}


# --- Completion -----------------------------------------------------------------------------------------


def batch_invoice_final(invoice: Invoice) -> bool:
    """Within the transaction where ``invoice`` (of a batch) became ready or failed: complete its batch if
    no invoice of it is left unfinished. True if this call completed it.

    The batch row is locked first, then its unfinished invoices counted. Two invoices finishing at once each
    hold their own invoice's lock, not the other's; the batch lock puts their checks one after the other.
    Under READ COMMITTED every statement sees what was committed before it started, so the second to take
    the lock counts after the first committed: it sees both invoices final and completes the batch, while
    the first saw the second unfinished and left it. Whichever order they take, exactly one completes it;
    a later call finds ``completed_at`` set (the locked read re-checks it) and does nothing.
    """
    if invoice.batch_id is None:
        return False
    batch = (
        InvoiceBatch.objects.select_for_update()
        .filter(id=invoice.batch_id, completed_at__isnull=True)
        .defer("items")
        .first()
    )
    if batch is None:
        return False
    if Invoice.objects.filter(batch_id=batch.id).exclude(status__in=FINAL_STATUSES).exists():
        return False
    now = timezone.now()
    InvoiceBatch.objects.filter(id=batch.id).update(
        completed_at=now,
        email_recipient=invoice.owner.email,
        email_next_attempt_at=now + timedelta(seconds=settings.NOTIFY_DISPATCH_GRACE_SECONDS),
    )
    batch.completed_at = now
    events_emit(
        owner_id=batch.owner_id,
        events=[
            Event(type=EventType.BATCH_COMPLETED, key=str(batch.id), data=lambda: batch_event_data(batch))
        ],
    )
    dispatch_after_commit(SendNotification(invoice_id=None, batch_id=batch.id, kind=BATCH_COMPLETED))
    logger.info("batch %s completed", batch.id)
    return True


def batch_counts(batch_id: uuid.UUID) -> dict[str, int]:
    """How many of the batch's invoices are in each status, from one aggregate query."""
    counts = dict.fromkeys(InvoiceStatus.values, 0)
    rows = (
        Invoice.objects.filter(batch_id=batch_id)
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    for status, count in rows:
        counts[status] = count
    return counts


def batch_urls(batch_id: uuid.UUID) -> dict[str, str]:
    """The batch's status and ZIP URLs on SITE_URL (an email or a webhook has no request to build them on)."""
    return {
        "self": settings.SITE_URL + reverse("batch-detail", args=[batch_id]),
        "download": settings.SITE_URL + reverse("batch-download", args=[batch_id]),
    }


def batch_event_data(batch: InvoiceBatch) -> dict[str, Any]:
    """A batch as its ``batch.completed`` event shows it: the owner's own counts and links, no invoice data
    (a receiver reads the outcomes from the status URL)."""
    return {
        "id": str(batch.id),
        "status": "completed",
        "atomic": batch.atomic,
        "accepted": batch.accepted_count,
        "rejected": batch.item_count - batch.accepted_count,
        "counts": batch_counts(batch.id),
        "created_at": batch.created_at.isoformat(),
        "completed_at": batch.completed_at.isoformat() if batch.completed_at else None,
        "links": batch_urls(batch.id),
    }


# --- The email ------------------------------------------------------------------------------------------


def batch_email_send(*, batch_id: uuid.UUID) -> None:
    key = str(batch_id)
    with transaction.atomic():
        batch = _locked(batch_id)
        if batch.email_sent_at is not None or batch.email_failed_at is not None:
            logger.info("email for batch %s already settled; duplicate job ignored", batch_id)
            return
        message_id, link = _sent_unrecorded.get(key, (None, None))
        if message_id is None:
            try:
                # A savepoint: the download link of an email that did not go out is not kept.
                with transaction.atomic():
                    message_id, link = _deliver(batch)
                    # Remembered before the savepoint's release, the first statement after the send: a
                    # database gone by then must not make the retry send the email again.
                    _sent_unrecorded[key] = (message_id, link)
            except SEND_ERRORS as exc:
                _retry_later(batch, f"{type(exc).__name__}: {exc}")
                return
        elif link is not None:
            # The link in that email was rolled back with it: the same row again, so that it opens.
            DownloadLink.objects.bulk_create([link], ignore_conflicts=True)
        InvoiceBatch.objects.filter(pk=batch.pk).update(
            email_sent_at=timezone.now(),
            email_attempts=F("email_attempts") + 1,
            email_last_error="",
            email_next_attempt_at=None,
        )
    _sent_unrecorded.pop(key, None)
    logger.info("email for batch %s sent (%s)", batch_id, message_id)


def batch_email_give_up(*, batch_id: uuid.UUID, reason: str) -> None:
    """The queue gave up on the job (not a sending failure: those are retried by the sweep)."""
    InvoiceBatch.objects.filter(id=batch_id, email_sent_at__isnull=True).update(
        email_attempts=F("email_attempts") + 1,
        email_last_error=f"Gave up: {reason}"[:MAX_ERROR_LENGTH],
        email_failed_at=timezone.now(),
        email_next_attempt_at=None,
    )
    logger.error("email for batch %s not sent: %s", batch_id, reason)


def batch_emails_requeue_due(*, limit: int = REQUEUE_BATCH) -> int:
    """Queue the next attempt of every unsent batch email whose attempt is due; return how many (the
    relay's sweep, like ``notifications_requeue_due``: SKIP LOCKED, each attempt queued once)."""
    with transaction.atomic():
        due = list(
            InvoiceBatch.objects.select_for_update(skip_locked=True)
            .filter(
                completed_at__isnull=False,
                email_sent_at__isnull=True,
                email_failed_at__isnull=True,
                email_next_attempt_at__lte=timezone.now(),
            )
            .order_by("email_next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        for batch_id in due:
            outbox_add(SendNotification(invoice_id=None, batch_id=batch_id, kind=BATCH_COMPLETED))
        InvoiceBatch.objects.filter(pk__in=due).update(email_next_attempt_at=None)
    if due:
        logger.info("queued %d batch email retry(ies)", len(due))
    return len(due)


def _locked(batch_id: uuid.UUID) -> InvoiceBatch:
    batch = (
        InvoiceBatch.objects.select_for_update(of=("self",))
        .select_related("owner")
        .defer("items")
        .filter(id=batch_id, completed_at__isnull=False)
        .first()
    )
    if batch is None:
        raise PermanentError(f"No completed batch {batch_id} exists.")
    return batch


def _deliver(batch: InvoiceBatch) -> tuple[str, DownloadLink | None]:
    """Send the email; the provider's message id, and the download link made for it (None: nothing ready)."""
    message, link = _message(batch)
    return mail.send(message), link  # on the thread's open connection


def _message(batch: InvoiceBatch) -> tuple[EmailMultiAlternatives, DownloadLink | None]:
    text = batch_email_text(batch.owner.language)
    counts = batch_counts(batch.id)
    # A link that opens the ZIP without a login (a person reading the email has no API token); none when
    # every invoice failed, as there is no file to download.
    link = batch_link_for_email(batch) if counts[InvoiceStatus.READY] else None
    failed = list(
        Invoice.objects.filter(batch_id=batch.id, status=InvoiceStatus.FAILED)
        .order_by("batch_index")
        .values_list("number", "failure_reason")[:EMAIL_FAILED_LISTED]
    )
    context = {
        "text": text,
        "lang": text.language,
        "rtl": text.language in RTL_LANGUAGES,
        "done": batch_done(text.language, batch.accepted_count),
        "ready": text.ready.format(ready=counts[InvoiceStatus.READY]),
        "failed": text.failed.format(failed=counts[InvoiceStatus.FAILED]),
        "failed_items": [text.failed_item.format(number=number, reason=reason) for number, reason in failed],
        "more": _more(text, counts[InvoiceStatus.FAILED] - len(failed)),
        "link_url": link_url(link) if link is not None else "",
        "until": _until(text, batch, link),
        **batch_urls(batch.id),
    }
    message = EmailMultiAlternatives(
        subject=batch_subject(text.language, batch.accepted_count, counts[InvoiceStatus.FAILED]),
        body=render_to_string("invoices/email/batch_completed.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[batch.email_recipient or batch.owner.email],
        # The same for every attempt at this batch's email: a repeat is recognisable as one (rule 8).
        headers={"Message-ID": mail.message_id(f"batch.{batch.id}")},
    )
    message.attach_alternative(render_to_string("invoices/email/batch_completed.html", context), "text/html")
    return message, link


def _until(text: BatchEmailText, batch: InvoiceBatch, link: DownloadLink | None) -> str:
    """When the link stops working, as the owner's locale writes it (after that, the API's ZIP URL works
    with a token); "" without a link."""
    if link is None:
        return ""
    return text.until.format(until=email_datetime(link.expires_at, email_locale(batch.owner)))


def _more(text: BatchEmailText, unlisted: int) -> str:
    return batch_more(text.language, unlisted) if unlisted > 0 else ""


def _retry_later(batch: InvoiceBatch, error: str) -> None:
    """Record a failed attempt: schedule the next one, or give up once the batch completed too long ago."""
    attempts = batch.email_attempts + 1
    now = timezone.now()
    completed = batch.completed_at or now
    if now - completed >= timedelta(seconds=settings.NOTIFY_GIVE_UP_SECONDS):
        error = f"Gave up after {attempts} attempts: {error}"
        failed_at, next_attempt_at = now, None
        logger.error("email for batch %s not sent: %s", batch.id, error)
    else:
        delay = retry_delay(attempts)
        failed_at, next_attempt_at = None, now + timedelta(seconds=delay)
        logger.warning(
            "email for batch %s not sent (attempt %d): %s; next attempt in %d s",
            batch.id,
            attempts,
            error,
            delay,
        )
    InvoiceBatch.objects.filter(pk=batch.pk, email_sent_at__isnull=True).update(
        email_attempts=attempts,
        email_last_error=error[:MAX_ERROR_LENGTH],
        email_failed_at=failed_at,
        email_next_attempt_at=next_attempt_at,
    )
