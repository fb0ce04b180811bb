"""Publishing with publisher confirms (docs/reliability.md rule 1): returns once the broker has it."""

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pika
import pika.exceptions
from django.conf import settings

from workers import topology
from workers.broker import BROKER_ERRORS, close_quietly, connect, node_of

logger = logging.getLogger(__name__)

# The broker answered, and the answer was no: reconnecting would not change it.
_REFUSALS = (pika.exceptions.UnroutableError, pika.exceptions.NackError)
# Longest a publish() may take, reconnecting included. A broker that accepts the connection but withholds
# its confirm (stalled, partitioned, under a resource alarm) would otherwise hold the web request that
# publishes after commit for as long as heartbeats take to notice: the outbox relay is the safety net.
PUBLISH_TIMEOUT_SECONDS = 5.0


class PublishStalled(pika.exceptions.AMQPConnectionError):
    """The broker did not answer within the publish timeout; the connection was dropped."""


class PublishError(Exception):
    """The message is not known to be in a queue: refused, unroutable, or the broker could not be reached."""


class Publisher:
    """One BlockingConnection and one confirm-mode channel. Not thread-safe: one per thread.

    The connection is opened lazily and kept; the topology is declared on every new connection.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        layout: topology.Topology | None = None,
        timeout: float = PUBLISH_TIMEOUT_SECONDS,
    ) -> None:
        self.url: str = url if url is not None else settings.AMQP_URL
        self.layout = layout or topology.current()
        self.timeout = timeout
        self._connection: Any = None
        self._channel: Any = None
        # The node ("host:port") of a connection that broke: the next connection tries it last.
        self._lost: str | None = None

    def publish(self, queue: str, payload: dict[str, Any], message_id: uuid.UUID | str) -> None:
        """Send ``payload`` as JSON to the logical ``queue``; PublishError unless the broker confirms it."""
        body = json.dumps(payload).encode()
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=str(message_id),
        )
        deadline = time.monotonic() + self.timeout
        for attempt in (1, 2):
            try:
                self._send(queue, body, properties, deadline)
                return
            except _REFUSALS as exc:
                raise PublishError(f"broker refused message {message_id} for {queue!r}: {exc!r}") from exc
            except BROKER_ERRORS as exc:
                # A connection that went away while idle is common (heartbeat missed between web
                # requests): one fresh connection is worth trying, within the same deadline. A retry may
                # duplicate a message whose confirm was lost; consumers are idempotent.
                self._drop()
                if attempt == 2 or time.monotonic() >= deadline:
                    raise PublishError(f"cannot publish message {message_id} to {queue!r}: {exc!r}") from exc
                logger.info("publish of %s failed (%r); reconnecting once", message_id, exc)

    def keep_alive(self) -> None:
        """Answer heartbeats on an idle connection (call every few seconds), so it is not dropped."""
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.process_data_events(time_limit=0)
            except BROKER_ERRORS:
                self._drop()  # the next publish reconnects

    def close(self) -> None:
        close_quietly(self._connection)
        self._connection = self._channel = None

    def _drop(self) -> None:
        """Close a connection that failed, remembering its node so the reconnect tries the others first."""
        if self._connection is not None:
            self._lost = node_of(self._connection)
        self.close()

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, queue: str, body: bytes, properties: Any, deadline: float) -> None:
        channel = self._open_channel(deadline)
        with self._stall_guard(deadline):
            channel.basic_publish(
                exchange=self.layout.exchange,
                routing_key=queue,
                body=body,
                properties=properties,
                mandatory=True,  # an unroutable message comes back as UnroutableError instead of vanishing
            )

    def _open_channel(self, deadline: float) -> Any:
        if self._channel is not None and self._channel.is_open:
            # Handle what arrived while idle (heartbeats, a Connection.Close) so a dead connection is
            # noticed here rather than after publishing into it.
            self._connection.process_data_events(time_limit=0)
            if self._channel.is_open:
                return self._channel
        self._drop()  # a channel or connection that closed while idle; nothing yet on the first publish
        self._connection = connect(self.url, lost=self._lost, deadline=deadline)
        logger.info("publisher connected to RabbitMQ at %s", node_of(self._connection))
        with self._stall_guard(deadline):
            channel = self._connection.channel()
            topology.declare(channel, self.layout)
            channel.confirm_delivery()
        self._channel = channel
        return channel

    @contextmanager
    def _stall_guard(self, deadline: float) -> Iterator[None]:
        """Drop the connection if the broker has not answered by ``deadline``.

        pika's BlockingConnection waits for a confirm (or any RPC reply) with no time limit. The timer is
        the one pika's own heartbeat checker uses, on the connection's I/O loop, and it ends the wait the
        same way a missed heartbeat does: the stream is terminated, and the blocked call raises.
        """
        impl = self._connection._impl
        remaining = max(0.001, deadline - time.monotonic())
        timer = impl._adapter_call_later(remaining, partial(_terminate, impl, self.timeout))
        try:
            yield
        finally:
            impl._adapter_remove_timeout(timer)


def _terminate(impl: Any, timeout: float) -> None:
    if impl.is_open:
        impl._terminate_stream(PublishStalled(f"no answer from the broker within {timeout:g} s"))


_local = threading.local()


def publisher_for_thread() -> Publisher:
    """This thread's Publisher for the current settings (URL and namespace), created on first use."""
    key = _settings_key()
    cached = getattr(_local, "entry", None)
    if cached is not None and cached[0] == key:
        publisher: Publisher = cached[1]
        return publisher
    if cached is not None and cached[0][0] == os.getpid():
        cached[1].close()
    # After a fork the inherited Publisher is dropped without closing it: its socket is shared with the
    # parent, and sending Connection.Close on it would break the parent's connection.
    publisher = Publisher()
    _local.entry = (key, publisher)
    return publisher


def _settings_key() -> tuple[Any, ...]:
    return (os.getpid(), settings.AMQP_URL, topology.current())
