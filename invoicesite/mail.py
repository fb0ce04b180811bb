"""Email connections kept open between the emails one thread sends.

Django's ``EmailMessage.send()`` opens a connection for each message and closes it after: for SMTP a TCP
connection, EHLO, STARTTLS and AUTH for every email, for a provider's HTTP API a new TLS session. The notify
worker sends one email after another, so ``send`` keeps one connection per thread, opened with the first
email and replaced when the email settings changed (tests change them), when it has been idle longer than
servers keep one open (``IDLE_SECONDS``), or after any error. An SMTP connection the server closed since the
last email (its idle timeout, a restart) is seen before the next email is sent, without a round trip, and
replaced. A connection cut during an email is found by that email: it is sent once more at once on a fresh
connection. If the server had taken it before the cut, it arrives twice, under the same Message-ID
(``message_id``), as it would from the caller's retry; any other error goes to the caller
(docs/performance.md, "The notify worker's connection"; docs/reliability.md, rule 8).
"""

import contextlib
import logging
import select
import smtplib
import threading
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

# Below the idle timeouts of SMTP servers (RFC 5321 asks them to wait 5 minutes; many wait less) and of the
# providers' HTTP keep-alives: a connection idle longer is closed before the next email, not found dead.
IDLE_SECONDS = 30.0

_local = threading.local()
logger = logging.getLogger(__name__)


def send(message: EmailMessage) -> str:
    """Send ``message`` on this thread's connection (opened if there is none usable); the id it is known by:
    the provider's message id where an anymail backend gives one, else its Message-ID header, which it must
    carry (``message_id``: one per event, so that a retry repeats it)."""
    if "Message-ID" not in message.extra_headers:
        raise ValueError("an email needs its Message-ID header (mail.message_id) before it is sent")
    held = _held()
    message.connection = held if held is not None else _open()
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        _drop()
        if held is None:
            raise
        # Cut during this email (a close since the last one is seen by _held). Whether the server took the
        # email before the cut cannot be known: sent again, it may arrive twice, under the same Message-ID.
        logger.info("the email connection was cut during an email; sending it again on a fresh connection")
        message.connection = _open()
        try:
            message.send()
        except Exception:
            _drop()
            raise
    except Exception:
        _drop()  # the connection's state is unknown after an error: the next email opens a fresh one
        raise
    _local.used_at = time.monotonic()
    return _known_as(message)


def _known_as(message: EmailMessage) -> str:
    status = getattr(message, "anymail_status", None)  # set by anymail's provider backends
    provider_id = getattr(status, "message_id", None) if status is not None else None
    # A provider's id may be any value, even a falsy one; only its absence means plain SMTP.
    return str(provider_id if provider_id is not None else message.extra_headers["Message-ID"])


def message_id(name: str) -> str:
    """The Message-ID of the email ``name`` stands for (one per event, never per attempt): every attempt at
    sending it carries the same one, so a repeat (rule 8's gap) can be recognised and dropped by a mail system
    or its reader."""
    return f"<{name}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def close() -> None:
    """Close this thread's connection, if it holds one."""
    _drop()


def _key() -> tuple[Any, ...]:
    """What a connection is made from: another backend or server needs another connection."""
    return (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )


def _held() -> Any:
    """This thread's open connection, if it was made from today's settings and has not been idle too long."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        return None
    if _local.key != _key() or time.monotonic() - _local.used_at > IDLE_SECONDS:
        _drop()
        return None
    if _closed_by_server(connection):
        logger.info("the email connection was closed by the server since the last email; opening a fresh one")
        _drop()
        return None
    return connection


def _closed_by_server(connection: Any) -> bool:
    """Whether an SMTP connection's socket has anything to read while no command is under way: a server only
    writes then to close it (a 421 reply, then the end of the stream), so a readable socket is a closed
    connection. The same test urllib3 makes before it reuses a pooled connection; it costs no round trip.
    Should anything else be readable (a TLS record the server sent unasked), the price is a fresh connection.
    A backend without an SMTP socket (a provider's HTTP API) checks its own connections."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    if sock is None:
        return False
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _open() -> Any:
    connection = get_connection()
    # Opened here, not by send_messages: a backend that opens its own connection closes it after the batch.
    connection.open()
    _local.connection, _local.key, _local.used_at = connection, _key(), time.monotonic()
    return connection


def _drop() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        # A connection that cannot even close is gone either way; the error that dropped it is the caller's.
        with contextlib.suppress(Exception):
            connection.close()
