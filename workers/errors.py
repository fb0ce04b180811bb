"""How a consumer tells the runner whether a failed job is worth another delivery (RELIABILITY.md rule 9)."""


class PermanentError(Exception):
    """The job can never succeed: bad data, an unknown id, a template error. Never retried."""


class TransientError(Exception):
    """The job may succeed later: a broker, MongoDB or SMTP hiccup. Retried with backoff.

    Any exception other than PermanentError is treated the same way; raising this one just says so.
    """
