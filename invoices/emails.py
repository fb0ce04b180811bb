"""Notification emails: one per invoice and event (RELIABILITY.md rule 8).

The notification row is locked while its email is sent and marked sent in the same transaction, so two
deliveries of the same job send one email. The gap that remains: the provider accepted the email but the
process died before the commit; the job is then redelivered and one duplicate email can be sent.
"""

import logging
import smtplib
import uuid
from email.utils import make_msgid

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from invoices.document.currencies import find_currency
from invoices.document.money import format_amount
from invoices.models import Invoice, Notification, NotificationKind
from workers.errors import PermanentError, TransientError

logger = logging.getLogger(__name__)

SUBJECTS = {
    NotificationKind.READY: "Invoice {number} is ready",
    NotificationKind.FAILED: "Invoice {number} could not be created",
}
# What a sending failure can look like: SMTP refusals and network errors, or a provider's API error.
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


def notification_send(*, invoice_id: uuid.UUID, kind: str) -> None:
    try:
        with transaction.atomic():
            notification = _locked(invoice_id, kind)
            if notification.sent_at is not None:
                logger.info("%s email for invoice %s already sent; duplicate job ignored", kind, invoice_id)
                return
            message_id = _deliver(notification)
            Notification.objects.filter(pk=notification.pk).update(
                sent_at=timezone.now(),
                provider_message_id=message_id,
                attempts=F("attempts") + 1,
                last_error="",
            )
    except SEND_ERRORS as exc:
        _record_error(invoice_id, kind, f"{type(exc).__name__}: {exc}")
        raise TransientError(f"Sending the {kind} email failed: {exc}") from exc
    logger.info("%s email for invoice %s sent", kind, invoice_id)


def notification_give_up(*, invoice_id: uuid.UUID, kind: str, reason: str) -> None:
    _record_error(invoice_id, kind, f"Gave up: {reason}")
    logger.error("%s email for invoice %s not sent: %s", kind, invoice_id, reason)


def _locked(invoice_id: uuid.UUID, kind: str) -> Notification:
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("invoice")
        .filter(invoice_id=invoice_id, kind=kind)
        .first()
    )
    if notification is None:
        raise PermanentError(f"No {kind} notification exists for invoice {invoice_id}.")
    return notification


def _deliver(notification: Notification) -> str:
    message = _message(notification)
    message.send()
    status = getattr(message, "anymail_status", None)  # set by anymail's provider backends
    provider_id = getattr(status, "message_id", None) if status is not None else None
    # A provider's id may be any value, even a falsy one; only its absence means plain SMTP.
    return str(provider_id) if provider_id is not None else str(message.extra_headers["Message-ID"])


def _message(notification: Notification) -> EmailMultiAlternatives:
    invoice = notification.invoice
    context = {
        "invoice": invoice,
        "download_url": f"{settings.SITE_URL}/api/invoices/{invoice.id}/download/",
        "status_url": f"{settings.SITE_URL}/api/invoices/{invoice.id}/",
        "total": _total(invoice),
    }
    template = f"invoices/email/{notification.kind}"
    message = EmailMultiAlternatives(
        subject=SUBJECTS[NotificationKind(notification.kind)].format(number=invoice.number),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _total(invoice: Invoice) -> str:
    currency = find_currency(invoice.currency)
    amount = format_amount(invoice.total_gross, currency) if currency else str(invoice.total_gross)
    return f"{amount} {invoice.currency}"


def _record_error(invoice_id: uuid.UUID, kind: str, error: str) -> None:
    Notification.objects.filter(invoice_id=invoice_id, kind=kind, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=error[:2000]
    )
