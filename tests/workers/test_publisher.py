import socket
import threading
import uuid
from urllib.parse import urlsplit

import pytest

from tests.amqp import fetch_messages, single_broker_port, with_channel
from tests.faults.proxy import FaultProxy, with_port
from workers.publisher import Publisher, PublishError, publisher_for_thread

CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:1/%2F"


def test_publish_returns_after_the_confirm_and_the_message_is_in_the_queue(amqp_namespace):
    message_id = uuid.uuid4()
    with Publisher() as publisher:
        publisher.publish("render", {"invoice_id": "abc"}, message_id)

    def get(channel):
        return channel.basic_get(f"{amqp_namespace}.render", auto_ack=True)

    method, properties, body = with_channel(get)
    assert method is not None
    assert body == b'{"invoice_id": "abc"}'
    assert properties.message_id == str(message_id)
    assert properties.content_type == "application/json"
    assert properties.delivery_mode == 2


def test_an_unroutable_message_raises(amqp_namespace):
    with Publisher() as publisher, pytest.raises(PublishError, match="refused"):
        publisher.publish("no-such-queue", {"invoice_id": "abc"}, uuid.uuid4())


def test_the_publisher_reconnects_after_losing_its_connection(amqp_namespace):
    with Publisher() as publisher:
        publisher.publish("render", {"n": 1}, "m-1")
        # The broker drops the idle connection meanwhile (a missed heartbeat, a restart).
        publisher._connection._impl._transport._sock.shutdown(socket.SHUT_RDWR)
        publisher.publish("render", {"n": 2}, "m-2")

    assert [m.event for m in fetch_messages(f"{amqp_namespace}.render")] == [{"n": 1}, {"n": 2}]


def test_an_unreachable_broker_raises_publish_error(amqp_namespace):
    with Publisher(CLOSED_PORT_URL) as publisher, pytest.raises(PublishError, match="cannot publish"):
        publisher.publish("render", {"invoice_id": "abc"}, uuid.uuid4())


def test_each_thread_has_its_own_publisher_for_the_current_settings(amqp_namespace, settings):
    mine = publisher_for_thread()
    others: list[Publisher] = []
    thread = threading.Thread(target=lambda: others.append(publisher_for_thread()))
    thread.start()
    thread.join()

    assert publisher_for_thread() is mine
    assert others[0] is not mine
    settings.AMQP_NAMESPACE = amqp_namespace + "-other"
    assert publisher_for_thread() is not mine


def test_a_broker_that_stops_answering_fails_the_publish_at_the_timeout_not_never(amqp_namespace, amqp_url):
    proxy = FaultProxy(urlsplit(amqp_url).port or 5672)
    try:
        with Publisher(with_port(amqp_url, proxy.port), timeout=1.0) as publisher:
            publisher.publish("render", {"n": 1}, "m-1")
            proxy.pause()  # the connection stays open; nothing comes back, not even the confirm
            with pytest.raises(PublishError, match="no answer from the broker within 1 s"):
                publisher.publish("render", {"n": 2}, "m-2")
            proxy.accept()
            publisher.publish("render", {"n": 3}, "m-3")
    finally:
        proxy.close()


def test_after_losing_its_node_the_publisher_tries_the_other_nodes_first(amqp_namespace, settings, caplog):
    # Two "nodes" in front of the one broker. The first drops its connections and answers again at once:
    # the reconnect still goes to the second, so a node that just failed is not the first one retried.
    port = single_broker_port(settings.AMQP_URL)
    first, second = FaultProxy(port, name="node-1"), FaultProxy(port, name="node-2")
    caplog.set_level("INFO", logger="workers.publisher")
    try:
        with Publisher(
            f"{with_port(settings.AMQP_URL, first.port)},{with_port(settings.AMQP_URL, second.port)}"
        ) as publisher:
            publisher.publish("render", {"n": 1}, "m-1")
            first.cut()
            publisher.publish("render", {"n": 2}, "m-2")
    finally:
        first.close()
        second.close()

    connected = [line for line in caplog.messages if line.startswith("publisher connected to RabbitMQ at")]
    assert connected == [
        f"publisher connected to RabbitMQ at 127.0.0.1:{first.port}",
        f"publisher connected to RabbitMQ at 127.0.0.1:{second.port}",
    ]
    assert [m.event for m in fetch_messages(f"{amqp_namespace}.render")] == [{"n": 1}, {"n": 2}]
