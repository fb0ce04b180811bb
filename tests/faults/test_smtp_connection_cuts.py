"""The notify worker keeps its SMTP connection open between emails; the connection is cut again and again
while the emails of a batch of invoices flow (as a server's idle timeout, a restart or a load balancer would).

Every email still arrives once: an email whose kept connection turns out dead is sent again on a fresh one
before anything of it reached the server, and any other failure leaves the notification to its retry.
"""

import threading

from invoices.models import Notification
from tests.faults import ledger
from tests.faults.conftest import start_relay, upload

BATCH = 30
CUT_EVERY_SECONDS = 0.3


def test_emails_over_a_kept_connection_cut_again_and_again_arrive_once(smtp_proxy, pipeline, owner_client):
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

    result = ledger.check(pipeline, accepted)
    assert result.emails == BATCH
    assert not Notification.objects.filter(failed_at__isnull=False).exists()
    assert sum(cuts) >= 1, "no live SMTP connection was ever cut: the test proved nothing"
    # The kept connection was found cut and the email sent again at once, not left to a later attempt.
    assert "sending again on a fresh one" in pipeline.logs()
