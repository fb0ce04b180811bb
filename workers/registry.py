"""The consumers and sweeps the apps plug in, and the base class of a consumer.

An app registers them in its ``consumers`` module with ``@consumer("<queue>")`` and ``@sweep("<name>")``.
Those modules are imported on the first lookup, not at start-up: they pull in whatever their jobs need
(renderers, template engines), which a web process must not pay for before it serves a request.

The logical queue names are also the routing keys and the queue name suffixes (see topology.py).
"""

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from django.utils.module_loading import autodiscover_modules, import_string

from workers.errors import PermanentError
from workers.jobs import Job

logger = logging.getLogger(__name__)

JobT = TypeVar("JobT", bound=Job)
ConsumerT = TypeVar("ConsumerT", bound="type[Consumer[Any]]")
Sweep = Callable[[], int]

# Test-only hook, for tests that run ``manage.py run_worker`` as a subprocess and cannot monkeypatch it:
# "render=tests.workers.fake_consumers.FileRecordingConsumer[,notify=...]". Only classes under the
# ``tests.`` package are accepted, and only for queues that exist, so it cannot swap in production code.
TEST_CONSUMERS_ENV = "WORKER_TEST_CONSUMERS"
_TEST_PACKAGE = "tests."

_consumers: dict[str, type["Consumer[Any]"]] = {}
_sweeps: dict[str, Sweep] = {}
_discovered = False
# Reentrant: a consumers module being imported may itself look something up.
_discovery_lock = threading.RLock()


class Consumer(Generic[JobT]):
    """Subclass per logical queue, naming its job class; the runner (or the embedded dispatcher) owns ack,
    retry and shutdown.

    ``handle`` may run more than once for one job (at-least-once delivery, a redelivery after a crash), so
    it must be idempotent. It returns normally once its work is committed: only then is the message acked.
    """

    job: type[JobT]

    @property
    def queue(self) -> str:
        return self.job.queue

    def consume(self, event: dict[str, Any]) -> None:
        """The runner's entry point: the event as the message carried it."""
        self.handle(self.job.from_payload(event))

    def give_up(self, event: dict[str, Any], reason: str) -> None:
        """The runner's entry point once the event will not be retried any more (a permanent error or the
        last delivery). Raising here makes the runner requeue the message, so ``fail`` must be idempotent."""
        try:
            job = self.job.from_payload(event)
        except PermanentError:
            # No job to record the failure on: the message itself goes to the dead-letter queue.
            logger.error("giving up on %s event %s: %s", self.queue, event, reason)
            return
        self.fail(job, reason)

    def handle(self, job: JobT) -> None:
        """Do the work. Raise PermanentError for a job that can never succeed; anything else is retried."""
        raise NotImplementedError

    def fail(self, job: JobT, reason: str) -> None:
        """The domain overrides this to record the failure (the invoice becomes ``failed``, says why)."""
        logger.error("giving up on %s job %s: %s", self.queue, job, reason)


def consumer(queue: str) -> Callable[[ConsumerT], ConsumerT]:
    """Class decorator: the consumer of ``queue``, whose job class must be for that queue."""

    def register(cls: ConsumerT) -> ConsumerT:
        job_queue = getattr(getattr(cls, "job", None), "queue", None)
        if job_queue != queue:
            raise TypeError(f"{cls.__name__}.job is for {job_queue!r}, but it is registered for {queue!r}")
        _register(_consumers, queue, cls)
        return cls

    return register


def sweep(name: str) -> Callable[[Sweep], Sweep]:
    """Function decorator: a periodic sweep the relay loop runs on every pass; it returns how many jobs it
    queued (a busy sweep keeps the relay at its fast pace)."""

    def register(function: Sweep) -> Sweep:
        _register(_sweeps, name, function)
        return function

    return register


def queue_names() -> tuple[str, ...]:
    return tuple(_discover(_consumers))


def sweeps() -> dict[str, Sweep]:
    return dict(_discover(_sweeps))


def consumer_class(queue: str) -> type["Consumer[Any]"]:
    registered = _discover(_consumers)
    if queue not in registered:
        raise ValueError(f"unknown queue {queue!r}; known: {', '.join(registered)}")
    override = _test_overrides().get(queue)
    return registered[queue] if override is None else _test_class(override)


def get_consumer(queue: str) -> "Consumer[Any]":
    cls = consumer_class(queue)
    instance = cls()
    if instance.queue != queue:
        raise TypeError(f"{cls.__name__}.queue is {instance.queue!r}, but it is registered for {queue!r}")
    return instance


def _register(registry: dict[str, Any], name: str, item: Any) -> None:
    # Re-importing the same module (autoreload, a test) registers an equal class again; two different
    # ones for one name would make the outcome depend on import order.
    existing = registry.get(name)
    if existing is not None and _qualname(existing) != _qualname(item):
        raise ValueError(f"{name!r} is already registered to {_qualname(existing)}, not {_qualname(item)}")
    registry[name] = item


def _qualname(item: Any) -> str:
    return f"{item.__module__}.{item.__qualname__}"


def _discover(registry: dict[str, Any]) -> Mapping[str, Any]:
    global _discovered
    with _discovery_lock:
        if not _discovered:
            autodiscover_modules("consumers")
            _discovered = True
    return registry


def _test_class(path: str) -> type["Consumer[Any]"]:
    cls = import_string(path)
    if not (isinstance(cls, type) and issubclass(cls, Consumer)):
        raise TypeError(f"{cls!r} is not a workers.registry.Consumer subclass")
    return cls


def _test_overrides() -> dict[str, str]:
    raw = os.environ.get(TEST_CONSUMERS_ENV, "")
    overrides = dict(item.strip().split("=", 1) for item in raw.split(",") if item.strip())
    for queue, path in overrides.items():
        if queue not in _consumers or not path.startswith(_TEST_PACKAGE):
            raise ValueError(f"{TEST_CONSUMERS_ENV}: {queue}={path} is not a test consumer for a known queue")
    return overrides
