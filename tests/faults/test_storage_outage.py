"""Scenario 3: the MongoDB-compatible server goes away while invoices are being rendered, then comes back.

The workers reach the server through a FaultProxy; an outage cuts every live connection and resets new
ones. A short outage is absorbed by the retries. An outage longer than the whole poison-message budget
(WORKER_DELIVERY_LIMIT deliveries with their backoff) must not fail invoices either: the storage came back,
so the jobs must complete.
"""

import time

from invoices.models import Invoice, InvoiceStatus
from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.conftest import upload

BATCH = 60  # CSV uploads in flight when the storage goes away (a CSV job takes a few ms: keep a backlog)
SHORT_OUTAGE_SECONDS = 3.0  # well inside the retry window
# Longer than the delivery budget: 5 deliveries, each failing after the driver's server selection timeout
# (shortened to 1 s below), with 0.5 + 1 + 2 + 4 s of backoff in between: about 12.5 s.
LONG_OUTAGE_SECONDS = 20.0
FAST_FAILING_MONGODB = "serverSelectionTimeoutMS=1000&connectTimeoutMS=1000"


def _under_way() -> bool:
    # Not "an invoice in RENDERING": a CSV stays in that state for a few ms, which a poll every 100 ms can
    # miss for the whole backlog. The first one ready says the worker is working through the backlog.
    return Invoice.objects.filter(status=InvoiceStatus.READY).exists()


def _in_progress() -> bool:
    return Invoice.objects.filter(status__in=[InvoiceStatus.QUEUED, InvoiceStatus.RENDERING]).exists()


def _shorten_timeouts(pipeline) -> None:
    pipeline.env["MONGODB_URL"] += f"&{FAST_FAILING_MONGODB}"


def test_a_short_storage_outage_while_rendering_is_retried_and_every_job_completes(
    mongo_proxy, pipeline, owner_client
):
    _shorten_timeouts(pipeline)
    pipeline.start("notify")
    accepted = [upload(owner_client, "csv") for _ in range(BATCH)]
    pipeline.start("render")  # after the uploads: a backlog is being rendered when the outage hits
    wait_for(_under_way, "rendering under way")

    with mongo_proxy.outage():
        still_in_progress = _in_progress()
        time.sleep(SHORT_OUTAGE_SECONDS)  # the outage itself: how long the server stays away

    result = ledger.check(pipeline, accepted, orphans_expected=True)
    assert result.ready == BATCH
    assert still_in_progress, "the batch was rendered before the outage: make BATCH larger"
    assert mongo_proxy.refused + mongo_proxy.cuts > 0, "the outage touched no connection"


def test_a_storage_outage_longer_than_the_delivery_budget_still_ends_ready(
    mongo_proxy, pipeline, owner_client
):
    _shorten_timeouts(pipeline)
    pipeline.start_all()
    first = upload(owner_client, "csv")
    pipeline.wait_status(first, "ready")

    with mongo_proxy.outage():
        # One job: several in flight would take turns on the job thread and stretch the budget.
        during = upload(owner_client, "csv")
        wait_for(lambda: "a backing service is unavailable" in pipeline.logs(), "the outage to be met")
        time.sleep(LONG_OUTAGE_SECONDS)  # the outage itself

    result = ledger.check(pipeline, [first, during], orphans_expected=True)
    assert result.ready == 2, [(i.id, i.status, i.failure_reason) for i in Invoice.objects.all()]
