import json
import shutil
import subprocess

import pytest

from tests.amqp import fetch_messages, with_channel
from workers import topology
from workers.publisher import Publisher


def _declared_queues(namespace: str) -> dict[str, dict]:
    """Queue name -> arguments, as the broker reports them (the management API is not available)."""
    if shutil.which("rabbitmqctl") is None:
        pytest.fail(
            "rabbitmqctl is not on PATH: it is needed to read the queues' arguments back", pytrace=False
        )
    listing = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "--formatter", "json", "name", "arguments", "type"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return {
        queue["name"]: {name: value for name, _type, value in queue["arguments"]}
        for queue in json.loads(listing.stdout)
        if queue["name"].startswith(namespace + ".")
    }


def test_declare_creates_quorum_queues_with_explicit_limits_and_dead_lettering(amqp_namespace, settings):
    settings.WORKER_DELIVERY_LIMIT = 4
    with_channel(topology.declare)

    queues = _declared_queues(amqp_namespace)

    assert set(queues) == {
        f"{amqp_namespace}.render",
        f"{amqp_namespace}.notify",
        f"{amqp_namespace}.webhook",
        f"{amqp_namespace}.render.dead",
        f"{amqp_namespace}.notify.dead",
        f"{amqp_namespace}.webhook.dead",
    }
    assert queues[f"{amqp_namespace}.render"] == {
        "x-queue-type": "quorum",
        "x-delivery-limit": 4,
        "x-dead-letter-exchange": f"{amqp_namespace}.dlx",
        "x-dead-letter-routing-key": "render",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    assert queues[f"{amqp_namespace}.notify"]["x-dead-letter-routing-key"] == "notify"
    assert queues[f"{amqp_namespace}.render.dead"] == {"x-queue-type": "quorum"}


def test_declare_is_idempotent(amqp_namespace):
    with_channel(topology.declare)
    with_channel(topology.declare)


def test_messages_are_routed_by_logical_queue_name(amqp_namespace):
    with Publisher() as publisher:
        publisher.publish("notify", {"invoice_id": "n1", "kind": "ready"}, "m-1")

    assert [m.event for m in fetch_messages(f"{amqp_namespace}.notify")] == [
        {"invoice_id": "n1", "kind": "ready"}
    ]
    assert fetch_messages(f"{amqp_namespace}.render") == []
