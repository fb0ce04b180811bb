"""RabbitMQ fixtures and helpers for tests that talk to the real broker.

Use them from a conftest.py or a test module by importing the fixtures::

    from tests.amqp import amqp_namespace, amqp_url  # noqa: F401 - pytest fixtures

``amqp_namespace`` gives each test its own AMQP_NAMESPACE ("test-<hex>"), applies it (and AMQP_URL) to
the Django settings, and deletes that namespace's queues and exchanges afterwards. The helpers read the
current settings, so they work inside such a test without arguments. An unreachable broker FAILS the test
with a message saying how to start it; it never skips.
"""

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pika
import pika.exceptions
import pytest
from django.conf import settings as django_settings

from workers import topology
from workers.broker import BROKER_ERRORS, broker_urls, connect

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@dataclass(frozen=True)
class FetchedMessage:
    body: bytes
    headers: dict[str, Any]
    message_id: str | None

    @property
    def event(self) -> Any:
        return json.loads(self.body)

    @property
    def reason(self) -> str | None:
        """For a dead letter, why: "rejected" (nack requeue=False) or "delivery_limit" (broker's limit)."""
        reason = self.headers.get("x-first-death-reason")
        return reason.decode() if isinstance(reason, bytes) else reason


def amqp_url_from_env() -> str:
    return os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL


def single_broker_port(url: str) -> int:
    """The port of the one broker ``url`` names, for a test that puts a FaultProxy in front of it. An
    AMQP_URL naming a cluster's nodes FAILS such a test: the other nodes would be reachable past the proxy."""
    urls = broker_urls(url)
    if len(urls) != 1:
        pytest.fail(
            f"this test puts a proxy in front of one broker, and AMQP_URL names {len(urls)}: run it with a "
            "single broker (the suite's default); tests/faults/test_rabbit_cluster.py is the cluster's test",
            pytrace=False,
        )
    return pika.URLParameters(urls[0]).port


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """AMQP_URL from the environment (or the local default), checked to answer."""
    url = amqp_url_from_env()
    try:
        connect(url).close()
    except BROKER_ERRORS as exc:
        pytest.fail(
            f"RabbitMQ is not reachable at {url}: {exc!r}. Start it with `scripts/services.sh up` "
            "(or `rabbitmq-server -detached && rabbitmqctl await_startup`), or set AMQP_URL.",
            pytrace=False,
        )
    return url


@pytest.fixture
def amqp_namespace(amqp_url: str, settings: Any) -> Iterator[str]:
    """A fresh AMQP_NAMESPACE applied to settings (with AMQP_URL); its queues and exchanges deleted after."""
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    settings.AMQP_URL = amqp_url
    settings.AMQP_NAMESPACE = namespace
    layout = topology.current()
    yield namespace
    delete_namespace(layout, url=amqp_url)


def delete_namespace(layout: topology.Topology, *, url: str | None = None) -> None:
    """Delete a namespace's queues and exchanges (those that exist)."""
    connection = connect(url or amqp_url_from_env())
    try:
        topology.delete(connection.channel(), layout)
    finally:
        connection.close()


def with_channel(action: Callable[[Any], Any]) -> Any:
    """Run ``action(channel)`` on a short-lived connection to the current AMQP_URL."""
    connection = connect(django_settings.AMQP_URL or amqp_url_from_env())
    try:
        return action(connection.channel())
    finally:
        connection.close()


def queue_message_count(queue_name: str) -> int:
    """Ready (not unacked) messages in a queue, by its full name, e.g. f"{ns}.render"."""
    return int(with_channel(lambda ch: ch.queue_declare(queue_name, passive=True).method.message_count))


def fetch_messages(queue_name: str) -> list[FetchedMessage]:
    """Take every ready message out of a queue (basic_get, acked), by its full name."""

    def drain(channel: Any) -> list[FetchedMessage]:
        messages: list[FetchedMessage] = []
        while True:
            method, properties, body = channel.basic_get(queue_name, auto_ack=True)
            if method is None:
                return messages
            messages.append(FetchedMessage(body, dict(properties.headers or {}), properties.message_id))

    result: list[FetchedMessage] = with_channel(drain)
    return result


def dead_letters(queue: str, *, count: int = 1, timeout: float = 10.0) -> list[FetchedMessage]:
    """Wait until ``count`` messages are in ``<ns>.<queue>.dead`` (logical queue name), then take them all."""
    name = topology.current().dead_queue_name(queue)
    wait_until(lambda: queue_message_count(name) >= count, timeout, f"{count} message(s) in {name}")
    return fetch_messages(name)


def publish_raw(queue: str, body: bytes, *, message_id: str | None = None) -> None:
    """Publish any bytes (a poison message, say) to the logical ``queue``, declaring the topology first."""

    def publish(channel: Any) -> None:
        layout = topology.declare(channel)
        channel.confirm_delivery()
        properties = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent, message_id=message_id)
        channel.basic_publish(layout.exchange, queue, body, properties, mandatory=True)

    with_channel(publish)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}", pytrace=False)
        time.sleep(0.05)
