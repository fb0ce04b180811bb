"""The transactional outbox (docs/reliability.md rule 1): a job is written with the rows it is about.

Broker mode (AMQP_URL set): after commit the request publishes its own rows at once (the fast path); the
relay, running beside every worker, publishes whatever the fast path missed (a crash, a broker outage).
Embedded mode (AMQP_URL empty): after commit the consumer runs in-process: after the request when a web
request committed it (``workers.embedded``), at once otherwise.
``dispatch_after_commit`` does the same for a job whose own domain row records it (a notification), without
an outbox row.

The relay loop also runs the apps' sweeps (``workers.registry.sweep``): periodic passes that queue jobs
whose own domain rows say they are due.
"""

import atexit
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from time import sleep
from typing import Any

from django import db
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from invoicesite import sqlnames
from workers import embedded
from workers.broker import Backoff
from workers.errors import MAX_ERROR_LENGTH, OUTAGE_ERRORS, PermanentError
from workers.jobs import Job
from workers.metrics import PUBLISH_FAILURES
from workers.models import OutboxMessage
from workers.publisher import Publisher, PublishError, publisher_for_thread
from workers.registry import Consumer, get_consumer, queue_names, sweeps

logger = logging.getLogger(__name__)

# Embedded mode retries a failing consumer this many times, immediately, before giving up.
EMBEDDED_RETRIES = 3
# An outage error (OUTAGE_ERRORS: SQLite's "database is locked" under parallel uploads, a dropped database
# connection) says nothing about the job, so embedded mode waits it out instead of counting it as a failure:
# first after this many seconds, then twice as long each time, for up to EMBEDDED_OUTAGE_SECONDS in all.
EMBEDDED_OUTAGE_FIRST_DELAY = 0.05
EMBEDDED_OUTAGE_SECONDS = 10.0
# The relay leaves rows this young to the fast path, so the two rarely publish the same row (harmless if
# they do: consumers are idempotent).
RELAY_MIN_AGE_SECONDS = 2.0
RELAY_INTERVAL_SECONDS = 1.0
# Longest wait between two passes that found nothing to do (see relay_and_sweep_forever).
RELAY_IDLE_MAX_SECONDS = 5.0
RELAY_BATCH = 100
# The marks thread (the fast path's "sent" marks, every OUTBOX_SENT_MARKS_MS) ends once no mark has come
# for this long, closing its connection.
SENT_MARKS_IDLE_SECONDS = 5.0


def outbox_add(job: Job) -> OutboxMessage:
    """Record ``job``; it is dispatched only if and after the caller's transaction commits.

    Call it inside the caller's ``transaction.atomic()`` block, next to the rows the job is about: that is
    what makes "row committed" and "job recorded" one fact.
    """
    payload = job.to_payload()
    encoded = _checked(job.queue, payload)
    message = OutboxMessage(queue=job.queue, payload=payload)
    sqlnames.insert([message])  # every upload and every file: the INSERT without the ORM's compiling
    transaction.on_commit(partial(_dispatch, message.pk, job.queue, encoded, str(message.message_id)))
    return message


def outbox_add_many(jobs: Sequence[Job]) -> list[OutboxMessage]:
    """``outbox_add`` for many jobs in one INSERT (a batch upload's render jobs); the same rules otherwise.

    With a broker the request publishes none of them: the relay does, RELAY_BATCH rows a pass once they are
    RELAY_MIN_AGE_SECONDS old. The fast path publishes one row per confirm, and a thousand confirms plus a
    thousand "sent" updates held a batch's answer for about six seconds (docs/performance.md); the relay
    publishes a hundred rows a second, faster than the render workers take them. Embedded mode runs each job
    after the commit, as ``outbox_add`` does.
    """
    encoded = [_checked(job.queue, job.to_payload()) for job in jobs]
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(queue=job.queue, payload=job.to_payload()) for job in jobs
    )
    if not settings.AMQP_URL:
        for message, body in zip(messages, encoded, strict=True):
            transaction.on_commit(
                partial(_dispatch, message.pk, message.queue, body, str(message.message_id))
            )
    return messages


def dispatch_after_commit(job: Job) -> None:
    """Dispatch a job after the caller's transaction commits, for a job a row of its own already records.

    The outbox row exists so that a job whose dispatch is lost (a crash after the commit, a broker outage)
    is found and sent again. Where the domain row itself says that the job is still to do, and a sweeper
    queues it again when it is overdue, that row is the outbox and a second one would only cost two
    statements per job: a notification is such a row (``next_attempt_at``, swept by
    ``invoices.notifications.notifications_requeue_due``). Same rules as ``outbox_add`` otherwise.
    """
    encoded = _checked(job.queue, job.to_payload())
    transaction.on_commit(partial(_dispatch, None, job.queue, encoded, str(uuid.uuid4())))


