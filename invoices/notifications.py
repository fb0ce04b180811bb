"""The notification lifecycle: one email per invoice and event (docs/reliability.md rule 8).

The notification row is locked while its email is sent and marked sent in the same transaction, so two
deliveries of the same job send one email. The gap that remains: the provider accepted the email but the
process died before the commit; the job is then redelivered and one duplicate email can be sent.

A sending failure (SMTP or provider down) is not retried through the queue, whose delivery limit would give
up within seconds: the row keeps the error and a ``next_attempt_at``, and the outbox relay queues the next
attempt when it is due (``notifications_requeue_due``, this app's sweep), with growing delays, until the
notification is older than ``NOTIFY_GIVE_UP_SECONDS``; then it is marked failed with the last error.

The same sweep covers the first attempt: the row is created with ``next_attempt_at`` set
``NOTIFY_DISPATCH_GRACE_SECONDS`` ahead and its job is published after the commit without an outbox row
(``workers.outbox.dispatch_after_commit``); if that publish is lost, the row falls due and is queued again.
"""

import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from anymail.exceptions import AnymailError
from babel import dates
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from accounts.models import User
from invoices.document.currencies import find_currency
from invoices.i18n.emails import EmailText, email_text, links_until
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.locales import RTL_LANGUAGES, cached_locale, default_locale, language_of
from invoices.jobs import SendNotification
from invoices.links import link_url, links_for_email, links_save
from invoices.models import DownloadLink, Invoice, Notification, NotificationKind
from invoices.selectors import renditions_of
from invoicesite import mail, sqlnames
from workers.errors import MAX_ERROR_LENGTH, PermanentError
from workers.outbox import outbox_add

logger = logging.getLogger(__name__)

# What a sending failure can look like: SMTP refusals and network errors, or a provider's API error.
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)
REQUEUE_BATCH = 100
# Emails the provider accepted whose "sent" the database did not record (it went away before the commit),
# by (invoice id, kind): the worker retries the same job when the database is back (workers/runner.py
# waits out outages on the same delivery) and records this id instead of sending the email again. Only a
# process that dies in that gap can still send one duplicate (docs/reliability.md rule 8).
# The download links the email carries are kept beside the id, to be written again with the "sent".
_sent_unrecorded: dict[tuple[str, str], tuple[str, list[DownloadLink]]] = {}


def notification_send(*, invoice_id: uuid.UUID, kind: str) -> None:
    key = (str(invoice_id), kind)
    with transaction.atomic():
        notification = _locked(invoice_id, kind)
        if notification.sent_at is not None or notification.failed_at is not None:
            logger.info("%s email for invoice %s already settled; duplicate job ignored", kind, invoice_id)
            return
        message_id, links = _sent_unrecorded.get(key, (None, []))
        if message_id is None:
            try:
                message_id, links = _deliver(notification)
            except SEND_ERRORS as exc:
                # The job itself is done (its message is acked): from here the row carries the retry.
                _retry_later(notification, f"{type(exc).__name__}: {exc}")
                return
            # Remembered before any statement after the send: a database gone by then must not make the
            # retry send the email again.
            _sent_unrecorded[key] = (message_id, links)
            links_save(links)  # the links in the email, saved only now that it has gone out
        else:
            logger.info("%s email for invoice %s was sent before the database went away", kind, invoice_id)
            # The links in that email were rolled back with it: the same rows again, so that they open.
            DownloadLink.objects.bulk_create(links, ignore_conflicts=True)
        _mark_sent(notification.pk, message_id)
    _sent_unrecorded.pop(key, None)
    logger.info("%s email for invoice %s sent", kind, invoice_id)


def notification_give_up(*, invoice_id: uuid.UUID, kind: str, reason: str) -> None:
    """The queue gave up on the job (not a sending failure: those are retried by the relay)."""
    Notification.objects.filter(invoice_id=invoice_id, kind=kind, sent_at__isnull=True).update(
        attempts=F("attempts") + 1,
        last_error=f"Gave up: {reason}"[:MAX_ERROR_LENGTH],
        failed_at=timezone.now(),
        next_attempt_at=None,
    )
    logger.error("%s email for invoice %s not sent: %s", kind, invoice_id, reason)


def notifications_requeue_due(*, limit: int = REQUEUE_BATCH) -> int:
    """Queue the next attempt of every unsent notification whose attempt is due; return how many.

    The relay runs it on every pass (the sweep in invoices.consumers). SKIP LOCKED lets several relays run
    side by side, and clearing ``next_attempt_at`` in the same transaction as the outbox row queues each
    attempt once.
    """
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at")[:limit]
        )
        for notification in due:
            outbox_add(SendNotification(invoice_id=notification.invoice_id, kind=notification.kind))
        Notification.objects.filter(pk__in=[n.pk for n in due]).update(next_attempt_at=None)
    if due:
        logger.info("queued %d email retry(ies)", len(due))
    return len(due)


