"""The consumer loop: one consumer, one connection, one job thread (docs/reliability.md rules 3, 4, 5 and 9).

The connection's thread only does I/O: it keeps calling ``process_data_events`` so heartbeats flow while a
job runs, however long it takes. Jobs run on a single job thread, which hands its verdict (ack, requeue,
dead-letter) back to the connection's thread through ``add_callback_threadsafe``, the one thread-safe
method of a pika BlockingConnection.
"""

import enum
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pika.exceptions
from django import db
from django.conf import settings

from workers import topology
from workers.broker import BROKER_ERRORS, DEFAULT_HEARTBEAT, Backoff, close_quietly, connect, node_of
from workers.errors import OUTAGE_ERRORS, PermanentError
from workers.heartbeat import heartbeat
from workers.outbox import relay_and_sweep_forever
from workers.registry import Consumer

logger = logging.getLogger(__name__)

# Events carry ids and plain values (a few hundred bytes): a body this large is not one of ours, and
# parsing it could cost the worker a lot of memory, so it is dead-lettered unread.
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class RunnerOptions:
    """Timings, in seconds; the defaults are production's, tests shrink them."""

    heartbeat: int = DEFAULT_HEARTBEAT
    retry_base: float = 0.5  # wait before requeueing a failed delivery: retry_base * 2**previous_deliveries
    retry_max: float = 10.0
    grace: float = 20.0  # on stop, how long the current job may take to finish
    poll: float = 1.0  # longest wait for I/O before checking the stop flag again
    reconnect_min: float = 1.0
    reconnect_max: float = 30.0


class Verdict(enum.Enum):
    ACK = "ack"
    REQUEUE = "requeue"  # basic.nack requeue=True: delivered again, one more on the delivery count
    REJECT = "reject"  # basic.nack requeue=False: dead-lettered to <ns>.<queue>.dead
    ABANDON = "abandon"  # left unacked: the broker requeues it when the channel closes


@dataclass(frozen=True)
class Delivery:
    tag: int
    body: bytes
    message_id: str | None
    # Quorum queues count earlier deliveries of this message (x-delivery-count, 0 on the first).
    previous_deliveries: int

    @property
    def number(self) -> int:
        return self.previous_deliveries + 1


def run(
    consumer: Consumer,
    *,
    stop: threading.Event,
    with_relay: bool = True,
    options: RunnerOptions | None = None,
) -> None:
    """Consume ``consumer.queue`` until ``stop`` is set, reconnecting (with backoff) when it must."""
    options = options or RunnerOptions()
    relay = _start_relay(stop) if with_relay else None
    jobs = JobThread()
    try:
        _serve(consumer, stop, jobs, options)
    finally:
        jobs.close()
        if relay is not None:
            relay.join(timeout=options.grace)
    logger.info("stopped consuming %s", consumer.queue)


def handle_delivery(
    consumer: Consumer, delivery: Delivery, *, stop: threading.Event, options: RunnerOptions
) -> Verdict:
    """Run one delivery on the job thread and decide what the broker should do with it."""
    event = decode(delivery)
    if event is None:
        return Verdict.REJECT  # poison: dead-lettered at once, without touching the database
    # Drop a connection PostgreSQL closed (a restart) before and after the job, as Django does per request.
    db.close_old_connections()
    if delivery.number > settings.WORKER_DELIVERY_LIMIT:
        # Every allowed delivery ended without a verdict: workers were killed (or stopped) mid-job. RabbitMQ
        # offers one delivery past x-delivery-limit before dead-lettering; spend it recording the failure
        # instead of running a job that keeps killing workers, so the domain always hears of it.
        reason = f"the worker stopped during each of {delivery.previous_deliveries} attempts"
        try:
            return _give_up(consumer, delivery, event, reason)
        finally:
            db.close_old_connections()
    try:
        _consume_through_outages(consumer, delivery, event, stop=stop, options=options)
        return Verdict.ACK
    except PermanentError as exc:
        logger.warning(
            "%s message %s failed permanently: %s; event %s", consumer.queue, delivery.message_id, exc, event
        )
        return _give_up(consumer, delivery, event, str(exc))
    except Exception as exc:
        return _after_failure(consumer, delivery, event, exc, stop=stop, options=options)
    finally:
        db.close_old_connections()


