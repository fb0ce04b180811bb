"""Scenario 1: render workers SIGKILLed mid-job, again and again, during a batch of uploads.

Each kill happens while a job is provably in progress: the worker has claimed an invoice (its status
``rendering``, committed by the worker itself at the start of the job) and, once the worker is dead, that
invoice is still ``rendering``: the job was cut off before it could finish. A new worker is started after
each kill. Then the ledger: every invoice ready exactly once, one file each, one email each.
"""

import signal
from functools import partial

from invoices.models import Invoice, InvoiceStatus
from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.conftest import upload

BATCH = 200
# PDF: a job lasts tens of ms, so a kill aimed at a claimed job lands inside it far more often than with
# CSV, whose jobs finish in a few ms (on a loaded machine most CSV kills landed between jobs).
FORMAT = "pdf"
KILLS = 6  # SIGKILLs that must land mid-job (at least 5 asked for)
MAX_KILLS = KILLS * 5  # kills tried at most; one that lands between jobs does not count
PROGRESS_BETWEEN_KILLS = 5  # invoices finished between two kills: the batch outlasts every try


NONE_LEFT = "no invoice left to claim"


def _next_claim() -> Invoice | str | None:
    """An invoice the worker is rendering for the first time (so no message is killed into its delivery
    limit by this test), or NONE_LEFT once every invoice has been claimed."""
    claimed = Invoice.objects.filter(
        status=InvoiceStatus.RENDERING, renditions__status=InvoiceStatus.RENDERING, renditions__attempts=1
    ).first()
    if claimed is None and not Invoice.objects.filter(status=InvoiceStatus.QUEUED).exists():
        return NONE_LEFT
    return claimed


def _finished() -> int:
    return Invoice.objects.filter(status=InvoiceStatus.READY).count()


def _finished_at_least(count: int) -> bool:
    return _finished() >= count


def test_render_workers_killed_mid_job_lose_and_double_nothing(pipeline, owner_client):
    pipeline.start("notify")
    accepted = [upload(owner_client, FORMAT) for _ in range(BATCH)]
    renderer = pipeline.start("render")

    mid_job_kills = tries = 0
    while mid_job_kills < KILLS and tries < MAX_KILLS and _finished() < BATCH:
        claimed = wait_for(_next_claim, "the render worker to claim a job")
        if claimed == NONE_LEFT:
            break
        assert isinstance(claimed, Invoice)
        renderer.stop(signal.SIGKILL)
        tries += 1
        claimed.refresh_from_db()
        mid_job_kills += claimed.status == InvoiceStatus.RENDERING
        target = min(BATCH, _finished() + PROGRESS_BETWEEN_KILLS)
        renderer = pipeline.start("render")
        wait_for(partial(_finished_at_least, target), f"{target} invoices ready")

    result = ledger.check(pipeline, accepted, orphans_expected=True)

    assert mid_job_kills >= KILLS, f"only {mid_job_kills} of {tries} kills landed mid-job"
    assert result.ready == BATCH
    assert result.emails == BATCH
    print(f"\nledger: {result}; {mid_job_kills} mid-job kills of {tries}")
