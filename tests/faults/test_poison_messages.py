"""Scenario 6: poison messages of every kind on the render queue, with the real worker process.

tests/e2e/test_pipeline.py already proves a body that is not JSON, an unknown invoice id and stored data
that no longer validates; tests/workers/test_runner.py each kind against a test consumer. Here all kinds
arrive together at one real render worker: a body that is not JSON, JSON that is not an object (two
shapes), an id that is no UUID, an unknown invoice id, an oversized body, and an invoice whose renderer
crashes on every delivery. Each ends in the dead-letter queue (read back, with the reason), the crashing
invoice is ``failed`` with its reason after WORKER_DELIVERY_LIMIT deliveries, and the worker goes on to
render the good invoice uploaded after them.
"""

import json
import uuid

from tests.amqp import dead_letters, publish_raw
from tests.faults import ledger
from tests.faults.conftest import upload
from tests.faults.crashing import CRASH_MARK
from tests.payloads import sample_payload
from workers.runner import MAX_BODY_BYTES

OVERSIZED = json.dumps({"invoice_id": str(uuid.uuid4()), "padding": "x" * MAX_BODY_BYTES}).encode()
POISON = {
    "not json": b"\x00this is not json",
    "not an object (list)": b"[1, 2, 3]",
    "not an object (string)": b'"invoice"',
    "no uuid": b'{"invoice_id": "not-a-uuid"}',
    "unknown invoice": json.dumps({"invoice_id": str(uuid.uuid4())}).encode(),
    "oversized": OVERSIZED,
}


def _upload_crashing(client) -> str:
    payload = sample_payload(fmt="csv")
    payload["invoice"]["number"] = f"{CRASH_MARK}0001"
    payload["invoice"]["payment"]["reference"] = f"{CRASH_MARK}0001"
    response = client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def test_every_kind_of_poison_is_dead_lettered_and_the_worker_serves_the_next_invoice(
    pipeline, owner_client, settings
):
    pipeline.env["WORKER_TEST_CONSUMERS"] = "render=tests.faults.crashing.CrashingRenderConsumer"
    pipeline.start_all()
    for body in POISON.values():
        publish_raw("render", body)
    crashing = _upload_crashing(owner_client)
    good = upload(owner_client, "csv")

    failed = pipeline.wait_status(crashing, "failed")
    pipeline.wait_status(good, "ready")
    dead = dead_letters("render", count=len(POISON) + 1, timeout=60)
    result = ledger.check(pipeline, [crashing, good])

    assert sorted(message.body for message in dead) == sorted(
        [*POISON.values(), json.dumps({"invoice_id": crashing, "format": "csv"}).encode()]
    )
    assert {message.reason for message in dead} == {"rejected"}
    assert f"failed {settings.WORKER_DELIVERY_LIMIT} times" in failed.failure_reason
    assert "the renderer crashed" in failed.failure_reason
    assert (result.ready, result.failed, result.emails) == (1, 1, 2)  # a ready and a failure email