def _consume_through_outages(
    consumer: Consumer,
    delivery: Delivery,
    event: dict[str, Any],
    *,
    stop: threading.Event,
    options: RunnerOptions,
) -> None:
    """Run the job; while PostgreSQL or MongoDB is unreachable, wait and run it again on this delivery.

    An outage says nothing about the message. Requeueing would spend the delivery budget meant for poison
    messages, so an outage longer than that budget (seconds) failed invoices whose storage came back moments
    later. The message stays unacked meanwhile; the connection's thread keeps the heartbeats going. Past
    WORKER_OUTAGE_RETRY_SECONDS (or on stop) the error counts as an ordinary failed delivery.
    """
    deadline = time.monotonic() + settings.WORKER_OUTAGE_RETRY_SECONDS
    backoff = Backoff(options.reconnect_min, options.reconnect_max)
    while True:
        try:
            consumer.consume(event)
            return
        except OUTAGE_ERRORS as exc:
            if stop.is_set() or time.monotonic() >= deadline:
                raise
            delay = backoff.next_delay()
            logger.warning(
                "%s message %s: a backing service is unavailable (%r); retrying it in %.1f s",
                consumer.queue,
                delivery.message_id,
                exc,
                delay,
            )
            db.close_old_connections()  # a connection broken by the outage is dropped, not reused
            stop.wait(delay)


def decode(delivery: Delivery) -> dict[str, Any] | None:
    if len(delivery.body) > MAX_BODY_BYTES:
        logger.error(
            "message %s is %d bytes, over %d; dead-lettering it unread: %r",
            delivery.message_id,
            len(delivery.body),
            MAX_BODY_BYTES,
            delivery.body[:200],
        )
        return None
    try:
        event = json.loads(delivery.body)
    except ValueError as exc:
        logger.error(
            "message %s is not JSON (%s); dead-lettering it: %r",
            delivery.message_id,
            exc,
            delivery.body[:200],
        )
        return None
    if not isinstance(event, dict):
        logger.error("message %s is not a JSON object; dead-lettering it: %r", delivery.message_id, event)
        return None
    return event


def _after_failure(
    consumer: Consumer,
    delivery: Delivery,
    event: dict[str, Any],
    exc: Exception,
    *,
    stop: threading.Event,
    options: RunnerOptions,
) -> Verdict:
    limit = settings.WORKER_DELIVERY_LIMIT
    logger.warning(
        "%s message %s failed on delivery %d of %d: %r; event %s",
        consumer.queue,
        delivery.message_id,
        delivery.number,
        limit,
        exc,
        event,
        exc_info=exc,
    )
    if delivery.number >= limit:
        return _give_up(consumer, delivery, event, f"failed {delivery.number} times, last: {exc!r}")
    # Wait on this thread (the connection's thread keeps the heartbeats going); a stop cuts the wait short.
    stop.wait(min(options.retry_max, options.retry_base * 2**delivery.previous_deliveries))
    return Verdict.REQUEUE


def _give_up(consumer: Consumer, delivery: Delivery, event: dict[str, Any], reason: str) -> Verdict:
    try:
        consumer.give_up(event, reason)
    except Exception:
        # The domain could not record the failure: keep the message, so give_up is tried again on the
        # next delivery. Past the broker's own limit the message is dead-lettered without give_up.
        logger.exception(
            "give_up for %s message %s failed; requeueing it; event %s",
            consumer.queue,
            delivery.message_id,
            event,
        )
        return Verdict.REQUEUE
    return Verdict.REJECT


# --- connection -------------------------------------------------------------------------------------


def _serve(consumer: Consumer, stop: threading.Event, jobs: "JobThread", options: RunnerOptions) -> None:
    backoff = Backoff(options.reconnect_min, options.reconnect_max)
    lost: str | None = None  # the node whose connection broke last: tried last (workers/broker.connect)
    while not stop.is_set():
        try:
            connection = connect(heartbeat=options.heartbeat, lost=lost)
        except BROKER_ERRORS as exc:
            _wait_to_reconnect(stop, backoff, f"cannot reach the broker: {exc!r}")
            continue
        session = _Session(connection, consumer, jobs, stop, options)
        try:
            session.serve(on_ready=backoff.reset)
        except BROKER_ERRORS as exc:
            lost = node_of(connection)
            _wait_to_reconnect(stop, backoff, f"lost the broker connection to {lost}: {exc!r}")
        finally:
            close_quietly(connection)


def _wait_to_reconnect(stop: threading.Event, backoff: Backoff, why: str) -> None:
    delay = backoff.next_delay()
    logger.warning("%s; reconnecting in %.1f s (attempt %d)", why, delay, backoff.attempts)
    heartbeat()
    stop.wait(delay)


