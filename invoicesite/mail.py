"""Email connections kept open between the emails one thread sends.

Django's ``EmailMessage.send()`` opens a connection for each message and closes it after: for SMTP a TCP
connection, EHLO, STARTTLS and AUTH for every email, for a provider's HTTP API a new TLS session. The notify
worker sends one email after another, so ``send`` keeps one connection per thread, opened with the first
email and replaced when the email settings changed (tests change them), when it has been idle longer than
servers keep one open (``IDLE_SECONDS``), or after any error. A connection the SMTP server closed since the
last email fails at the next email's first command, before any of it is sent, so that email is sent again
once on a fresh connection; any other error goes to the caller, as before (docs/performance.md, "The notify
worker's connection").
"""

import contextlib
import logging
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


def send(message: EmailMessage) -> None:
    """Send ``message`` on this thread's connection (opened if there is none usable)."""
    held = _held()
    message.connection = held if held is not None else _open()
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        _drop()
        if held is None:
            raise
        # Closed by the server since the last email (its idle timeout, a restart): found at this email's first
        # command, before any of it was sent. A server that drops the connection in the middle of an email is
        # the rarer case; then, as with any failed send that is tried again, it may arrive twice, under the
        # same Message-ID (docs/reliability.md, rule 8).
        logger.info("the email connection was closed since the last email; sending again on a fresh one")
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
    return connection


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
