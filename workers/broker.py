"""Connecting to RabbitMQ (AMQP_URL) and backing off when it is away."""

import contextlib
import random
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


def connection_parameters(url: str | None = None, *, heartbeat: int | None = None) -> Any:
    url = url if url is not None else settings.AMQP_URL
    if not url:
        raise ValueError("AMQP_URL is empty (embedded mode): there is no broker to connect to")
    params = pika.URLParameters(url)
    given = parse_qs(urlsplit(url).query)
    for name, value in _DEFAULTS.items():
        if name not in given:
            setattr(params, name, value)
    if heartbeat is not None:
        params.heartbeat = heartbeat
    return params


def connect(url: str | None = None, *, heartbeat: int | None = None) -> Any:
    """A pika BlockingConnection; raises one of BROKER_ERRORS when the broker cannot be reached."""
    return open_connection(connection_parameters(url, heartbeat=heartbeat))


def open_connection(parameters: Any) -> Any:
    """``pika.BlockingConnection(parameters)``, raising only BROKER_ERRORS when the broker is away.

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
