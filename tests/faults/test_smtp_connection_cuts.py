"""The notify worker keeps its SMTP connection open between emails; the connection is cut again and again
while the emails of a batch of invoices flow (as a server's idle timeout, a restart or a load balancer would).

Every email still arrives, and none fails: a connection closed while idle is seen before the next email and
replaced; an email whose connection is cut under it is sent again at once on a fresh one. A cut that falls
after the server took an email and before its answer arrived makes that email arrive twice (rule 8's gap,
which no SMTP client can close): the repeat carries the same Message-ID, and the ledger counts it once.
"""

import threading

from invoices.models import Notification
from tests.faults import ledger
from tests.faults.conftest import start_relay, upload

BATCH = 30
CUT_EVERY_SECONDS = 0.3


def test_emails_over_a_kept_connection_cut_again_and_again_all_arrive(smtp_proxy, pipeline, owner_client):
    pipeline.env.update({"NOTIFY_RETRY_BASE_SECONDS": "1", "NOTIFY_RETRY_MAX_SECONDS": "2"})
    pipeline.start_all()
    start_relay(pipeline)
    stop = threading.Event()
    cuts: list[int] = []

    def cut_connections() -> None:
        while not stop.wait(CUT_EVERY_SECONDS):
            cuts.append(smtp_proxy.cut())

    cutter = threading.Thread(target=cut_connections, daemon=True)
    cutter.start()
    try:
        accepted = [upload(owner_client, "csv") for _ in range(BATCH)]
        for invoice_id in accepted:
            pipeline.wait_status(invoice_id, "ready")
    finally:
        stop.set()
        cutter.join(10)

    result = ledger.check(pipeline, accepted, email_repeats=True)
    assert result.emails == BATCH
    assert not Notification.objects.filter(failed_at__isnull=False).exists()
    assert sum(cuts) >= 1, "no live SMTP connection was ever cut: the test proved nothing"
    # A cut kept connection was replaced at once, not left to fail an email and wait for its retry.
    logs = pipeline.logs()
    assert "closed by the server since the last email" in logs or "cut during an email" in logs
