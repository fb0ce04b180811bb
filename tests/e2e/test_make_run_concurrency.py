"""The embedded default under parallel uploads: SQLite must not turn concurrency into lost work.

A probe of `make run` sent 20 uploads at once: every invoice rendered and every email printed, but 14 of the
20 notifications were recorded as "Gave up: ... database is locked" (four immediate tries in 60 ms).
"""

import base64
import json
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import wait_for
from tests.e2e.test_make_run import make_run, request, wait_for_server  # noqa: F401 - make_run is a fixture
from tests.payloads import sample_payload

UPLOADS = 20


def test_parallel_uploads_all_complete_and_every_email_is_recorded_sent(make_run):  # noqa: F811
    base, log_path = make_run
    log = wait_for_server(base, log_path)
    password = re.search(r"password: (\S+)", log).group(1)  # type: ignore[union-attr]
    basic = base64.b64encode(f"demo@example.com:{password}".encode()).decode()
    _, token = request(
        "POST", f"{base}/login", headers={"Authorization": f"Basic {basic}", "Accept": "text/plain"}
    )
    headers = {"Authorization": f"Bearer {token.decode()}", "Content-Type": "application/json"}

    def upload(n: int) -> int:
        payload = sample_payload(fmt="csv")
        payload["invoice"]["number"] = f"PAR-{n:03d}"
        status, _ = request(
            "POST", f"{base}/api/invoices/", body=json.dumps(payload).encode(), headers=headers
        )
        return status

    with ThreadPoolExecutor(UPLOADS) as pool:
        statuses = list(pool.map(upload, range(UPLOADS)))

    assert statuses == [202] * UPLOADS
    db = sqlite3.connect(log_path.parent / "var" / "db.sqlite3")
    # The renders run after the responses, one at a time in the job thread (workers/embedded.py).
    wait_for(lambda: _unfinished(db) == 0, "every invoice rendered and every email recorded", timeout=120)
    invoices = db.execute("SELECT status, COUNT(*) FROM invoices_invoice GROUP BY status").fetchall()
    notes = db.execute(
        "SELECT COUNT(*), COUNT(sent_at), SUM(failed_at IS NOT NULL), GROUP_CONCAT(last_error, ' | ') "
        "FROM invoices_notification"
    ).fetchone()
    assert invoices == [("ready", UPLOADS)]
    assert notes[:3] == (UPLOADS, UPLOADS, 0), notes[3]
    assert log_path.read_text(errors="replace").count("is ready") >= UPLOADS


def _unfinished(db: sqlite3.Connection) -> int:
    """Invoices not ready yet, plus notifications neither sent nor failed."""
    (invoices,) = db.execute("SELECT COUNT(*) FROM invoices_invoice WHERE status != 'ready'").fetchone()
    (notes,) = db.execute(
        "SELECT COUNT(*) FROM invoices_notification WHERE sent_at IS NULL AND failed_at IS NULL"
    ).fetchone()
    (total,) = db.execute("SELECT COUNT(*) FROM invoices_notification").fetchone()
    return invoices + notes + (UPLOADS - total)
