"""The workers' own Prometheus metrics (the web app serves them at /metrics, a worker on its own port)."""

from prometheus_client import Counter

PUBLISH_FAILURES = Counter(
    "invoice_queue_publish_failures",
    "Jobs that could not be published to RabbitMQ (left in the outbox for the relay).",
    ["queue"],
)
