"""Embedded mode's job thread: a job a web request commits runs after that request, not inside it.

Without a broker, the consumer of a committed job runs in this process (``workers.outbox``). Run inside the
request, a 500-page PDF kept the upload's ``202`` waiting for the whole render. So a dispatch made while a
request is being handled (``EmbeddedJobsMiddleware`` marks it) is handed to one background thread, and the
request answers at once.

One thread, first in first out: SQLite takes one writer at a time anyway, and the jobs keep the order in
which they were committed. A daemon thread, so stopping ``make run`` never waits for a queue of renders: a job
it did not finish keeps its outbox row unsent (the row is marked sent only after the job ran), and
``manage.py run_pending_jobs`` runs it at the next ``make run``.

Anything else that dispatches a job runs it where it is, synchronously, as before: a management command
(``run_pending_jobs``), a job queueing the next one (a render queues its email: that runs right after it, in
this thread), a test calling a service.

The apps' sweeps (an email or a webhook delivery whose next attempt is due) run in broker mode beside every
worker's relay. Without a broker nothing would run them until the next ``make run``, so with
``EMBEDDED_SWEEP_SECONDS`` set (``make run`` sets it) the job thread runs them whenever it has been idle that
long, and the middleware starts the thread with the server.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable

from django import db
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

_request = threading.local()
_jobs: "queue.SimpleQueue[Callable[[], None]]" = queue.SimpleQueue()
_state = threading.Condition()
_unfinished = 0  # submitted and not done yet, under _state
_worker: threading.Thread | None = None


class EmbeddedJobsMiddleware:
    """Marks the thread as handling a request, so that jobs committed meanwhile run after it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        if _sweeping():
            # Retries fall due while nobody uploads: the thread must be there before the first job.
            with _state:
                _ensure_worker()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        _request.active = True
        try:
            return self.get_response(request)
        finally:
            _request.active = False


def in_web_request() -> bool:
    return bool(getattr(_request, "active", False))


def run_after_request(job: Callable[[], None]) -> None:
    """Queue ``job`` for the job thread (started on first use)."""
    global _unfinished
    with _state:
        _unfinished += 1
        _ensure_worker()
    _jobs.put(job)


def wait_for_embedded_jobs(timeout: float) -> bool:
    """Wait until every queued job has run, for at most ``timeout`` seconds; whether they all have.

    For tests, and for anything that must see a request's jobs done before it goes on.
    """
    deadline = time.monotonic() + timeout
    with _state:
        while _unfinished:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _state.wait(left)
    return True


def _ensure_worker() -> None:
    global _worker
    if _worker is None or not _worker.is_alive():
        _worker = threading.Thread(target=_work, name="embedded-jobs", daemon=True)
        _worker.start()


def _sweeping() -> bool:
    return not settings.AMQP_URL and settings.EMBEDDED_SWEEP_SECONDS > 0


def _work() -> None:
    global _unfinished
    while True:
        try:
            job = _jobs.get(timeout=settings.EMBEDDED_SWEEP_SECONDS if _sweeping() else None)
        except queue.Empty:
            _run(_sweep)
            continue
        try:
            _run(job)
        finally:
            with _state:
                _unfinished -= 1
                _state.notify_all()


def _sweep() -> None:
    # Imported here: workers.outbox imports this module. The jobs a sweep queues are dispatched after its
    # commit, outside a request, so they run right here, in this thread.
    from workers.outbox import run_sweeps

    queued = run_sweeps()
    if queued:
        logger.info("embedded sweep queued and ran %d due job(s)", queued)


def _run(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:
        # The job's own code logs and records its failures; this is what escaped it (a bug).
        logger.exception("embedded job %r failed", job)
    finally:
        # This thread lives as long as the process: its connection would otherwise stay open between jobs
        # (and keep a test database busy after its test).
        db.connection.close()
