"""Connecting to RabbitMQ (AMQP_URL) and backing off when it is away.

AMQP_URL names one broker, or the nodes of a cluster separated by commas. A connection goes to the first
node that answers; the queues are quorum queues replicated on every node (workers/topology.py), so any node
serves them, and a client whose node goes away reconnects to the next one (docs/reliability.md).
"""

import contextlib
import random
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pika
import pika.exceptions
from django.conf import settings
from pika.adapters.utils.connection_workflow import AMQPConnectorException

# What a lost or unreachable broker raises: pika's errors, socket errors pika lets through, and what a
# broker that accepts the TCP connection but never completes the handshake raises (AMQPConnectorStackTimeout
# after stack_timeout: not an AMQPError, so without it a stalled broker crashed the worker's connect loop).
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPError,
    OSError,
    AMQPConnectorException,
)

# Seconds. The heartbeat lets both sides notice a dead peer within about two intervals; the blocked
# timeout bounds how long a publish waits while the broker is under a resource alarm.
DEFAULT_HEARTBEAT = 30
BLOCKED_CONNECTION_TIMEOUT = 15
SOCKET_TIMEOUT = 5
STACK_TIMEOUT = 10

# Values pika takes from the URL's query string; a value given there wins over our defaults.
_DEFAULTS: dict[str, Any] = {
    "heartbeat": DEFAULT_HEARTBEAT,
    "blocked_connection_timeout": BLOCKED_CONNECTION_TIMEOUT,
    "socket_timeout": SOCKET_TIMEOUT,
    "stack_timeout": STACK_TIMEOUT,
    # One quick attempt: the runner and the relay do their own backoff, and a web request must not wait.
    "connection_attempts": 1,
    "retry_delay": 0,
}


class BrokerConfigError(ValueError):
    """AMQP_URL cannot be used; the message names the entry (never its credentials)."""


def broker_urls(url: str) -> list[str]:
    """The entries of AMQP_URL: one amqp:// or amqps:// URL, or several separated by commas (one per node
    of a cluster, tried in this order). A bad entry raises BrokerConfigError naming its position."""
    entries = [entry.strip() for entry in url.split(",")]
    for position, entry in enumerate(entries, start=1):
        where = f"AMQP_URL entry {position} of {len(entries)}"
        if not entry:
            raise BrokerConfigError(f"{where} is empty (a stray comma?)")
        try:
            parts = urlsplit(entry)
            port = parts.port
        except ValueError as exc:  # a port that is not a number, a malformed IPv6 host
            raise BrokerConfigError(f"{where} is not a URL: {exc}") from None
        if parts.scheme not in ("amqp", "amqps"):
            raise BrokerConfigError(
                f"{where} must start with amqp:// or amqps://, not {parts.scheme or '?'}://"
            )
        if not parts.hostname:
            raise BrokerConfigError(f"{where} names no host")
        if port == 0:
            raise BrokerConfigError(f"{where} names port 0")
    return entries


def connection_parameters(url: str | None = None, *, heartbeat: int | None = None) -> list[Any]:
    """pika parameters for each entry of ``url`` (default: AMQP_URL), in order."""
    url = url if url is not None else settings.AMQP_URL
    if not url:
        raise ValueError("AMQP_URL is empty (embedded mode): there is no broker to connect to")
    return [_parameters(entry, heartbeat) for entry in broker_urls(url)]


def _parameters(url: str, heartbeat: int | None) -> Any:
    params = pika.URLParameters(url)
    given = parse_qs(urlsplit(url).query)
    for name, value in _DEFAULTS.items():
        if name not in given:
            setattr(params, name, value)
    if heartbeat is not None:
        params.heartbeat = heartbeat
    return params


def connect(
    url: str | None = None,
    *,
    heartbeat: int | None = None,
    lost: str | None = None,
    deadline: float | None = None,
) -> Any:
    """A pika BlockingConnection to the first node of AMQP_URL that answers; raises one of BROKER_ERRORS when
    none does. ``lost`` is the node ("host:port", see ``node_of``) whose connection just broke: it is tried
    last, so a node that went away without refusing connections does not cost a timeout on every reconnect.
    ``deadline`` (``time.monotonic()``) bounds the whole attempt, every node included."""
    candidates = connection_parameters(url, heartbeat=heartbeat)
    if lost is not None:
        candidates.sort(key=lambda params: _node(params) == lost)  # stable: the others keep their order
    if deadline is None:
        return open_connection(candidates)
    # pika bounds each node's bring-up with its own stack_timeout, so a list of silent nodes would take
    # that many times as long: here each node gets only what is left.
    failure: BaseException = pika.exceptions.AMQPConnectionError("no time left to connect")
    for params in candidates:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        params.stack_timeout = min(params.stack_timeout, max(0.1, left))
        try:
            return open_connection(params)
        except BROKER_ERRORS as exc:
            failure = exc
    raise failure


def node_of(connection: Any) -> str:
    """The node a connection is to, as "host:port": for logs (no credentials) and for ``connect(lost=)``."""
    return _node(connection._impl.params)


def _node(params: Any) -> str:
    return f"{params.host}:{params.port}"


def open_connection(parameters: Any) -> Any:
    """``pika.BlockingConnection(parameters)`` (one node's, or a list), raising only BROKER_ERRORS when the
    broker is away.

    pika raises a bare ValueError ("Expected connected socket, but getpeername() failed") when the TCP
    connection is reset between its connect and the AMQP handshake: a broker restarting, or a proxy or
    load balancer in front of it that accepts and drops. That is an unreachable broker, not a bug; left a
    ValueError it escaped the workers' reconnect loops and ended the process (seen in the broker-restart
    fault test).
    """
    try:
        return pika.BlockingConnection(parameters)
    except ValueError as exc:
        if "getpeername" not in str(exc):
            raise
        raise pika.exceptions.AMQPConnectionError(f"connection reset while connecting: {exc}") from exc


def close_quietly(connection: Any) -> None:
    """Close a connection that may already be closed or broken; nothing useful can be done on failure."""
    if connection is None or connection.is_closed:
        return
    with contextlib.suppress(*BROKER_ERRORS):
        connection.close()


class Backoff:
    """Exponential delays between reconnection attempts, jittered so a fleet does not retry in lockstep."""

    def __init__(self, minimum: float = 1.0, maximum: float = 30.0) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.attempts = 0

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.minimum * 2**self.attempts)
        self.attempts += 1
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto  # nosec B311

    def reset(self) -> None:
        self.attempts = 0
