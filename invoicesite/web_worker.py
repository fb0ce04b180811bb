"""gunicorn's gthread worker, made to leave new connections to a less busy process.

gunicorn's gthread worker accepts every connection it is offered, whether or not a thread is free, and
keeps a keep-alive connection for its life. Connections that arrive together are therefore spread by
chance: the API benchmark's 16 keep-alive connections landed 6/4/3/3, 7/6/2/1 or 8/7/1/0 on 4 processes.
A process holding 7 or 8 busy connections is held to one core by its GIL while another idles, and which
draw a run got decided its rate and its tail (docs/performance.md, rounds seven and eight).

This worker stops accepting while half of its threads or more are serving requests, so the next
connection goes to a process that has threads to spare. It holds back for `GUNICORN_ACCEPT_HOLD_MS` at
most (50 by default): when every process is busy with slow requests (large downloads to slow clients)
a new connection is still accepted after that long rather than left waiting for one of them to finish.

It subclasses gunicorn's ThreadWorker through four of its methods (enqueue_req, finish_request,
set_accept_enabled, wait_for_and_dispatch_events), all called on the worker's main thread, so no lock is
needed; tests/deploy/test_web_worker.py runs it in the real gunicorn, so an upgrade that changes them
fails there rather than in production.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


def _accept_hold_seconds() -> float:
    raw = os.environ.get("GUNICORN_ACCEPT_HOLD_MS", "").strip()
    return (int(raw) if raw else 50) / 1000


class SpreadingThreadWorker(ThreadWorker):
    """A gthread worker that accepts a new connection only while it has threads to spare."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Requests handed to the thread pool and not yet finished (a connection waiting on the poller
        # for its next request holds no thread and is not counted).
        self.in_progress = 0
        # A lone process has nobody to leave a connection to (several pods of one process each are
        # spread by the Service in front, not by a shared socket): it never holds back.
        self.busy_at = max(1, (self.cfg.threads + 1) // 2) if self.cfg.workers > 1 else None
        self.accept_hold = _accept_hold_seconds()
        # When this process last stopped accepting because it was busy; None while it accepts.
        self.held_since: float | None = None

    def busy(self) -> bool:
        return self.busy_at is not None and self.in_progress >= self.busy_at

    def enqueue_req(self, conn: Any) -> None:
        self.in_progress += 1
        super().enqueue_req(conn)
        if self.busy() and self._accepting:
            self.held_since = time.monotonic()
            self.set_accept_enabled(False)

    def finish_request(self, conn: Any, fs: Any) -> None:
        # Counted down first: a response that read ahead into the next request is queued again inside.
        self.in_progress -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled: bool) -> None:
        """gunicorn's loop asks to accept again on every turn; a busy process declines during the hold."""
        if not self.alive:
            self.held_since = None  # stopping: the shutdown loop must not wake for a hold
        elif (
            enabled
            and self.busy()
            and self.held_since is not None
            and time.monotonic() - self.held_since < self.accept_hold
        ):
            return
        if enabled:
            self.held_since = None
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        # Wake when the hold ends, not at the loop's next 1 s turn.
        if self.held_since is not None:
            left = self.held_since + self.accept_hold - time.monotonic()
            if left > 0:  # past the hold the loop has either accepted again or cannot (too many connections)
                timeout = min(timeout, left)
        super().wait_for_and_dispatch_events(timeout)
