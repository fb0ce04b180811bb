"""The worker's sign of life for the container's liveness probe: a file whose age is checked.

Touched from the loops that must keep turning (the consumer's I/O loop, the reconnect wait, the relay),
so a worker stuck in one of them stops touching it and is restarted.
"""

import logging
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 5.0
_last = 0.0


def heartbeat() -> None:
    global _last
    now = time.monotonic()
    if now - _last < INTERVAL_SECONDS or not settings.WORKER_HEARTBEAT_FILE:
        return
    _last = now
    try:
        Path(settings.WORKER_HEARTBEAT_FILE).touch()
    except OSError as exc:  # a read-only or missing directory must not stop the work itself
        logger.warning("cannot touch the heartbeat file %s: %s", settings.WORKER_HEARTBEAT_FILE, exc)