def _locked(invoice_id: uuid.UUID, kind: str) -> Notification:
    """The notification, locked, with its invoice (without the invoice document, which the email needs
    none of) and the invoice's owner (whose language and locale choose the email's words).

    Fixed SQL: the ORM's select_related with a lock and a deferred field took 40 % of the notify worker's
    CPU per email to build (docs/performance.md); the row comes back as the same three instances."""
    notification_fields, invoice_fields, owner_fields = _locked_fields()
    with connection.cursor() as cursor:
        sqlnames.execute(cursor, _locked_sql(), [sqlnames.value(Notification, "invoice", invoice_id), kind])
        row = cursor.fetchone()
    if row is None:
        raise PermanentError(f"No {kind} notification exists for invoice {invoice_id}.")
    invoice_at = len(notification_fields)
    owner_at = invoice_at + len(invoice_fields)
    notification = sqlnames.instance(Notification, notification_fields, row[:invoice_at])
    invoice = sqlnames.instance(Invoice, invoice_fields, row[invoice_at:owner_at])
    owner = sqlnames.instance(User, owner_fields, row[owner_at:])
    Invoice.owner.field.set_cached_value(invoice, owner)
    Notification.invoice.field.set_cached_value(notification, invoice)
    return notification


@cache
def _locked_fields() -> tuple[list[Any], list[Any], list[Any]]:
    return (
        list(Notification._meta.concrete_fields),
        [field for field in Invoice._meta.concrete_fields if field.name != "input"],
        list(User._meta.concrete_fields),
    )


@cache
def _locked_sql() -> str:
    notification_fields, invoice_fields, owner_fields = _locked_fields()
    notification, invoice, owner = (sqlnames.table(model) for model in (Notification, Invoice, User))
    selected = ", ".join(
        sqlnames.columns(model, fields)
        for model, fields in (
            (Notification, notification_fields),
            (Invoice, invoice_fields),
            (User, owner_fields),
        )
    )
    n_invoice, n_kind = sqlnames.column(Notification, "invoice"), sqlnames.column(Notification, "kind")
    i_id, i_owner, u_id = (
        sqlnames.column(Invoice, "id"),
        sqlnames.column(Invoice, "owner"),
        sqlnames.column(User, "id"),
    )
    # SQLite (embedded mode) has no row locks: one process, and its writes are serialised anyway.
    lock = f" FOR UPDATE OF {notification}" if connection.features.has_select_for_update_of else ""
    # Names from the models' metadata, the values as parameters; (invoice, kind) is unique. Only the
    # notification's row is locked, as before: the invoice's lock belongs to the render's transactions.
    return (
        f"SELECT {selected} FROM {notification} "  # noqa: S608  # nosec B608
        f"INNER JOIN {invoice} ON {invoice}.{i_id} = {notification}.{n_invoice} "
        f"INNER JOIN {owner} ON {owner}.{u_id} = {invoice}.{i_owner} "
        f"WHERE {notification}.{n_invoice} = %s AND {notification}.{n_kind} = %s "
        f"LIMIT 1{lock}"
    )


def _mark_sent(notification_id: int, message_id: str) -> None:
    """The email went out: the provider's id, one attempt more, nothing left to retry. Fixed SQL: the ORM's
    UPDATE with an F() expression was compiled anew for every email."""
    now = sqlnames.value(Notification, "sent_at", timezone.now())
    with connection.cursor() as cursor:
        sqlnames.execute(cursor, _mark_sent_sql(), [now, message_id, notification_id])


@cache
def _mark_sent_sql() -> str:
    sent_at, provider_id, attempts, last_error, next_at, n_id = (
        sqlnames.column(Notification, name)
        for name in ("sent_at", "provider_message_id", "attempts", "last_error", "next_attempt_at", "id")
    )
    return (
        f"UPDATE {sqlnames.table(Notification)} SET {sent_at} = %s, {provider_id} = %s, "  # noqa: S608  # nosec B608
        f"{attempts} = {attempts} + 1, {last_error} = '', {next_at} = NULL WHERE {n_id} = %s"
    )


def _deliver(notification: Notification) -> tuple[str, list[DownloadLink]]:
    """Send the email; the provider's message id, and the download links made for it."""
    message, links = _message(notification)
    return mail.send(message), links  # on the thread's open connection


