"""Opening a connection: every way an unreachable broker shows itself is one of BROKER_ERRORS.

The reset-while-connecting case cannot be produced on demand (it needs the peer's reset to land between
pika's TCP connect and its next poll, which a loaded machine hits now and then: the broker-restart fault
test did), so these unit tests put pika's own error in its place.
"""

import pika
import pika.exceptions
import pytest

from workers import broker
from workers.publisher import Publisher, PublishError

# What pika 1.x raises (io_services_utils._AsyncStreamConnector) for a socket reset before the handshake.
RESET_WHILE_CONNECTING = ValueError(
    "Expected connected socket, but getpeername() failed: error=OSError(107, 'Transport endpoint is not "
    "connected'); <socket.socket fd=7, family=2, type=1, proto=6, laddr=('127.0.0.1', 56674)>; "
)


@pytest.fixture
def pika_resets_while_connecting(monkeypatch):
    def refuse(parameters):
        raise RESET_WHILE_CONNECTING

    monkeypatch.setattr(pika, "BlockingConnection", refuse)


def test_a_connection_reset_while_connecting_is_a_broker_error(pika_resets_while_connecting):
    with pytest.raises(broker.BROKER_ERRORS) as caught:
        broker.connect("amqp://guest:guest@127.0.0.1:5672/%2F")
    assert isinstance(caught.value, pika.exceptions.AMQPConnectionError)
    assert "connection reset while connecting" in str(caught.value)


def test_the_publisher_reports_it_as_a_failed_publish(pika_resets_while_connecting):
    publisher = Publisher("amqp://guest:guest@127.0.0.1:5672/%2F", timeout=1.0)
    with publisher, pytest.raises(PublishError, match="connection reset while connecting"):
        publisher.publish("render", {"invoice_id": "x"}, "m-1")


def test_any_other_value_error_is_still_a_bug(monkeypatch):
    def broken(parameters):
        raise ValueError("a programming error")

    monkeypatch.setattr(pika, "BlockingConnection", broken)
    with pytest.raises(ValueError, match="a programming error"):
        broker.connect("amqp://guest:guest@127.0.0.1:5672/%2F")