class _Session:
    """One connection's consuming life; everything here runs on the connection's thread unless noted."""

    def __init__(
        self,
        connection: Any,
        consumer: Consumer,
        jobs: "JobThread",
        stop: threading.Event,
        options: RunnerOptions,
    ) -> None:
        self.connection = connection
        self.consumer = consumer
        self.jobs = jobs
        self.stop = stop
        self.options = options
        self.channel: Any = None
        self.in_flight = 0  # delivered and not yet settled
        self.cancelled_by_broker = False
        # Set once deliveries of this session must not start any more (stopping, or the session is over):
        # their tags die with the channel, and the broker requeues them.
        self.closing = threading.Event()

    def serve(self, on_ready: Callable[[], None]) -> None:
        try:
            tag = self._start_consuming()
            on_ready()
            while not self.stop.is_set():
                self.connection.process_data_events(time_limit=self.options.poll)
                heartbeat()
                self._check_still_consuming()
            self._finish(tag)
        finally:
            self.closing.set()

    def _start_consuming(self) -> str:
        self.channel = self.connection.channel()
        layout = topology.declare(self.channel)
        self.channel.basic_qos(prefetch_count=settings.WORKER_PREFETCH)
        self.channel.add_on_cancel_callback(self._on_cancelled_by_broker)
        name = layout.queue_name(self.consumer.queue)
        tag: str = self.channel.basic_consume(name, on_message_callback=self._on_message)
        logger.info("ready: consuming %s on %s", name, node_of(self.connection))
        return tag

    def _finish(self, tag: str) -> None:
        """Graceful stop: no new deliveries, give the current job the grace period, leave the rest unacked."""
        self.closing.set()
        self.channel.basic_cancel(tag)
        deadline = time.monotonic() + self.options.grace
        while self.in_flight and time.monotonic() < deadline:
            self.connection.process_data_events(time_limit=min(self.options.poll, 0.2))
        if self.in_flight:
            logger.warning(
                "stopping with %d delivery(ies) unsettled; the broker will redeliver them", self.in_flight
            )

    def _check_still_consuming(self) -> None:
        # Neither of these closes the connection, so process_data_events would go on quietly without
        # deliveries: the queue was deleted (consumer cancelled), or the broker closed the channel (a
        # delivery unacked past its consumer_timeout, 30 min by default). Reconnecting recovers both.
        if self.cancelled_by_broker:
            raise pika.exceptions.ConsumerCancelled("the broker cancelled the consumer (queue deleted?)")
        if self.channel.is_closed:
            raise pika.exceptions.ChannelClosed(0, "the broker closed the channel")

    def _on_cancelled_by_broker(self, _frame: Any) -> None:
        self.cancelled_by_broker = True

    def _on_message(self, _channel: Any, method: Any, properties: Any, body: bytes) -> None:
        headers = properties.headers or {}
        delivery = Delivery(
            tag=method.delivery_tag,
            body=body,
            message_id=properties.message_id,
            previous_deliveries=int(headers.get("x-delivery-count", 0)),
        )
        self.in_flight += 1
        self.jobs.submit(partial(self._run_job, delivery))

    def _run_job(self, delivery: Delivery) -> None:
        """On the job thread."""
        if self.closing.is_set():
            verdict = Verdict.ABANDON
        else:
            verdict = handle_delivery(self.consumer, delivery, stop=self.stop, options=self.options)
        try:
            self.connection.add_callback_threadsafe(partial(self._settle, delivery, verdict))
        except pika.exceptions.ConnectionWrongStateError:
            logger.warning(
                "connection closed before message %s could be settled (%s); the broker redelivers it",
                delivery.message_id,
                verdict.value,
            )

    def _settle(self, delivery: Delivery, verdict: Verdict) -> None:
        self.in_flight -= 1
        if not self.channel.is_open:
            return
        if verdict is Verdict.ACK:
            self.channel.basic_ack(delivery.tag)
        elif verdict is Verdict.REQUEUE:
            self.channel.basic_nack(delivery.tag, requeue=True)
        elif verdict is Verdict.REJECT:
            self.channel.basic_nack(delivery.tag, requeue=False)


# --- threads ----------------------------------------------------------------------------------------


class JobThread:
    """The single thread jobs run on, in delivery order.

    A daemon thread: a job still running after the grace period must not keep a stopping worker alive
    (it is left unacked, and the broker redelivers it to another worker).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="worker-job", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def close(self) -> None:
        self._jobs.put(None)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception:
                logger.exception("job crashed outside the consumer")


def _start_relay(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=relay_and_sweep_forever, args=(stop,), name="outbox-relay", daemon=True)
    thread.start()
    return thread
