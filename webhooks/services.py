"""Events in, deliveries out: what the apps call to announce an event to an owner's endpoints."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import connection, transaction

from invoicesite import sqlnames
from webhooks.jobs import DeliverWebhook
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from workers.outbox import outbox_add

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """One event to announce: its type, what it is about, and how to make its JSON."""

    type: EventType
    # What the event is about ("<invoice id>", "<invoice id>:pdf"): an event emitted twice for the same
    # thing (a requeued invoice failing again) is recorded once per endpoint.
    key: str
    # Makes the event's own JSON, called only when some endpoint wants the event (most accounts have none:
    # nothing is spent on them). It must hold only the owner's data: the owner's endpoints receive it.
    data: Callable[[], dict[str, Any]]


def _enabled_endpoints(owner_id: int) -> list[WebhookEndpoint]:
    """The owner's enabled endpoints, their id and event types only (as ``only()`` would give them), by one
    fixed statement prepared once per connection: every upload's and every file's transaction reads them,
    and for most owners finds none, where compiling the ORM's query cost more than running it."""
    fields = _endpoint_fields()
    with connection.cursor() as cursor:
        sqlnames.execute(cursor, _enabled_endpoints_sql(), [owner_id])
        rows = cursor.fetchall()
    return [sqlnames.instance(WebhookEndpoint, fields, row) for row in rows]


@cache
def _endpoint_fields() -> list[Any]:
    return [WebhookEndpoint._meta.get_field(name) for name in ("id", "event_types")]


@cache
def _enabled_endpoints_sql() -> str:
    table = sqlnames.table(WebhookEndpoint)
    owner, enabled, id_ = (sqlnames.column(WebhookEndpoint, name) for name in ("owner", "enabled", "id"))
    # Names from the model's metadata, the owner as a parameter; (owner, enabled) is indexed.
    return (
        f"SELECT {sqlnames.columns(WebhookEndpoint, _endpoint_fields())} FROM {table} "  # noqa: S608  # nosec B608
        f"WHERE {table}.{owner} = %s AND {table}.{enabled} ORDER BY {table}.{id_}"
    )


def events_emit(*, owner_id: int, events: Sequence[Event]) -> int:
    """Within the caller's transaction: one delivery per enabled endpoint of ``owner_id`` that wants each
    event, each with its job in the outbox; return how many. One statement when the owner has no endpoint.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_emit() must be called inside transaction.atomic(), with what it announces")
    if not events:
        return 0
    endpoints = _enabled_endpoints(owner_id)
    wanted = [
        (event, endpoint) for event in events for endpoint in endpoints if event.type in endpoint.event_types
    ]
    if not wanted:
        return 0
    # The callers emit on a compare-and-set transition under a lock (the invoice's, the batch's); a second
    # emit of the same event finds its deliveries and adds none, by the key the unique constraint holds.
    recorded = set(
        WebhookDelivery.objects.filter(
            endpoint__in=endpoints, event_key__in=[_event_key(event) for event in events]
        ).values_list("endpoint_id", "event_key")
    )
    payloads: dict[str, dict[str, Any]] = {}
    deliveries = []
    for event, endpoint in wanted:
        event_key = _event_key(event)
        if (endpoint.id, event_key) in recorded:
            continue
        if event_key not in payloads:
            payloads[event_key] = {"type": str(event.type), "timestamp": now_iso(), "data": event.data()}
        deliveries.append(
            WebhookDelivery(
                endpoint=endpoint, event_type=event.type, event_key=event_key, payload=payloads[event_key]
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        outbox_add(DeliverWebhook(delivery_id=delivery.id))
    if deliveries:
        logger.info(
            "owner %s: %d webhook delivery(ies) queued (%s)", owner_id, len(deliveries), ", ".join(payloads)
        )
    return len(deliveries)


def _event_key(event: Event) -> str:
    return f"{event.type}:{event.key}"


def now_iso() -> str:
    """Now as an event's timestamp: ISO 8601 in UTC, ending in "Z"."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