def _checked(queue: str, payload: dict[str, Any]) -> str:
    """The payload as JSON, after checking the call: inside a transaction, a known queue, a dict."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "outbox_add() and dispatch_after_commit() must be called inside transaction.atomic(), "
            "with the rows the job is about"
        )
    if queue not in queue_names():
        raise ValueError(f"unknown queue {queue!r}; known: {', '.join(queue_names())}")
    if not isinstance(payload, dict):
        raise TypeError(f"an outbox payload is a dict of plain values, not {type(payload).__name__}")
    # Fail now, inside the caller's transaction, rather than in a worker later.
    return json.dumps(payload)


def relay_pending(
    publisher: Publisher, *, limit: int = RELAY_BATCH, min_age_seconds: float = RELAY_MIN_AGE_SECONDS
) -> int:
    """One relay pass: publish up to ``limit`` unsent rows, oldest first; return how many were sent.

    Rows another relay (or a fast path) holds are skipped (SKIP LOCKED), so relays can run side by side.
    The first failure ends the pass: the broker is most likely away, and the rows keep their order.
    """
    return _relay_pass(publisher, limit=limit, min_age_seconds=min_age_seconds).sent


def run_pending_in_process() -> int:
    """Embedded mode's relay: run, in this process, the jobs whose after-commit dispatch never happened.

    Without a broker a job runs in the web process right after its commit; if that process died in
    between, the row stays unsent and nothing else would ever run it. `make run` calls this at start-up.
    """
    if settings.AMQP_URL:
        raise RuntimeError("with AMQP_URL set, the relay publishes pending jobs: run_worker relay")
    pending = list(OutboxMessage.objects.filter(sent_at__isnull=True).order_by("created_at"))
    for row in pending:
        _run_in_process(row.pk, row.queue, json.dumps(row.payload))
    return len(pending)


def run_sweeps() -> int:
    """Run every registered sweep once; return how many jobs they queued. Never raises: a sweep that fails
    (an outage, a bug) counts as 0, and the relay loop goes on."""
    queued = 0
    for name, run_sweep in sweeps().items():
        try:
            queued += run_sweep()
        except Exception:
            logger.exception("sweep %s failed", name)
    return queued


def relay_and_sweep_forever(
    stop: threading.Event, *, interval: float = RELAY_INTERVAL_SECONDS, beat: Callable[[], None] | None = None
) -> None:
    """Run relay passes and the apps' sweeps until ``stop`` is set, backing off while the broker or the
    database is away.

    A pass that finds nothing to do makes the next wait longer, up to RELAY_IDLE_MAX_SECONDS: the fast path
    publishes nearly everything, so an idle relay in every worker process would otherwise cost PostgreSQL
    six statements a second each. A pass that publishes or queues something brings the wait back to
    ``interval``. ``beat`` is called every pass: the relay-only worker's liveness heartbeat.
    """
    publisher = Publisher()
    backoff = Backoff(minimum=interval, maximum=30.0)
    idle = Backoff(minimum=interval, maximum=max(interval, RELAY_IDLE_MAX_SECONDS))
    try:
        while not stop.is_set():
            db.close_old_connections()  # a connection a PostgreSQL restart broke is dropped, not reused
            queued = run_sweeps()  # jobs the apps' own rows say are due, into the outbox
            healthy, sent = _relay_once(publisher)
            busy = bool(queued or sent)
            if healthy:
                backoff.reset()
            if busy:
                idle.reset()
            if beat is not None:
                beat()
            if not healthy:
                delay = backoff.next_delay()
            elif busy:
                delay = interval
            else:
                delay = idle.next_delay()
            stop.wait(delay)
            publisher.keep_alive()
    finally:
        publisher.close()
        # This thread's own database connection: nothing else will ever close it.
        db.connection.close()


# --- dispatch after commit --------------------------------------------------------------------------


def _dispatch(pk: int | None, queue: str, encoded: str, message_id: str) -> None:
    # Runs after the commit, inside the web request or the job: the job is already durable, so whatever
    # happens here must not turn an accepted upload into an error. ``pk`` is None for a job without an
    # outbox row (dispatch_after_commit): nothing to mark.
    try:
        if settings.AMQP_URL:
            _publish_now(pk, queue, encoded, message_id)
        elif embedded.in_web_request():
            # The upload answers 202 now; the render runs in the job thread (workers/embedded.py).
            embedded.run_after_request(partial(_run_in_process, pk, queue, encoded))
        else:
            _run_in_process(pk, queue, encoded)
    except Exception:
        logger.exception("dispatching outbox message %s (%s) failed after commit", pk or message_id, queue)


def _publish_now(pk: int | None, queue: str, encoded: str, message_id: str) -> None:
    """The fast path: publish what was just committed, then mark it sent, with no lock and no re-read.

    The relay only takes rows older than RELAY_MIN_AGE_SECONDS, so it rarely sees a row this path is
    publishing; if it does (a slow broker), the job is published twice and the consumers' compare-and-set
    makes the second delivery a no-op. One UPDATE instead of a locking transaction keeps uploads cheap.
    """
    try:
        publisher_for_thread().publish(queue, json.loads(encoded), message_id)
    except PublishError as exc:
        PUBLISH_FAILURES.labels(queue).inc()
        logger.warning(
            "outbox message %s (%s) not published: %s; %s",
            message_id,
            queue,
            exc,
            "the relay will retry" if pk is not None else "its own row will queue it again when overdue",
        )
        if pk is not None:
            OutboxMessage.objects.filter(pk=pk).update(
                publish_attempts=F("publish_attempts") + 1, last_error=str(exc)[:MAX_ERROR_LENGTH]
            )
        return
    if pk is not None:
        _mark_sent(pk)


def _mark_sent(pk: int) -> None:
    """Mark a row the fast path published as sent, unless the relay got there first: soon, with the
    others this process published meanwhile (``_SentMarks``)."""
    _sent_marks.add(pk)


def flush_sent_marks() -> int:
    """Write the marks still waiting, now, on the caller's connection; how many rows they were for."""
    return _sent_marks.flush()