def _message(notification: Notification) -> tuple[EmailMultiAlternatives, list[DownloadLink]]:
    invoice = notification.invoice
    text = email_text(invoice.owner.language)
    locale = email_locale(invoice.owner)
    renditions = renditions_of(invoice)
    failed_files = ", ".join(r.get_format_display() for r in renditions if r.status == "failed")
    # A link per ready file that opens without a login (a person reading the email has no API token);
    # a failed invoice's email links the files that were made.
    links = links_for_email(renditions)
    labels = {rendition.format: rendition.get_format_display() for rendition in renditions}
    context = {
        "text": text,
        "lang": locale,
        "rtl": text.language in RTL_LANGUAGES,
        # After the links expire, the API download still works with a token.
        "download_url": settings.SITE_URL + reverse("invoice-download", args=[invoice.id]),
        "files": [{"label": labels[link.format], "url": link_url(link)} for link in links],
        "links_until": links_until(text.language, len(links)).format(until=_until(links, locale)),
        "status_url": settings.SITE_URL + reverse("invoice-detail", args=[invoice.id]),
        **_sentences(text, invoice, _total(invoice, locale), failed_files),
    }
    template = f"invoices/email/{notification.kind}"
    subject = text.subject_ready if notification.kind == NotificationKind.READY else text.subject_failed
    message = EmailMultiAlternatives(
        subject=subject.format(number=invoice.number),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        # The same for every attempt at this event's email: a repeat is recognisable as one (rule 8).
        headers={"Message-ID": mail.message_id(f"{invoice.id}.{notification.kind}")},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message, links


def _until(links: list[DownloadLink], locale: str) -> str:
    """When the email's links stop working, as the owner's locale writes a date and time ("December 10,
    2026, 1:49:00 PM UTC", "10. Dezember 2026, 13:49:00 UTC"), in the site's time zone; "" without links."""
    if not links:
        return ""
    return email_datetime(links[0].expires_at, locale)


def email_datetime(moment: datetime, locale: str) -> str:
    """A date and time in an email, as ``locale`` writes it, in the site's time zone."""
    return dates.format_datetime(
        moment, "long", tzinfo=ZoneInfo(settings.TIME_ZONE), locale=cached_locale(locale)
    )


def email_locale(owner: User) -> str:
    """The owner's own locale when it is in the email's language (a "de" reader with "de-CH" sees
    "CHF 1'250.00"); else the language's default, so the figures never follow another language's habits."""
    if owner.locale and language_of(owner.locale) == owner.language:
        return owner.locale
    return default_locale(owner.language, "")


def _sentences(text: EmailText, invoice: Invoice, total: str, failed_files: str) -> dict[str, Any]:
    """The sentences with values, for the text part and, escaped with the values in <strong>, for the HTML
    part. The placeholders are filled after the gettext lookup, wherever the translation put them."""
    number, reason = invoice.number, invoice.failure_reason
    if failed_files:
        failed, failed_values = text.failed_as, {"number": number, "formats": failed_files}
    else:
        failed, failed_values = text.failed, {"number": number}
    return {
        "ready": text.ready.format(number=number, total=total),
        "ready_html": _html(text.ready, number=number, total=total),
        "failed": failed.format(**failed_values),
        "failed_html": _html(failed, **failed_values),
        "reason": text.reason.format(reason=reason),
        "reason_html": format_html(escape(text.reason), reason=reason),  # the reason is long: not bold
    }


def _html(sentence: str, **values: str) -> SafeString:
    # The sentence is escaped too: a translation is text, never markup.
    return format_html(
        escape(sentence), **{name: format_html("<strong>{}</strong>", v) for name, v in values.items()}
    )


def _total(invoice: Invoice, locale: str) -> str:
    currency = find_currency(invoice.currency)
    if currency is None:  # not reached: the currency was checked on upload
        return f"{invoice.total_gross} {invoice.currency}"
    # Stored with four decimals; the invoice's own amount has the currency's minor units.
    amount = invoice.total_gross.quantize(Decimal(1).scaleb(-currency.minor_units))
    return NumberFormat(locale, currency).money(amount)


def _retry_later(notification: Notification, error: str) -> None:
    """Record a failed attempt: schedule the next one, or give up once the notification is too old."""
    attempts = notification.attempts + 1
    now = timezone.now()
    too_old = now - notification.created_at >= timedelta(seconds=settings.NOTIFY_GIVE_UP_SECONDS)
    if too_old:
        error = f"Gave up after {attempts} attempts: {error}"
        failed_at, next_attempt_at = now, None
        logger.error(
            "%s email for invoice %s not sent: %s", notification.kind, notification.invoice_id, error
        )
    else:
        delay = retry_delay(attempts)
        failed_at, next_attempt_at = None, now + timedelta(seconds=delay)
        logger.warning(
            "%s email for invoice %s not sent (attempt %d): %s; next attempt in %d s",
            notification.kind,
            notification.invoice_id,
            attempts,
            error,
            delay,
        )
    Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        attempts=attempts,
        last_error=error[:MAX_ERROR_LENGTH],
        failed_at=failed_at,
        next_attempt_at=next_attempt_at,
    )


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones: doubling, capped."""
    return int(
        min(settings.NOTIFY_RETRY_MAX_SECONDS, settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    )
