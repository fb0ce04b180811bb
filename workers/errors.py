"""How a consumer tells the runner whether a failed job is worth another delivery (RELIABILITY.md rule 9)."""

from django.db import InterfaceError, OperationalError
from pymongo.errors import ConnectionFailure

# A backing service (PostgreSQL, MongoDB) cannot be reached: says nothing about the message itself.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, ConnectionFailure)


class PermanentError(Exception):
    """The job can never succeed: bad data, an unknown id, a template error. Never retried."""


class TransientError(Exception):
    """The job may succeed later: a broker, MongoDB or SMTP hiccup. Retried with backoff.

    Any exception other than PermanentError is treated the same way; raising this one just says so.
    """
