"""The base class of the queue consumers: one small class per queue, one method (Zulip's pattern)."""

import logging
from typing import Any, ClassVar

logger = logging.getLogger(__name__)


class Consumer:
    """Subclass per logical queue; the runner (or the embedded dispatcher) owns ack, retry and shutdown.

    ``consume`` may run more than once for one event (at-least-once delivery, a redelivery after a crash),
    so it must be idempotent. It returns normally once its work is committed: only then is the message acked.
    """

    queue: ClassVar[str]

    def consume(self, event: dict[str, Any]) -> None:
        """Do the work. Raise PermanentError for a job that can never succeed; anything else is retried."""
        raise NotImplementedError

    def give_up(self, event: dict[str, Any], reason: str) -> None:
        """Called once when the event will not be retried any more (a permanent error or the last delivery).

        The domain overrides this to record the failure (the invoice becomes ``failed`` with ``reason``).
        Raising here makes the runner requeue the message, so this too should be idempotent.
        """
        logger.error("giving up on %s event %s: %s", self.queue, event, reason)
