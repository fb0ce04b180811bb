"""Scenario 4: PostgreSQL goes away briefly, under a live server and the workers.

The API (a real gunicorn process) and the workers reach PostgreSQL through a FaultProxy; the test process
checks the results directly. During the outage the API answers 503 in the project's JSON error shape (no
500, no stack trace); the workers meet it mid-job and wait it out on the same delivery. Afterwards both
drop their broken connections, open new ones, and nothing is lost.
"""

import json
import time
import uuid

from invoices.models import Invoice, InvoiceStatus
from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.payloads import sample_payload

BATCH_BEFORE = 30  # uploads being rendered when PostgreSQL goes away
DB_DOWN_SECONDS = 5.0  # how long PostgreSQL stays away
REQUESTS_DURING = 5  # uploads (and list requests) sent during the outage
BATCH_AFTER = 10  # uploads once it is back


def _upload(server, token) -> tuple[int, bytes, str]:
    payload = sample_payload(fmt="csv")
    payload["invoice"]["number"] = f"INV-{uuid.uuid4().hex[:12]}"  # a number is issued once
    return server.request("POST", "/api/invoices/", payload, token)


def _in_progress() -> bool:
    return Invoice.objects.filter(status__in=[InvoiceStatus.QUEUED, InvoiceStatus.RENDERING]).exists()


def _assert_unavailable(answer: tuple[int, bytes, str]) -> None:
    status, body, content_type = answer
    assert status == 503, body[:500]
    assert content_type.startswith("application/json"), content_type
    assert json.loads(body)["error"]["code"] == "service_unavailable"
    assert b"Traceback" not in body


def test_a_database_outage_is_a_clean_503_and_loses_nothing(
    postgres_proxy, pipeline, live_server_on, owner_token
):
    pipeline.start("notify")
    server = live_server_on()
    accepted = []
    for _ in range(BATCH_BEFORE):
        status, body, _type = _upload(server, owner_token)
        assert status == 202, body[:500]
        accepted.append(json.loads(body)["id"])
    pipeline.start("render")  # after the uploads: a backlog is being rendered when the outage hits
    wait_for(lambda: Invoice.objects.filter(status=InvoiceStatus.READY).exists(), "rendering under way")

    cut = postgres_proxy.down()
    still_in_progress = _in_progress()
    down_until = time.monotonic() + DB_DOWN_SECONDS
    for _ in range(REQUESTS_DURING):
        _assert_unavailable(_upload(server, owner_token))
        _assert_unavailable(server.request("GET", "/api/invoices/", token=owner_token))
    time.sleep(max(0.0, down_until - time.monotonic()))  # the rest of the outage
    postgres_proxy.accept()

    for _ in range(BATCH_AFTER):
        status, body, _type = _upload(server, owner_token)
        assert status == 202, body[:500]
        accepted.append(json.loads(body)["id"])
    result = ledger.check(pipeline, accepted, orphans_expected=True)

    assert result.ready == BATCH_BEFORE + BATCH_AFTER
    assert cut >= 3, "the outage should have cut the server's and the workers' connections"
    assert still_in_progress, "the batch was rendered before the outage: make BATCH_BEFORE larger"
    assert "a backing service is unavailable" in pipeline.logs(), "no worker met the outage mid-job"
    print(f"\ndatabase outage: {cut} connections cut, in progress at the cut: {still_in_progress}; {result}")
