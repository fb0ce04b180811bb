"""Delivering one webhook: sign, send through the guarded client, record the attempt, schedule the next
(docs/reliability.md rule 16).

At least once, never while holding a transaction open on the network:

1. ``_claim``: a short transaction locks the delivery, checks it is still pending and not under a live lease,
   counts the attempt and takes a LEASE: ``next_attempt_at`` = now + the connect and read timeouts + a
   margin. A worker killed mid-request leaves the delivery pending with that lease; once it runs out the
   sweep (``deliveries_requeue_due``) queues the delivery again. A duplicate job that arrives meanwhile (the
   broker redelivering the killed worker's message) finds the lease live and does nothing.
2. The request, outside any transaction (``webhooks.outbound.post``), with the same ``webhook-id`` on every
   attempt.
3. ``_record``: a second short transaction writes the attempt's log row and settles the delivery: 2xx is
   success; anything else schedules the next attempt after an exponential backoff with equal jitter, or
   fails the delivery once it is ``WEBHOOK_GIVE_UP_SECONDS`` old, and disables the endpoint once it has
   failed for ``WEBHOOK_DISABLE_AFTER_SECONDS`` (its owner is emailed: ``disabled_emails_send``).

Lock order: ``_record`` locks the endpoint, then the delivery (disabling an endpoint fails its other pending
deliveries while holding the endpoint); ``_claim`` and the sweep lock deliveries only. No cycle.
"""

import logging
import random
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from invoicesite.words import counted
from webhooks import outbound
from webhooks.emails import disabled_text
from webhooks.jobs import DeliverWebhook
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.signing import body_of, signed_headers
from workers.errors import MAX_ERROR_LENGTH
from workers.outbox import outbox_add

logger = logging.getLogger(__name__)

# Added to the connect and read timeouts for a claim's lease: the database work around the request.
LEASE_MARGIN_SECONDS = 5
REQUEUE_BATCH = 100
EMAIL_SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)
# After a failed "endpoint disabled" email, the sweep (every few seconds) waits this long before the next try.
EMAIL_RETRY_SECONDS = 60.0
_email_failed_at: dict[uuid.UUID, float] = {}
# Jitter only spreads retries (no secret depends on it); SystemRandom keeps bandit quiet at no cost here.
_jitter = random.SystemRandom()


@dataclass(frozen=True)
class _Claim:
    """An attempt this worker holds the lease for: what to send, and the attempt number as its token."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    attempt: int
    url: str
    body: str
    headers: dict[str, str]


def delivery_attempt(*, delivery_id: uuid.UUID) -> None:
    """One attempt at one delivery (the webhook consumer's job); idempotent: a duplicate job does nothing."""
    claim = _claim(delivery_id)
    if claim is None:
        return
    started = timezone.now()
    result = outbound.post(claim.url, claim.body.encode(), claim.headers)
    disabled = _record(claim, started, result)
    if disabled:
        # Told at once; if this email fails, the sweep sends it later (the flag stays set until it is sent).
        disabled_emails_send(endpoint_id=claim.endpoint_id)


def delivery_give_up(*, delivery_id: uuid.UUID, reason: str) -> None:
    """The queue gave up on the job (a poison message): the delivery is failed, with the reason."""
    now = timezone.now()
    updated = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED,
        failed_at=now,
        next_attempt_at=None,
        last_error=f"Gave up: {reason}"[:MAX_ERROR_LENGTH],
    )
    if updated:
        logger.error("webhook delivery %s failed: the queue gave up: %s", delivery_id, reason)


def delivery_replay(*, delivery_ids: list[uuid.UUID]) -> int:
    """Deliver again (the admin's action): pending with the same ``webhook-id``, queued through the outbox.
    A delivery of a disabled endpoint is failed again at once, without a request. Return how many."""
    with transaction.atomic():
        deliveries = list(
            WebhookDelivery.objects.select_for_update()
            .filter(pk__in=delivery_ids)
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=deliveries).update(
            status=DeliveryStatus.PENDING, next_attempt_at=None, failed_at=None, delivered_at=None
        )
        for pk in deliveries:
            outbox_add(DeliverWebhook(delivery_id=pk))
    logger.info("%d webhook delivery(ies) replayed", len(deliveries))
    return len(deliveries)


