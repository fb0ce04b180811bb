"""Which consumer class serves which logical queue.

The logical queue names here are also the routing keys and the queue name suffixes (see topology.py).
"""

import os

from django.utils.module_loading import import_string

from workers.consumer import Consumer

CONSUMERS: dict[str, str] = {
    "render": "workers.consumers.RenderConsumer",
    "notify": "workers.consumers.NotifyConsumer",
}

# Test-only hook, for tests that run ``manage.py run_worker`` as a subprocess and cannot monkeypatch it:
# "render=tests.workers.fake_consumers.FileRecordingConsumer[,notify=...]". Only classes under the
# ``tests.`` package are accepted, and only for queues that exist, so it cannot swap in production code.
TEST_CONSUMERS_ENV = "WORKER_TEST_CONSUMERS"
_TEST_PACKAGE = "tests."


def queue_names() -> tuple[str, ...]:
    return tuple(CONSUMERS)


def consumer_path(queue: str) -> str:
    if queue not in CONSUMERS:
        raise ValueError(f"unknown queue {queue!r}; known: {', '.join(CONSUMERS)}")
    return _test_overrides().get(queue, CONSUMERS[queue])


def get_consumer(queue: str) -> Consumer:
    cls = import_string(consumer_path(queue))
    if not (isinstance(cls, type) and issubclass(cls, Consumer)):
        raise TypeError(f"{cls!r} (for queue {queue!r}) is not a workers.consumer.Consumer subclass")
    consumer = cls()
    if consumer.queue != queue:
        raise TypeError(f"{cls.__name__}.queue is {consumer.queue!r}, but it is registered for {queue!r}")
    return consumer


def _test_overrides() -> dict[str, str]:
    raw = os.environ.get(TEST_CONSUMERS_ENV, "")
    overrides = dict(item.strip().split("=", 1) for item in raw.split(",") if item.strip())
    for queue, path in overrides.items():
        if queue not in CONSUMERS or not path.startswith(_TEST_PACKAGE):
            raise ValueError(f"{TEST_CONSUMERS_ENV}: {queue}={path} is not a test consumer for a known queue")
    return overrides
