"""AMQP_URL as one URL or a comma-separated list of a cluster's nodes (workers/broker.py)."""

import time

import pika
import pika.exceptions
import pytest

from workers import broker
from workers.broker import BrokerConfigError, broker_urls, connect, connection_parameters, node_of

CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:1/%2F"
NODES = "amqp://u:p@10.0.0.1:5672/%2F, amqp://u:p@10.0.0.2:5673/%2F,amqps://u:p@mq.example.com/vh"


def test_a_single_url_gives_one_node_with_our_defaults():
    (params,) = connection_parameters("amqp://u:p@broker:5672/%2F")

    assert (params.host, params.port, params.virtual_host) == ("broker", 5672, "/")
    assert params.heartbeat == broker.DEFAULT_HEARTBEAT
    assert params.connection_attempts == 1
    assert params.stack_timeout == broker.STACK_TIMEOUT


def test_a_list_gives_each_node_in_order_each_with_its_own_query():
    params = connection_parameters(NODES.replace("5673/%2F", "5673/%2F?heartbeat=7"), heartbeat=None)

    assert [(p.host, p.port) for p in params] == [
        ("10.0.0.1", 5672),
        ("10.0.0.2", 5673),
        ("mq.example.com", 5671),
    ]
    assert [p.heartbeat for p in params] == [broker.DEFAULT_HEARTBEAT, 7, broker.DEFAULT_HEARTBEAT]
    assert params[2].ssl_options is not None
    assert params[2].virtual_host == "vh"


def test_the_heartbeat_argument_applies_to_every_node():
    assert {p.heartbeat for p in connection_parameters(NODES, heartbeat=3)} == {3}


@pytest.mark.security  # docs/security.md case 43
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("amqp://u:p@a/%2F,", "AMQP_URL entry 2 of 2 is empty"),
        (",amqp://u:p@a/%2F", "AMQP_URL entry 1 of 2 is empty"),
        (
            "amqp://u:p@a/%2F,http://u:secret@b/",
            "AMQP_URL entry 2 of 2 must start with amqp:// or amqps://, not http://",
        ),
        ("amqp://u:p@a/%2F,u:secret@b:5672", "AMQP_URL entry 2 of 2 must start with amqp:// or amqps://"),
        ("amqp://u:p@a/%2F,amqp://u:p@b/%2F,amqp:///%2F", "AMQP_URL entry 3 of 3 names no host"),
        ("amqp://u:secret@a:56x2/%2F", "AMQP_URL entry 1 of 1 is not a URL"),
        ("amqp://u:secret@a:0/%2F", "AMQP_URL entry 1 of 1 names port 0"),
    ],
)
def test_a_bad_entry_is_a_configuration_error_naming_its_position_and_no_secret(url, message):
    with pytest.raises(BrokerConfigError) as raised:
        broker_urls(url)

    assert str(raised.value).startswith(message)
    assert "secret" not in str(raised.value)


def test_spaces_around_the_commas_are_ignored():
    assert broker_urls(" amqp://a/%2F ,amqp://b/%2F") == ["amqp://a/%2F", "amqp://b/%2F"]


def test_an_empty_url_is_embedded_mode_not_a_broker():
    with pytest.raises(ValueError, match="embedded mode"):
        connection_parameters("")


def test_connect_fails_over_to_the_next_node_that_answers(amqp_url):
    connection = connect(f"{CLOSED_PORT_URL},{amqp_url}")
    try:
        assert connection.is_open
        assert node_of(connection) == f"127.0.0.1:{pika.URLParameters(amqp_url).port}"
    finally:
        connection.close()


def test_connect_raises_a_broker_error_when_no_node_answers():
    with pytest.raises(broker.BROKER_ERRORS):
        connect(f"{CLOSED_PORT_URL},{CLOSED_PORT_URL.replace(':1/', ':2/')}")


def test_the_node_that_was_lost_is_tried_last_the_others_in_order(monkeypatch):
    tried: list[list[str]] = []
    monkeypatch.setattr(
        broker.pika, "BlockingConnection", lambda params: tried.append([f"{p.host}:{p.port}" for p in params])
    )

    connect(NODES, lost="10.0.0.1:5672")
    connect(NODES, lost="10.0.0.2:5673")
    connect(NODES, lost="elsewhere:1")

    assert tried == [
        ["10.0.0.2:5673", "mq.example.com:5671", "10.0.0.1:5672"],
        ["10.0.0.1:5672", "mq.example.com:5671", "10.0.0.2:5673"],
        ["10.0.0.1:5672", "10.0.0.2:5673", "mq.example.com:5671"],
    ]


def test_with_a_deadline_each_node_gets_only_what_is_left_of_it(monkeypatch):
    # Three nodes that time out: pika's own list would give each its full stack_timeout.
    clock = [100.0]
    budgets: list[float] = []

    def silent_node(params):
        budgets.append(params.stack_timeout)
        clock[0] += params.stack_timeout
        raise pika.exceptions.AMQPConnectionError("handshake timed out")

    monkeypatch.setattr(broker.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(broker.pika, "BlockingConnection", silent_node)

    with pytest.raises(pika.exceptions.AMQPConnectionError):
        connect(NODES.replace("5673/%2F", "5673/%2F?stack_timeout=0.5"), deadline=112.0)

    assert budgets == [broker.STACK_TIMEOUT, 0.5, 1.5]  # 10 s, its own 0.5 s, then the 1.5 s left
    assert clock[0] == 112.0


def test_with_a_deadline_a_node_that_refuses_leaves_the_rest_to_the_next(amqp_url):
    connection = connect(f"{CLOSED_PORT_URL},{amqp_url}", deadline=time.monotonic() + 5)
    try:
        assert node_of(connection) == f"127.0.0.1:{pika.URLParameters(amqp_url).port}"
    finally:
        connection.close()
