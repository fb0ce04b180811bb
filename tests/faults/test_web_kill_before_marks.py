"""Scenario: the web process is killed (SIGKILL) after it published its uploads' render jobs and before it
wrote their "sent" marks, which wait to be written together (workers/outbox.py, OUTBOX_SENT_MARKS_MS; here
ten minutes, so that none is written before the kill).

No row is ever marked by the web, so the relay beside the workers publishes every render job a second time
once its row is old enough. Each second delivery finds its rendition already done and is ignored: every
invoice has one file, one ledger entry per file and one email, and every outbox row ends up sent.
"""

import json
import os
import signal
import uuid
from pathlib import Path

from invoices.models import Invoice, InvoiceStatus
from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.live_server import LiveServer
from tests.payloads import sample_payload
from workers.models import OutboxMessage

UPLOADS = 20
DUPLICATE = "duplicate job ignored"  # invoices/services.py, on a job whose rendition is no longer queued


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers under its arbiter)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def test_a_web_process_killed_before_writing_its_sent_marks_loses_and_doubles_nothing(pipeline, owner_token):
    pipeline.start_all()
    env = {**pipeline.env, "OUTBOX_SENT_MARKS_MS": "600000"}
    server = LiveServer(env, pipeline.tmp_path / "gunicorn-marks.log")
    try:
        accepted = []
        for _ in range(UPLOADS):
            payload = sample_payload(fmt="csv")
            payload["invoice"]["number"] = f"INV-{uuid.uuid4().hex[:12]}"
            status, body, _type = server.request("POST", "/api/invoices/", payload, owner_token)
            assert status == 202, body[:500]
            accepted.append(json.loads(body)["id"])
        wait_for(
            lambda: Invoice.objects.filter(status=InvoiceStatus.READY).count() == UPLOADS,
            "every upload rendered from the web's own publish",
        )
        [worker] = _children(server.process.pid)
        os.kill(worker, signal.SIGKILL)  # its marks, all still waiting, go with it
    finally:
        server.stop()

    result = ledger.check(pipeline, accepted)  # every row sent (by the relay), one file and email each

    assert result.ready == UPLOADS
    assert OutboxMessage.objects.filter(queue="render", publish_attempts=1).count() == UPLOADS
    # The relay published each job again: each second delivery was a no-op.
    wait_for(lambda: pipeline.logs().count(DUPLICATE) >= UPLOADS, "the relay's second deliveries")
    assert pipeline.logs().count(DUPLICATE) == UPLOADS
    print(f"\nweb killed before its sent marks: {result}; {UPLOADS} jobs published twice, done once")
