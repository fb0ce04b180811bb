"""How a consumer tells the runner whether a failed job is worth another delivery (docs/reliability.md
rule 9).

Any exception other than PermanentError is retried with backoff.
"""

from django.db import InterfaceError, OperationalError
from pymongo.errors import ConnectionFailure

# A backing service (PostgreSQL, MongoDB) cannot be reached: says nothing about the message itself.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, ConnectionFailure)

# Longest error text kept on a row (outbox, invoice, notification): enough for a traceback's last line and
# a provider's answer, bounded so a runaway message cannot bloat the table.
MAX_ERROR_LENGTH = 2000


class PermanentError(Exception):
    """The job can never succeed: bad data, an unknown id, a template error. Never retried."""
