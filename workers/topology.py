"""The exchanges and queues, named from AMQP_NAMESPACE and declared by the code (docs/reliability.md rule 2).

    <ns>             durable direct exchange; routing key = logical queue name ("render", "notify")
    <ns>.<queue>     quorum queue: delivery limit, dead-lettered at-least-once to <ns>.dlx
    <ns>.dlx         durable direct exchange for dead letters, same routing keys
    <ns>.<queue>.dead  quorum queue holding the evidence; nothing consumes it automatically

Every argument is set explicitly so RabbitMQ 3.10 (here) behaves like 4.x (production), whose defaults
differ (4.x gives quorum queues a default delivery limit of 20). Declaring is idempotent, but RabbitMQ
refuses (PRECONDITION_FAILED) to redeclare a queue with different arguments: changing
WORKER_DELIVERY_LIMIT for an existing namespace needs the queues deleted or a policy instead.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from workers.registry import queue_names


@dataclass(frozen=True)
class Topology:
    namespace: str
    delivery_limit: int
    queues: tuple[str, ...]

    @property
    def exchange(self) -> str:
        return self.namespace

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.dlx"

    def queue_name(self, queue: str) -> str:
        return f"{self.namespace}.{queue}"

    def dead_queue_name(self, queue: str) -> str:
        return f"{self.namespace}.{queue}.dead"

    def queue_arguments(self, queue: str) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": queue,
            # At-least-once dead lettering (3.10+) only takes effect with reject-publish overflow; with
            # the default drop-head the broker silently falls back to at-most-once and can lose evidence.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def all_queue_names(self) -> list[str]:
        return [
            name for queue in self.queues for name in (self.queue_name(queue), self.dead_queue_name(queue))
        ]


def current() -> Topology:
    """The topology of the current settings (read at call time, so tests can switch namespaces)."""
    return Topology(
        namespace=settings.AMQP_NAMESPACE,
        delivery_limit=settings.WORKER_DELIVERY_LIMIT,
        queues=queue_names(),
    )


def declare(channel: Any, topology: Topology | None = None) -> Topology:
    """Declare it all on a pika BlockingChannel, the dead-letter side first so dead letters have a route."""
    topology = topology or current()
    channel.exchange_declare(topology.dead_letter_exchange, exchange_type="direct", durable=True)
    for queue in topology.queues:
        dead = topology.dead_queue_name(queue)
        channel.queue_declare(dead, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(dead, topology.dead_letter_exchange, routing_key=queue)
    channel.exchange_declare(topology.exchange, exchange_type="direct", durable=True)
    for queue in topology.queues:
        name = topology.queue_name(queue)
        channel.queue_declare(name, durable=True, arguments=topology.queue_arguments(queue))
        channel.queue_bind(name, topology.exchange, routing_key=queue)
    return topology


def delete(channel: Any, topology: Topology) -> None:
    """Delete a namespace's queues and exchanges, messages included (test runs and benchmarks clean up)."""
    for name in topology.all_queue_names():
        channel.queue_delete(name)
    for exchange in (topology.exchange, topology.dead_letter_exchange):
        channel.exchange_delete(exchange)