def stop_sent_marks() -> None:
    """Write the marks still waiting and end the marking thread (its connection with it)."""
    _sent_marks.stop()


class _SentMarks:
    """The fast path's marks, written together by one UPDATE every OUTBOX_SENT_MARKS_MS.

    Marking each row right after its publish cost a transaction of its own per upload: a commit whose fsync
    the request waited for, and more of PostgreSQL's CPU than any other statement of the upload
    (docs/performance.md, round seven). A mark that never gets written (the process killed in between, the
    database away at the flush) leaves its row unsent: the relay publishes it again once it is
    RELAY_MIN_AGE_SECONDS old, and the consumers' compare-and-set makes that second delivery a no-op, as
    for any message published twice (rule 6).
    """

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._changed = threading.Condition()
        self._writing = threading.Lock()  # a flush waits for one in progress: its rows are then written
        self._thread: threading.Thread | None = None
        self._stopping = False

    def add(self, pk: int) -> None:
        with self._changed:
            self._pending.append(pk)
            if self._thread is None or not self._thread.is_alive():
                # Started here, not at import: a process forked after import has none of its parent's threads.
                self._stopping = False
                self._thread = threading.Thread(target=self._loop, name="outbox-sent-marks", daemon=True)
                self._thread.start()

    def flush(self) -> int:
        with self._writing:
            with self._changed:
                pks, self._pending = self._pending, []
            if pks:
                _write_marks(pks)
            return len(pks)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            thread = self._thread
            self._changed.notify_all()
        if thread is not None:
            thread.join(timeout=10)
        self._flush_quietly()

    def _loop(self) -> None:
        idle_since = time.monotonic()
        try:
            while True:
                with self._changed:
                    self._changed.wait(settings.OUTBOX_SENT_MARKS_MS / 1000)
                    if self._stopping:
                        return
                    if not self._pending:
                        if time.monotonic() - idle_since >= SENT_MARKS_IDLE_SECONDS:
                            self._thread = None
                            return
                        continue
                idle_since = time.monotonic()
                self._flush_quietly(on_own_thread=True)
        finally:
            connection.close()

    def _flush_quietly(self, *, on_own_thread: bool = False) -> None:
        with self._changed:
            if not self._pending:
                return
        if on_own_thread:
            # A connection PostgreSQL closed (a restart) is replaced, not reused. Only on the marks thread:
            # the caller of stop() may be inside a transaction, which this would close.
            db.close_old_connections()
        try:
            self.flush()
        except Exception:
            logger.warning(
                "marking published outbox rows sent failed; the relay publishes them again", exc_info=True
            )


_sent_marks = _SentMarks()
atexit.register(_sent_marks.stop)


def _write_marks(pks: list[int]) -> None:
    # The ORM's UPDATE: built once per flush (every OUTBOX_SENT_MARKS_MS, for every row published
    # meanwhile), its compiling no longer costs each upload as the per-row mark's did.
    OutboxMessage.objects.filter(pk__in=pks, sent_at__isnull=True).update(
        sent_at=timezone.now(), publish_attempts=F("publish_attempts") + 1
    )


