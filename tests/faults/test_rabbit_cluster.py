"""Scenario: the RabbitMQ node leading the render queue stops in the middle of a 500-invoice batch.

Three nodes of Debian's rabbitmq-server (``scripts/rabbit-cluster.sh``, started on demand) hold the
namespace's queues as quorum queues with a member on every node. Everything is given the three nodes in
AMQP_URL: the render and notify workers (each with its relay thread), a ``run_worker relay`` process and
this process's fast-path publisher. A batch of 500 CSV invoices is posted; once a fifth of it is rendered,
the node leading the render queue stops (``rabbitmqctl stop_app``: its connections close, its listener
goes). Measured: how long until the consumers are consuming again on another node, the longest pause in
rendering around the stop, and how long until this process's fast path publishes again (single uploads
posted every quarter second meanwhile). Then the node starts again, and the ledger check holds: every
invoice ready, nothing lost, nothing twice, the hash chain intact. The figures are in docs/reliability.md.
"""

import itertools
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from invoices.models import Invoice, InvoiceStatus
from tests.batches.conftest import documents, post_batch
from tests.e2e.conftest import Pipeline, WorkerProcess, wait_for
from tests.faults import ledger
from tests.faults.conftest import post_invoice, start_relay
from workers import outbox
from workers.broker import connection_parameters
from workers.models import OutboxMessage

CLUSTER = Path(__file__).resolve().parents[2] / "scripts" / "rabbit-cluster.sh"
NODES = (1, 2, 3)
BATCH = 500
STOP_AFTER = BATCH // 5  # invoices rendered before the leader stops: the rest is rendered through the loss
# Seconds: consumers work again on another node within this of losing their connection, and uploads publish
# again within this of the stop command. A consumer's clock starts when its node lets go of it: a graceful
# stop_app takes RabbitMQ itself 1-11 s to close its connections (the longer on a loaded machine), which is
# the broker's shutdown, not the failover (seen at 11.8 s from the command, 0.7 s from the loss).
MOVE_LIMIT = 10.0
UPLOAD_EVERY = 0.25  # seconds between the single uploads that probe the fast path during the loss
# Seconds the fast path is probed for, at most, counted from the stop command's return: the command itself
# once took 15 s under the whole suite, which left a window counted from its start no probe at all.
PROBE_WINDOW = 15.0
LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"  # the asctime of the workers' plain log lines (invoicesite/settings.py)


