"""Scenario 5: the SMTP server is down for longer than the notify queue's whole delivery budget.

The emails are not lost: each notification row keeps its error and a next attempt time, the relay queues
the attempt when it is due, and once the server is back every email is sent, once. Meanwhile the invoices
are ready and downloadable: email is a side effect, not a step of the invoice.
"""

import time

from invoices.models import Notification
from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.conftest import start_relay, upload

BATCH = 10  # invoices whose ready email meets the outage
# Longer than the old budget (5 deliveries, 0.5 + 1 + 2 + 4 s of backoff, after which an email was never
# sent), and long enough for several relay-driven retries at the test's 1-2 s delays.
SMTP_OUTAGE_SECONDS = 15.0
RETRY_ENV = {"NOTIFY_RETRY_BASE_SECONDS": "1", "NOTIFY_RETRY_MAX_SECONDS": "2"}


def test_emails_held_up_by_a_long_smtp_outage_are_sent_once_when_it_ends(smtp_proxy, pipeline, owner_client):
    pipeline.env.update(RETRY_ENV)
    smtp_proxy.down()
    started = time.monotonic()
    pipeline.start_all()
    start_relay(pipeline)

    accepted = [upload(owner_client, "csv") for _ in range(BATCH)]
    for invoice_id in accepted:
        pipeline.wait_status(invoice_id, "ready")
        response = owner_client.get(f"/api/invoices/{invoice_id}/download/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"row_type,")
    wait_for(
        lambda: Notification.objects.filter(attempts__gte=3).count() == BATCH,
        "every email to have failed three times (retried by the relay)",
    )
    assert len(pipeline.inbox.messages) == 0
    time.sleep(max(0.0, SMTP_OUTAGE_SECONDS - (time.monotonic() - started)))  # the rest of the outage
    smtp_proxy.accept()

    result = ledger.check(pipeline, accepted)
    assert result.emails == BATCH
    assert not Notification.objects.filter(failed_at__isnull=False).exists()
    assert smtp_proxy.refused >= 3 * BATCH
