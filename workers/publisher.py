"""Publishing with publisher confirms (RELIABILITY.md rule 1): returns once the broker has the message."""

import json
import logging
import os
import threading
import uuid
from typing import Any

import pika
import pika.exceptions
from django.conf import settings

from workers import topology
from workers.broker import BROKER_ERRORS, close_quietly, connect

logger = logging.getLogger(__name__)

# The broker answered, and the answer was no: reconnecting would not change it.
_REFUSALS = (pika.exceptions.UnroutableError, pika.exceptions.NackError)


class PublishError(Exception):
    """The message is not known to be in a queue: refused, unroutable, or the broker could not be reached."""


class Publisher:
    """One BlockingConnection and one confirm-mode channel. Not thread-safe: one per thread.

    The connection is opened lazily and kept; the topology is declared on every new connection.
    """

    def __init__(self, url: str | None = None, *, layout: topology.Topology | None = None) -> None:
        self.url: str = url if url is not None else settings.AMQP_URL
        self.layout = layout or topology.current()
        self._connection: Any = None
        self._channel: Any = None

    def publish(self, queue: str, payload: dict[str, Any], message_id: uuid.UUID | str) -> None:
        """Send ``payload`` as JSON to the logical ``queue``; PublishError unless the broker confirms it."""
        body = json.dumps(payload).encode()
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=str(message_id),
        )
        for attempt in (1, 2):
            try:
                self._send(queue, body, properties)
                return
            except _REFUSALS as exc:
                raise PublishError(f"broker refused message {message_id} for {queue!r}: {exc!r}") from exc
            except BROKER_ERRORS as exc:
                # A connection that went away while idle is common (heartbeat missed between web
                # requests): one fresh connection is worth trying. A retry may duplicate a message
                # whose confirm was lost; consumers are idempotent.
                self.close()
                if attempt == 2:
                    raise PublishError(f"cannot publish message {message_id} to {queue!r}: {exc!r}") from exc
                logger.info("publish of %s failed (%r); reconnecting once", message_id, exc)

    def keep_alive(self) -> None:
        """Answer heartbeats on an idle connection (call every few seconds), so it is not dropped."""
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.process_data_events(time_limit=0)
            except BROKER_ERRORS:
                self.close()  # the next publish reconnects

    def close(self) -> None:
        close_quietly(self._connection)
        self._connection = self._channel = None

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, queue: str, body: bytes, properties: Any) -> None:
        channel = self._open_channel()
        channel.basic_publish(
            exchange=self.layout.exchange,
            routing_key=queue,
            body=body,
            properties=properties,
            mandatory=True,  # an unroutable message comes back as UnroutableError instead of vanishing
        )

    def _open_channel(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            # Handle what arrived while idle (heartbeats, a Connection.Close) so a dead connection is
            # noticed here rather than after publishing into it.
            self._connection.process_data_events(time_limit=0)
            if self._channel.is_open:
                return self._channel
        self.close()
        self._connection = connect(self.url)
        channel = self._connection.channel()
        topology.declare(channel, self.layout)
        channel.confirm_delivery()
        self._channel = channel
        return channel


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
