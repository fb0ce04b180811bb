"""Scenario 2: RabbitMQ restarts during a batch of uploads, for the web side and the workers alike.

Both the API (this process's fast-path publish after commit) and the workers (consumers, relays, and a
``run_worker relay`` process) reach RabbitMQ through one FaultProxy. Mid-batch it cuts every connection
and refuses new ones for a few seconds, then accepts again: a restart as the clients see it. Each upload
either gets 202 and completes, or a clear 503 JSON error; one accepted while the broker was down
completes once it is back (the outbox relay publishes it).
"""

import time

from tests.e2e.conftest import wait_for
from tests.faults import ledger
from tests.faults.conftest import post_invoice, start_relay

BATCH_BEFORE = 20  # uploads before the restart
BROKER_DOWN_SECONDS = 5.0  # how long the broker refuses connections
BATCH_DURING = 20  # uploads while it is down
BATCH_AFTER = 20  # uploads after it is back


def _post(client, accepted: list[str], answers: list[int]) -> None:
    response = post_invoice(client, "csv")
    answers.append(response.status_code)
    if response.status_code == 202:
        accepted.append(str(response.json()["id"]))
        return
    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "service_unavailable"


def test_uploads_during_a_broker_restart_complete_or_get_a_clear_503(broker_proxy, pipeline, owner_client):
    pipeline.start_all()
    start_relay(pipeline)
    accepted: list[str] = []
    answers: list[int] = []
    for _ in range(BATCH_BEFORE):
        _post(owner_client, accepted, answers)

    cut = broker_proxy.down()
    down_until = time.monotonic() + BROKER_DOWN_SECONDS
    during: list[str] = []
    for _ in range(BATCH_DURING):
        _post(owner_client, during, answers)
    time.sleep(max(0.0, down_until - time.monotonic()))  # the rest of the outage
    broker_proxy.accept()
    for _ in range(BATCH_AFTER):
        _post(owner_client, accepted, answers)

    result = ledger.check(pipeline, [*accepted, *during])
    assert result.ready == len(accepted) + len(during)
    assert set(answers) <= {202, 503}
    assert during, "no upload was accepted while the broker was down"
    assert cut >= 4, "the restart should have cut the workers' and the web side's connections"
    assert broker_proxy.refused > 0
    wait_for(lambda: "lost the broker connection" in pipeline.logs(), "the workers to have seen the restart")
    print(
        f"\nbroker restart: {cut} connections cut, {broker_proxy.refused} refused, "
        f"{answers.count(202)}x202 {answers.count(503)}x503, {len(during)} accepted while down; {result}"
    )
