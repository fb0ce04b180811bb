"""Scenario: the webhook worker SIGKILLed mid-delivery, then a new one started.

A real HTTPS receiver (tests/webhooks/receiver.py) verifies every request with ``standardwebhooks`` and
HOLDS the first one open until the test has killed the worker. The kill provably lands mid-request: the
receiver has the request (its webhook-id is in ``started``) but has not answered, and after the kill the
delivery is still pending, its attempt counted (the worker's claim, committed before sending) and no
attempt logged (the worker never came back to record one). The new worker finds that delivery under the
dead worker's lease and leaves it; once the lease runs out, the sweep queues it again and it is delivered
under the SAME webhook-id. Then the ledger: every invoice and email as always, every delivery succeeded,
each event's one webhook-id received at least once, no id received that no delivery sent.
"""

import signal
import threading
from collections import Counter

from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.conftest import upload
from tests.webhooks.receiver import Answer
from webhooks.models import SUBSCRIBABLE_EVENTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.signing import secret_new

INVOICES = 6  # each: invoice.rendition.ready and invoice.ready, 12 deliveries in all
TIMEOUT = 120.0


def test_webhook_worker_killed_mid_delivery_loses_no_event(
    pipeline, make_user, client_for, make_receiver, receiver_ca
):
    owner = make_user("owner@example.com")
    receiver = make_receiver()
    hold = threading.Event()
    receiver.answer_next(Answer(hold=hold))
    secret = secret_new()
    receiver.secrets["current"] = secret
    WebhookEndpoint.objects.create(
        owner=owner, url=receiver.url, event_types=list(SUBSCRIBABLE_EVENTS), secret=secret
    )
    pipeline.env.update(
        {
            "WEBHOOK_CA_BUNDLE": str(receiver_ca[1]),
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "2",
            # Long enough that the held request is still waiting for its answer when the kill comes.
            "WEBHOOK_READ_TIMEOUT_SECONDS": "10",
            "WEBHOOK_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_RETRY_MAX_SECONDS": "2",
        }
    )
    pipeline.start_all()
    webhook_worker = pipeline.start("webhook")
    client = client_for(owner)
    accepted = [upload(client, "csv") for _ in range(INVOICES)]

    held_id = wait_for(lambda: receiver.started[:1], "the first webhook request to arrive", TIMEOUT)[0]
    held = WebhookDelivery.objects.get(id=held_id.removeprefix("msg_"))
    webhook_worker.stop(signal.SIGKILL)
    held.refresh_from_db()
    # Mid-request: claimed (attempt counted, lease set), never answered, never recorded.
    assert not hold.is_set()
    assert held_id not in receiver.ids()
    assert held.status == DeliveryStatus.PENDING
    assert held.attempts == 1
    assert held.next_attempt_at is not None
    assert not held.attempt_log.exists()
    hold.set()  # the dead worker's connection is gone; the receiver's thread can finish

    pipeline.start("webhook")
    result = ledger.check(pipeline, accepted)
    received = ledger.check_webhook_receipts(r.webhook_id for r in receiver.received if r.verified)

    assert result.ready == INVOICES
    assert (result.webhooks_succeeded, result.webhooks_failed) == (2 * INVOICES, 0)
    assert len(received) == 2 * INVOICES  # every event arrived, each under one webhook-id
    assert all(r.verified_with == ["current"] for r in receiver.received)
    held.refresh_from_db()
    assert held.status == DeliveryStatus.SUCCEEDED
    assert held.attempts >= 2
    assert Counter(receiver.started)[held_id] >= 2  # sent again, under the same id
    events = Counter((r.payload["type"], r.payload["data"]["id"]) for r in receiver.received)
    assert set(events) == {(t, i) for i in accepted for t in ("invoice.rendition.ready", "invoice.ready")}
    print(f"\nledger: {result}; the held delivery {held_id} sent {Counter(receiver.started)[held_id]} times")
