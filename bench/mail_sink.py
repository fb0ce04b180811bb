"""An SMTP server of the benchmark's own, so that the notify worker sends every email over a real connection.

With Django's in-memory backend the notify worker's SMTP client (the MIME bytes, the commands and their
answers, the kept connection of invoicesite/mail.py) would not be in the figures, and in production it is.
The server runs in this process (aiosmtpd on a thread of its own), whose CPU is the load generator's: a mail
provider's CPU is no process of ours either. It takes every message and keeps none.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from bench.processes import free_port


class _Discard:
    """Takes every message and keeps none."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


@contextmanager
def running() -> Iterator[dict[str, str]]:
    """A server on a free port of 127.0.0.1 for the block; the settings that send our email to it."""
    # aiosmtpd logs every command at INFO: five lines an email would drown the run's own output.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = free_port()
    controller = Controller(_Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_HOST_USER": "",
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
        }
    finally:
        controller.stop()
