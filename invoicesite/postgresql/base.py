"""Django's PostgreSQL backend, with a cheaper connection health check.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of every request and every
worker job, so that a connection PostgreSQL closed while it sat idle (a restart, a failover) is replaced
instead of failing the request. Under load that is an extra statement and round trip on every upload
and every job (its share of an upload: docs/performance.md), for connections that answered moments
earlier.

Here a connection that ended its previous request or job without a database error less than
``PROVEN_SECONDS`` ago skips the check; an idle one is still checked. A connection that breaks inside that
window fails its next request, exactly as one that breaks in the middle of a request does today (503,
nothing recorded), and Django drops it at the end of that request because an error occurred.
"""

import time

from django.db.backends.postgresql import base

PROVEN_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    # Django's own attributes (BaseDatabaseWrapper), missing from django-stubs.
    health_check_enabled: bool
    health_check_done: bool
    # When the connection last finished a request or job that used it without a database error.
    _proven_at = float("-inf")

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this at the start and at the end of a request (or job). Only at the end has the
        # health check been done (or skipped), so only then does "no error" mean the connection just worked.
        worked = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if worked and self.connection is not None:
            self._proven_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - self._proven_at < PROVEN_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
