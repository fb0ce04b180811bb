"""An account's webhook endpoints: register, change, rotate the secret, delete; and what the API reads.

Owner-only by construction: every function takes the owner and looks the endpoint up under it, so another
account's endpoint is ``None`` exactly like an id that does not exist (the view answers both with the same
404). A secret leaves this module only in the return value of ``endpoint_create`` and
``endpoint_rotate_secret``: it is shown to its owner once.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from webhooks.jobs import DeliverWebhook
from webhooks.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import now_iso
from webhooks.signing import secret_new
from workers.outbox import outbox_add

logger = logging.getLogger(__name__)

RECENT_ATTEMPTS = 5  # attempts shown with each delivery in the deliveries log


class TooManyEndpoints(ValueError):
    pass


class TestRefused(ValueError):
    """A test event cannot be sent now: the endpoint is disabled, or its last test is still on its way."""


@dataclass(frozen=True)
class NewSecret:
    endpoint: WebhookEndpoint
    secret: str
    previous_secret_expires_at: datetime | None


def endpoint_list(*, owner_id: int) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner_id=owner_id).order_by("created_at")


def endpoint_get(*, owner_id: int, endpoint_id: uuid.UUID | str) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(owner_id=owner_id, pk=endpoint_id).first()


def endpoint_create(
    *, owner_id: int, url: str, event_types: Sequence[str], description: str = ""
) -> NewSecret:
    """Register an endpoint (``url`` already checked by the caller); its secret is in the answer, once."""
    with transaction.atomic():
        # The owner's row serialises concurrent registrations, so the limit holds under a race.
        get_user_model().objects.select_for_update().filter(pk=owner_id).first()
        if WebhookEndpoint.objects.filter(owner_id=owner_id).count() >= settings.WEBHOOK_MAX_ENDPOINTS:
            raise TooManyEndpoints(
                f"An account may have at most {settings.WEBHOOK_MAX_ENDPOINTS} webhook endpoints; "
                "delete one first."
            )
        secret = secret_new()
        endpoint = WebhookEndpoint.objects.create(
            owner_id=owner_id, url=url, event_types=list(event_types), description=description, secret=secret
        )
    logger.info("owner %s registered webhook endpoint %s", owner_id, endpoint.pk)
    return NewSecret(endpoint, secret, None)


def endpoint_update(*, endpoint: WebhookEndpoint, changes: dict[str, Any]) -> WebhookEndpoint:
    """Change ``url``, ``event_types``, ``description`` or ``enabled``. Enabling an endpoint clears its
    failure state (a fresh start: its next failure starts a new disable period); disabling it by hand
    records no reason (its owner knows why)."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        for field in ("url", "event_types", "description"):
            if field in changes:
                setattr(locked, field, changes[field])
        enabled = changes.get("enabled")
        if enabled is True and not locked.enabled:
            locked.enabled = True
            locked.failing_since = None
            locked.disabled_at = None
            locked.disabled_reason = ""
            locked.disabled_email_due = False
        elif enabled is False and locked.enabled:
            locked.enabled = False
            locked.disabled_at = timezone.now()
            locked.disabled_reason = ""
        locked.save()
    return locked


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> NewSecret:
    """A new secret, shown once; the current one stays valid (deliveries carry both signatures) for
    ``WEBHOOK_SECRET_GRACE_SECONDS``. A secret from an earlier rotation still in its grace period is
    dropped: two secrets at most are ever in force."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + timedelta(
            seconds=settings.WEBHOOK_SECRET_GRACE_SECONDS
        )
        locked.secret = secret_new()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    logger.info("webhook endpoint %s: secret rotated", locked.pk)
    return NewSecret(locked, locked.secret, locked.previous_secret_expires_at)


def endpoint_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event for ``endpoint`` alone, delivered as every event is (signed with its secrets,
    through the guarded client, retried, logged among its deliveries): how its owner checks the URL, the
    signature's verification and the receiver's answer before a real event depends on them. It names no
    invoice. One at a time per endpoint, so that a client looping on this cannot make the service send a
    stream of requests to an address; TestRefused while the last test is pending or the endpoint is
    disabled (it would not be sent: enabling it comes first)."""
    with transaction.atomic():
        # The endpoint's row, locked: two tests asked for at once are one test and a refusal.
        locked = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).only("enabled").first()
        if locked is None or not locked.enabled:
            raise TestRefused("This endpoint is disabled: enable it (PATCH enabled: true) to send it a test.")
        pending = WebhookDelivery.objects.filter(
            endpoint=endpoint, event_type=EventType.WEBHOOK_TEST, status=DeliveryStatus.PENDING
        )
        if pending.exists():
            raise TestRefused(
                "A test event to this endpoint is still on its way: its result will be in its deliveries."
            )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=EventType.WEBHOOK_TEST,
            event_key=f"{EventType.WEBHOOK_TEST}:{uuid.uuid4()}",
            payload={
                "type": str(EventType.WEBHOOK_TEST),
                "timestamp": now_iso(),
                "data": {"endpoint_id": str(endpoint.pk), "message": TEST_MESSAGE},
            },
        )
        outbox_add(DeliverWebhook(delivery_id=delivery.pk))
    logger.info("webhook endpoint %s: test event queued", endpoint.pk)
    return delivery


TEST_MESSAGE = "A test event, sent because you asked for one. It concerns no invoice."


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its deliveries log; a delivery's job still queued finds nothing and ends."""
    endpoint.delete()
    logger.info("webhook endpoint %s deleted", endpoint.pk)


def delivery_list(*, endpoint: WebhookEndpoint, status: str | None = None) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its last ``RECENT_ATTEMPTS`` attempts."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    if status:
        deliveries = deliveries.filter(status=DeliveryStatus(status))
    recent = WebhookAttempt.objects.order_by("-started_at", "-pk")[:RECENT_ATTEMPTS]
    return deliveries.order_by("-created_at", "-pk").prefetch_related(
        Prefetch("attempt_log", queryset=recent, to_attr="recent_attempts")
    )
