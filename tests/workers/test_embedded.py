"""Embedded mode (no AMQP_URL) as `make run` uses it: a request's jobs run after it, in one job thread, and
an outage (SQLite's "database is locked") is waited out instead of giving the job up.

Issue "what a probe broke": item 10 (a long render held the upload's request open) and item 3 (a locked
database was retried 4 times in 60 ms, then the email was recorded as given up).
"""

import threading
from functools import partial

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from tests.workers import fake_consumers
from tests.workers.fake_consumers import GatedConsumer, RecordedRender
from workers import embedded, outbox
from workers.embedded import EmbeddedJobsMiddleware, wait_for_embedded_jobs
from workers.models import OutboxMessage
from workers.outbox import outbox_add


@pytest.fixture
def embedded_mode(settings):
    settings.AMQP_URL = ""


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The outage waits, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(outbox, "sleep", waits.append)  # this module's only: other threads sleep as ever
    return waits


def _add(**event) -> OutboxMessage:
    with transaction.atomic():
        return outbox_add(RecordedRender(event or {"invoice_id": "inv-1"}))


# --- item 3: an outage is waited out ----------------------------------------------------------------


def test_a_locked_database_is_waited_out_with_doubling_delays(
    embedded_mode, transactional_db, monkeypatch, sleeps
):
    fake_consumers.use(monkeypatch, "render", "LockedDatabaseConsumer")

    _add(invoice_id="inv-1", locked=2)

    assert fake_consumers.count("consume:render") == 3
    assert fake_consumers.count("give_up:render") == 0
    assert sleeps == [0.05, 0.1]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_an_outage_does_not_use_up_the_retries_of_a_failing_job(
    embedded_mode, transactional_db, monkeypatch, sleeps
):
    # More outage errors than EMBEDDED_RETRIES + 1 tries: before, the job was given up after the fourth.
    fake_consumers.use(monkeypatch, "render", "LockedDatabaseConsumer")

    _add(invoice_id="inv-1", locked=outbox.EMBEDDED_RETRIES + 3)

    assert fake_consumers.count("give_up:render") == 0
    assert fake_consumers.count("consume:render") == outbox.EMBEDDED_RETRIES + 4
    assert sleeps == [0.05 * 2**n for n in range(outbox.EMBEDDED_RETRIES + 3)]


def test_an_outage_longer_than_the_budget_gives_the_job_up(
    embedded_mode, transactional_db, monkeypatch, sleeps
):
    fake_consumers.use(monkeypatch, "render", "LockedDatabaseConsumer")

    _add(invoice_id="inv-1", locked=1000)

    assert fake_consumers.count("give_up:render") == 1
    assert "database is locked" in fake_consumers.reasons[0]
    assert sum(sleeps) == pytest.approx(outbox.EMBEDDED_OUTAGE_SECONDS)
    assert max(sleeps) <= outbox.EMBEDDED_OUTAGE_SECONDS / 2


# --- item 10: the request answers before the job runs -----------------------------------------------


def test_a_job_committed_in_a_request_runs_after_it_in_the_job_thread(
    embedded_mode, transactional_db, monkeypatch
):
    fake_consumers.use(monkeypatch, "render", "GatedConsumer")
    GatedConsumer.gate.clear()
    rows: list[OutboxMessage] = []

    def view(request: HttpRequest) -> HttpResponse:
        rows.append(_add(invoice_id="inv-1"))
        return HttpResponse(status=202)

    response = EmbeddedJobsMiddleware(view)(HttpRequest())

    # The request is answered while the job has not finished: its row is still unsent, so a process that
    # died now would leave it to run_pending_jobs.
    assert response.status_code == 202
    assert not embedded.in_web_request()
    assert OutboxMessage.objects.get(pk=rows[0].pk).sent_at is None
    GatedConsumer.gate.set()
    assert wait_for_embedded_jobs(10)
    assert fake_consumers.calls == [("consume:render", {"invoice_id": "inv-1"})]
    assert OutboxMessage.objects.get(pk=rows[0].pk).sent_at is not None


def test_jobs_outside_a_request_still_run_at_once(embedded_mode, transactional_db, monkeypatch):
    # run_pending_jobs, a job queueing the next one, a service called from a command or a test.
    fake_consumers.use(monkeypatch, "render", "ChainingRenderConsumer")
    fake_consumers.use(monkeypatch, "notify", "RecordingNotifyConsumer")

    _add(invoice_id="inv-1")

    assert [name for name, _ in fake_consumers.calls] == ["consume:render", "consume:notify"]


def test_a_job_that_raises_does_not_stop_the_job_thread(embedded_mode, transactional_db):
    done: list[str] = []

    def broken() -> None:
        raise RuntimeError("a bug")

    embedded.run_after_request(broken)
    embedded.run_after_request(lambda: done.append("next"))

    assert wait_for_embedded_jobs(10)
    assert done == ["next"]


def _record_sweep(swept: threading.Event) -> int:
    swept.set()
    return 0


def test_with_embedded_sweeps_on_the_job_thread_runs_the_sweeps_when_idle(
    embedded_mode, transactional_db, settings, monkeypatch
):
    # make run's EMBEDDED_SWEEP_SECONDS: a retry that falls due while nobody uploads still runs.
    settings.EMBEDDED_SWEEP_SECONDS = 0.05
    swept = threading.Event()
    monkeypatch.setattr(outbox, "run_sweeps", partial(_record_sweep, swept))
    EmbeddedJobsMiddleware(lambda request: HttpResponse())  # the server starts: so does the job thread
    # A thread an earlier test started waits for its next job without a timeout: one job brings it round.
    embedded.run_after_request(lambda: None)

    assert swept.wait(10), "the idle job thread never ran the sweeps"


def test_without_embedded_sweeps_the_idle_job_thread_runs_none(
    embedded_mode, transactional_db, settings, monkeypatch
):
    # The control, and the default (tests, a server with a broker): the thread waits for jobs only.
    settings.EMBEDDED_SWEEP_SECONDS = 0
    EmbeddedJobsMiddleware(lambda request: HttpResponse())
    embedded.run_after_request(lambda: None)
    assert wait_for_embedded_jobs(10)  # from here the thread waits for a job, with sweeps off
    swept = threading.Event()
    monkeypatch.setattr(outbox, "run_sweeps", partial(_record_sweep, swept))

    assert not swept.wait(0.3)