def deliveries_requeue_due(*, limit: int = REQUEUE_BATCH) -> int:
    """Queue every pending delivery whose attempt is due (a retry, or a lease a killed worker left); return
    how many. The relay runs it on every pass; SKIP LOCKED lets relays run side by side, and clearing
    ``next_attempt_at`` with the outbox row in one transaction queues each attempt once."""
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in due:
            outbox_add(DeliverWebhook(delivery_id=pk))
        WebhookDelivery.objects.filter(pk__in=due).update(next_attempt_at=None)
    if due:
        logger.info("queued %d webhook attempt(s)", len(due))
    return len(due)


def disabled_emails_send(*, endpoint_id: uuid.UUID | None = None) -> int:
    """Email the owner of each endpoint disabled for failing whose email is still due; return how many
    were sent. The flag is cleared in the transaction that holds the endpoint while its email is sent, so
    two workers send one email (a crash between the send and the commit can send a second)."""
    due = WebhookEndpoint.objects.filter(disabled_email_due=True)
    if endpoint_id is not None:
        due = due.filter(pk=endpoint_id)
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:REQUEUE_BATCH]):
        if time.monotonic() - _email_failed_at.get(pk, -EMAIL_RETRY_SECONDS) < EMAIL_RETRY_SECONDS:
            continue
        with transaction.atomic():
            endpoint = (
                WebhookEndpoint.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("owner")
                .filter(pk=pk, disabled_email_due=True)
                .first()
            )
            if endpoint is None:
                continue
            try:
                _disabled_message(endpoint).send()
            except EMAIL_SEND_ERRORS as exc:
                _email_failed_at[pk] = time.monotonic()
                logger.warning("endpoint %s disabled; its owner's email failed (retried later): %s", pk, exc)
                continue
            WebhookEndpoint.objects.filter(pk=pk).update(disabled_email_due=False)
        _email_failed_at.pop(pk, None)
        sent += 1
        logger.info("endpoint %s disabled; its owner was told by email", pk)
    return sent


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: ``WEBHOOK_RETRY_BASE_SECONDS``
    doubling, capped at ``WEBHOOK_RETRY_MAX_SECONDS``, with EQUAL jitter (half fixed, half random).

    Equal rather than full jitter: full jitter (anywhere from 0 to the cap) spreads retries best but may
    retry a failing endpoint almost at once, again and again; equal jitter keeps at least half of each
    backoff, so a struggling receiver always gets its pause, and still spreads the retries of many
    deliveries that failed together (an endpoint's outage) over the other half.
    """
    ceiling = min(
        settings.WEBHOOK_RETRY_MAX_SECONDS, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    )
    return ceiling / 2 + _jitter.uniform(0, ceiling / 2)


def _claim(delivery_id: uuid.UUID) -> _Claim | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        now = timezone.now()
        if delivery is None:
            logger.info("webhook delivery %s no longer exists (its endpoint was deleted)", delivery_id)
            return None
        if delivery.status != DeliveryStatus.PENDING:
            logger.info("webhook delivery %s already %s; duplicate job ignored", delivery_id, delivery.status)
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            logger.info("webhook delivery %s is leased or not yet due; duplicate job ignored", delivery_id)
            return None
        endpoint = delivery.endpoint
        if not endpoint.enabled:
            why = f"after failing: {endpoint.disabled_reason}" if endpoint.disabled_reason else "by its owner"
            _settle_failed(delivery.pk, f"Not sent: the endpoint was disabled {why}", now)
            return None
        attempt = delivery.attempts + 1
        lease = now + timedelta(seconds=_attempt_seconds() + LEASE_MARGIN_SECONDS)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=attempt, next_attempt_at=lease)
        secrets_in_force = [endpoint.secret]
        if (
            endpoint.previous_secret
            and endpoint.previous_secret_expires_at
            and endpoint.previous_secret_expires_at > now
        ):
            secrets_in_force.append(endpoint.previous_secret)
        body = body_of(delivery.payload)
        headers = signed_headers(
            webhook_id=delivery.webhook_id, body=body, secrets_in_force=secrets_in_force, now=now
        )
    return _Claim(delivery.pk, endpoint.pk, attempt, endpoint.url, body, headers)


def _attempt_seconds() -> int:
    return int(settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS + settings.WEBHOOK_READ_TIMEOUT_SECONDS)


def _record(claim: _Claim, started: datetime, result: outbound.OutboundResult) -> bool:
    """Log the attempt and settle or reschedule the delivery; True if the endpoint was disabled now."""
    succeeded = result.status_code is not None and 200 <= result.status_code < 300
    error = "" if succeeded else _error_text(result)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=claim.endpoint_id).first()
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=claim.delivery_id).first()
        if endpoint is None or delivery is None:
            return False  # deleted while the request was on its way
        now = timezone.now()
        WebhookAttempt.objects.create(
            delivery=delivery,
            started_at=started,
            duration_ms=result.duration_ms,
            status_code=result.status_code,
            error=error[:MAX_ERROR_LENGTH],
            response_body=result.body,
        )
        if delivery.status != DeliveryStatus.PENDING:
            return False  # settled meanwhile (the endpoint disabled, a give-up): the attempt is only logged
        if succeeded:
            _settle_succeeded(delivery, result, now)
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return False
        if delivery.attempts != claim.attempt:
            # Our lease ran out and another attempt holds the delivery now: it settles it.
            return False
        return _settle_failure(endpoint, delivery, result, error, started, now)


def _settle_succeeded(delivery: WebhookDelivery, result: outbound.OutboundResult, now: datetime) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SUCCEEDED,
        delivered_at=now,
        next_attempt_at=None,
        last_status_code=result.status_code,
        last_error="",
    )
    logger.info(
        "webhook delivery %s succeeded (attempt %d, HTTP %s)",
        delivery.pk,
        delivery.attempts,
        result.status_code,
    )


def _settle_failure(
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    result: outbound.OutboundResult,
    error: str,
    started: datetime,
    now: datetime,
) -> bool:
    failing_since = endpoint.failing_since or started
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=failing_since)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        last_status_code=result.status_code, last_error=error[:MAX_ERROR_LENGTH]
    )
    if endpoint.enabled and now - failing_since >= timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS):
        _settle_failed(delivery.pk, f"{error}; not retried: the endpoint is disabled now", now)
        _disable(endpoint, failing_since, error, now)
        return True
    if not endpoint.enabled:
        _settle_failed(delivery.pk, f"{error}; not retried: the endpoint is disabled", now)
    elif now - delivery.created_at >= timedelta(seconds=settings.WEBHOOK_GIVE_UP_SECONDS):
        _settle_failed(delivery.pk, f"Gave up after {counted(delivery.attempts, 'attempt')}: {error}", now)
    else:
        delay = retry_delay(delivery.attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + timedelta(seconds=delay))
        logger.warning(
            "webhook delivery %s failed (attempt %d): %s; next attempt in %.0f s",
            delivery.pk,
            delivery.attempts,
            error,
            delay,
        )
    return False


def _disable(endpoint: WebhookEndpoint, failing_since: datetime, error: str, now: datetime) -> None:
    """Disable an endpoint that has failed for too long; its pending deliveries are failed, its owner is due
    an email."""
    reason = f"every delivery failed since {failing_since:%Y-%m-%d %H:%M} UTC; the last: {error}"[
        :MAX_ERROR_LENGTH
    ]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_at=now, disabled_reason=reason, disabled_email_due=True
    )
    pending = WebhookDelivery.objects.filter(endpoint_id=endpoint.pk, status=DeliveryStatus.PENDING)
    count = pending.update(
        status=DeliveryStatus.FAILED,
        failed_at=now,
        next_attempt_at=None,
        last_error=f"Not sent: the endpoint was disabled after failing: {reason}"[:MAX_ERROR_LENGTH],
    )
    logger.error(
        "webhook endpoint %s disabled (%s); %d pending delivery(ies) failed", endpoint.pk, reason, count
    )


def _settle_failed(delivery_id: uuid.UUID, reason: str, now: datetime) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED,
        failed_at=now,
        next_attempt_at=None,
        last_error=reason[:MAX_ERROR_LENGTH],
    )
    logger.error("webhook delivery %s failed: %s", delivery_id, reason)


def _error_text(result: outbound.OutboundResult) -> str:
    if result.status_code is None:
        return result.error
    if 300 <= result.status_code < 400:
        return f"HTTP {result.status_code}: redirect to {result.location or '(no Location)'} not followed"
    return f"HTTP {result.status_code}"


def _disabled_message(endpoint: WebhookEndpoint) -> EmailMessage:
    owner = endpoint.owner
    text = disabled_text(owner.language)
    since = f"{endpoint.failing_since or endpoint.disabled_at or endpoint.updated_at:%Y-%m-%d %H:%M} UTC"
    body = "\n\n".join(
        [
            text.greeting,
            text.disabled.format(url=endpoint.url, since=since),
            text.last_error.format(error=endpoint.disabled_reason),
            text.what_now,
            f"-- \n{text.automatic}",
        ]
    )
    return EmailMessage(
        subject=text.subject.format(url=endpoint.url),
        body=body + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
        headers={"Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)},
    )