def cluster(*args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [str(CLUSTER), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"rabbit-cluster.sh {' '.join(args)}: {result.stderr}{result.stdout}"
    return result.stdout


def node_name(node: int) -> str:
    return f"rabbit-c{node}@localhost"


@pytest.fixture(scope="module")
def amqp_url() -> Iterator[str]:
    """The cluster's three nodes instead of the suite's single broker (overrides tests.amqp's fixture, so
    ``amqp_namespace`` and ``pipeline`` use it, and delete the namespace's queues on it afterwards).

    Stopped afterwards: a cluster left running would hold its ports against another checkout's run (CI's
    fresh clone on the same machine); `rabbit-cluster.sh up` also stops one a killed run left behind."""
    cluster("up")
    yield cluster("url").strip()
    cluster("down")


@pytest.fixture
def stopped_nodes(pipeline: Pipeline) -> Iterator[set[int]]:
    """Nodes the test stops; started again at teardown, whatever happened, before the namespace is deleted."""
    stopped: set[int] = set()
    yield stopped
    if stopped:
        cluster("up")


def queue_placement(name: str) -> tuple[str, list[str]]:
    """(leader, members) of a quorum queue, by its full name."""
    listed = json.loads(
        cluster("ctl", "2", "list_queues", "name", "leader", "members", "--formatter", "json")
    )
    [queue] = [queue for queue in listed if queue["name"] == name]
    return queue["leader"], sorted(queue["members"])


def reconnection(log: str, after: datetime) -> tuple[datetime, datetime, str] | None:
    """From a worker's log: when, after ``after``, it lost its connection, when it was consuming again,
    and on which node ("host:port"); None until it is consuming again."""
    lost_at = None
    for line in log.splitlines():
        if line[:4].isdigit() and datetime.strptime(line[:23], LOG_TIME) <= after:
            continue
        if lost_at is None and " lost the broker connection " in line:
            lost_at = datetime.strptime(line[:23], LOG_TIME)
        elif lost_at is not None and " ready: consuming " in line:
            return lost_at, datetime.strptime(line[:23], LOG_TIME), line.rsplit(" on ", 1)[1]
    return None


def longest_render_pause(around: datetime) -> float:
    """The longest time between two invoices finishing, from one second before ``around`` on (seconds)."""
    done = sorted(
        rendered
        for rendered in Invoice.objects.filter(status=InvoiceStatus.READY).values_list(
            "rendered_at", flat=True
        )
        if rendered is not None
    )
    local = [datetime.fromtimestamp(moment.timestamp()) for moment in done]
    window = [moment for moment in local if moment >= around - timedelta(seconds=1)]
    return max((b - a).total_seconds() for a, b in itertools.pairwise(window))


def probe_fast_path(client: Any, accepted: list[str], since: float) -> float | None:
    """Post single uploads until one is published by this process's fast path; seconds from ``since``."""
    started = time.monotonic()
    while time.monotonic() - started < PROBE_WINDOW:
        response = post_invoice(client, "csv")
        assert response.status_code == 202, response.content
        invoice_id = str(response.json()["id"])
        accepted.append(invoice_id)
        outbox.flush_sent_marks()  # this process's marks, written now rather than within 0.2 s
        if OutboxMessage.objects.filter(payload__invoice_id=invoice_id, sent_at__isnull=False).exists():
            return time.monotonic() - since
        time.sleep(UPLOAD_EVERY)
    return None


def moved(worker: WorkerProcess, stopped_at: datetime) -> tuple[float, float, str, datetime]:
    """(seconds from the stop command, seconds from the loss of its connection, its new node, the loss)."""
    lost_at, back_at, node = wait_for(
        lambda: reconnection(worker.log(), stopped_at), f"{worker.queue} consuming again"
    )
    return (back_at - stopped_at).total_seconds(), (back_at - lost_at).total_seconds(), node, lost_at


def test_losing_the_render_queues_leader_mid_batch_moves_everyone_and_loses_nothing(
    pipeline, stopped_nodes, owner_client
):
    layout_render = f"{django_settings.AMQP_NAMESPACE}.render"
    layout_notify = f"{django_settings.AMQP_NAMESPACE}.notify"
    pipeline.start_all()
    relay = start_relay(pipeline)
    everyone = sorted(node_name(node) for node in NODES)
    for queue in (layout_render, layout_notify):
        assert queue_placement(queue)[1] == everyone, f"{queue} is not replicated on all three nodes"
    leader, _ = queue_placement(layout_render)
    leader_node = next(node for node in NODES if node_name(node) == leader)

    accepted: list[str] = []
    # One upload first, so this process's fast path holds a connection when the node goes.
    assert probe_fast_path(owner_client, accepted, time.monotonic()) is not None
    response = post_batch(owner_client, documents(BATCH, prefix="CL"))
    assert response.status_code == 202, response.content[:2000]
    accepted += [item["id"] for item in response.json()["items"]]
    wait_for(
        lambda: Invoice.objects.filter(status=InvoiceStatus.READY).count() >= STOP_AFTER,
        f"{STOP_AFTER} invoices rendered",
        timeout=120,
    )

    stopped_at = datetime.now()
    since = time.monotonic()
    stopped_nodes.add(leader_node)
    cluster("ctl", str(leader_node), "stop_app")
    stop_took = time.monotonic() - since
    left = Invoice.objects.exclude(status=InvoiceStatus.READY).count()
    publish_back = probe_fast_path(owner_client, accepted, since)
    assert left > 0, "the batch was rendered before the node stopped: nothing was rendered through the loss"

    moves = {  # queue: (seconds from the stop command, seconds from the connection's loss, new node, loss)
        worker.queue: moved(worker, stopped_at) for worker in pipeline.workers if worker is not relay
    }
    new_leader, members = queue_placement(layout_render)

    restart = time.monotonic()
    cluster("ctl", str(leader_node), "start_app")
    restarted = time.monotonic() - restart
    stopped_nodes.discard(leader_node)

    result = ledger.check(pipeline, accepted)
    # From the first connection the node let go of: before it, the node was still stopping (RabbitMQ's
    # stop_app once took 11 s to let go under the whole suite in parallel), so the limits count from there.
    let_go = min(lost_at for *_, lost_at in moves.values())
    pause = longest_render_pause(let_go)
    assert publish_back is not None, (
        f"the fast path did not publish within {PROBE_WINDOW} s of the stop command's return "
        f"(the command took {stop_took:.1f} s)"
    )
    publish_since_let_go = (stopped_at + timedelta(seconds=publish_back) - let_go).total_seconds()
    consumers = ", ".join(
        f"{queue} {seconds:.2f} s after the stop command ({since_loss:.2f} s after its connection closed) "
        f"on {node}"
        for queue, (seconds, since_loss, node, _) in moves.items()
    )
    print(
        f"\nnode loss: stopped {leader} (render queue leader) with {left} of {BATCH + 1} invoices to go; "
        f"new leader {new_leader}; stop command took {stop_took:.1f} s; consumers back: {consumers}; "
        f"fast path publishing again "
        f"{publish_back:.2f} s after the stop command ({publish_since_let_go:.2f} s after the node let go of "
        f"its first connection); longest render pause {pause:.2f} s; "
        f"node back in {restarted:.1f} s; {len(accepted)} accepted; {result}"
    )
    assert new_leader != leader
    assert members == everyone
    lost = connection_parameters()[leader_node - 1]
    assert all(node != f"{lost.host}:{lost.port}" for _, _, node, _ in moves.values()), moves
    assert all(since_loss < MOVE_LIMIT for _, since_loss, _, _ in moves.values()), moves
    assert publish_since_let_go < MOVE_LIMIT, publish_back
    assert pause < MOVE_LIMIT, pause
    assert result.ready == len(accepted)
    assert result.failed == 0