def _run_in_process(pk: int | None, queue: str, encoded: str) -> None:
    # The JSON round trip proves in every embedded run that the event would survive the broker.
    event = json.loads(encoded)
    _consume_in_process(get_consumer(queue), event)
    # Only now: a process that died during the job leaves the row unsent, for run_pending_in_process.
    if pk is not None:
        _write_marks([pk])


def _consume_in_process(consumer: Consumer, event: dict[str, Any]) -> None:
    """Consume ``event`` here and now: a permanent error gives up at once, an outage is waited out (up to
    EMBEDDED_OUTAGE_SECONDS), any other error is retried EMBEDDED_RETRIES times before giving up."""
    failures = 0
    outage = _OutageWait()
    while True:
        try:
            consumer.consume(event)
            return
        except PermanentError as exc:
            logger.warning("%s event %s failed permanently: %s", consumer.queue, event, exc)
            _give_up_in_process(consumer, event, str(exc))
            return
        except OUTAGE_ERRORS as exc:
            if not outage.wait(consumer.queue, event, exc):
                _give_up_in_process(consumer, event, f"still failing after {outage.waited:.1f} s: {exc!r}")
                return
        except Exception as exc:
            failures += 1
            logger.warning(
                "%s event %s failed (attempt %d): %r", consumer.queue, event, failures, exc, exc_info=True
            )
            if failures > EMBEDDED_RETRIES:
                _give_up_in_process(consumer, event, f"failed {failures} times: {exc!r}")
                return


class _OutageWait:
    """The doubling waits of one job through an outage, EMBEDDED_OUTAGE_SECONDS in all."""

    def __init__(self) -> None:
        self.waited = 0.0
        self.delay = EMBEDDED_OUTAGE_FIRST_DELAY

    def wait(self, queue: str, event: dict[str, Any], exc: Exception) -> bool:
        """Sleep before the next try; False once the budget is spent (then the job gives up)."""
        left = EMBEDDED_OUTAGE_SECONDS - self.waited
        if left <= 0:
            return False
        delay = min(self.delay, left)
        logger.warning("%s event %s waits %.2f s out an outage: %r", queue, event, delay, exc)
        sleep(delay)
        self.waited += delay
        self.delay *= 2
        if not connection.in_atomic_block:
            # A connection the outage broke is dropped, so the next try opens a fresh one. Never inside a
            # transaction (a test's, or a caller's): closing there would break it.
            db.close_old_connections()
        return True


def _give_up_in_process(consumer: Consumer, event: dict[str, Any], reason: str) -> None:
    try:
        consumer.give_up(event, reason)
    except Exception:
        logger.exception("give_up for %s event %s failed", consumer.queue, event)


# --- relay ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pass:
    sent: int
    failed: bool


def _relay_pass(publisher: Publisher, *, limit: int, min_age_seconds: float) -> _Pass:
    cutoff = timezone.now() - timedelta(seconds=min_age_seconds)
    sent = 0
    with transaction.atomic():
        rows = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, created_at__lte=cutoff)
            .order_by("created_at")[:limit]
        )
        for row in rows:
            if not _publish_row(publisher, row):
                return _Pass(sent, failed=True)
            sent += 1
    return _Pass(sent, failed=False)


def _relay_once(publisher: Publisher) -> tuple[bool, int]:
    """One pass, never raising: (healthy, messages published)."""
    # A PostgreSQL restart leaves this long-lived thread holding a dead connection: drop it first.
    db.close_old_connections()
    try:
        result = _relay_pass(publisher, limit=RELAY_BATCH, min_age_seconds=RELAY_MIN_AGE_SECONDS)
    except Exception:
        logger.exception("outbox relay pass failed")
        return False, 0
    if result.sent:
        logger.info("relayed %d outbox message(s)", result.sent)
    return not result.failed, result.sent


def _publish_row(publisher: Publisher, row: OutboxMessage) -> bool:
    """Publish one locked row and record the outcome on it; False if the broker did not confirm it."""
    row.publish_attempts += 1
    try:
        publisher.publish(row.queue, row.payload, row.message_id)
    except PublishError as exc:
        PUBLISH_FAILURES.labels(row.queue).inc()
        logger.warning("outbox message %s (%s) not published: %s", row.message_id, row.queue, exc)
        row.last_error = str(exc)[:MAX_ERROR_LENGTH]
        row.save(update_fields=["publish_attempts", "last_error"])
        return False
    row.sent_at = timezone.now()
    row.save(update_fields=["publish_attempts", "sent_at"])
    return True
