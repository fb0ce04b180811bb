"""Scenario 7: the broker accepts connections but answers nothing (a stall, not a crash).

The upload's fast-path publish runs after commit on the request thread. Through a paused FaultProxy the
broker keeps the TCP connection open and withholds the publisher confirm (or, on a new connection, the
handshake). The upload must still answer while the stall goes on: 202, the job left in the outbox for the
relay, and it completes once the broker answers again. Both cases: the request thread's publisher already
connected (waiting for a confirm), and a thread connecting for the first time (waiting for the handshake).
"""

from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.conftest import post_invoice, start_relay
from workers.models import OutboxMessage

STALLED_UPLOADS = 1  # per case, sent while the broker is paused (each takes the publish timeout)
# How long an upload may take to answer during the stall before the test calls it stuck: far above the
# publisher's bound (PUBLISH_TIMEOUT_SECONDS, 5 s), far below what an unbounded wait lasts (pika notices
# a silent broker only after two missed heartbeats, 60 s and more).
STUCK_AFTER_SECONDS = 30.0


def _answered(future) -> str:
    wait_for(future.done, "the upload to answer while the broker is stalled", STUCK_AFTER_SECONDS)
    response = future.result()
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def test_an_upload_answers_while_the_broker_withholds_its_confirm_then_completes(
    broker_proxy, pipeline, owner_client
):
    pipeline.start_all()
    start_relay(pipeline)
    connected = ThreadPoolExecutor(max_workers=1)  # one request thread: its publisher stays connected
    fresh = ThreadPoolExecutor(max_workers=STALLED_UPLOADS)
    try:
        warm = _answered(connected.submit(post_invoice, owner_client))
        pipeline.wait_status(warm, "ready")

        broker_proxy.pause()
        stalled = [_answered(connected.submit(post_invoice, owner_client)) for _ in range(STALLED_UPLOADS)]
        stalled += [_answered(fresh.submit(post_invoice, owner_client)) for _ in range(STALLED_UPLOADS)]
        assert broker_proxy.state == "paused"
        unsent = OutboxMessage.objects.filter(queue="render", sent_at__isnull=True)
        assert {row.payload["invoice_id"] for row in unsent} == set(stalled)
        broker_proxy.accept()
    finally:
        for pool in (connected, fresh):
            pool.submit(connections.close_all).result()  # the thread's own database connection
            pool.shutdown()

    result = ledger.check(pipeline, [warm, *stalled])
    assert result.ready == 1 + 2 * STALLED_UPLOADS
