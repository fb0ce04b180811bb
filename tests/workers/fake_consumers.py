"""Consumers for the tests only (the WORKER_TEST_CONSUMERS hook accepts nothing outside ``tests.``)."""

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from django.db import OperationalError, transaction

from workers.errors import PermanentError
from workers.jobs import Job
from workers.outbox import outbox_add
from workers.registry import TEST_CONSUMERS_ENV, Consumer

RECORD_FILE_ENV = "WORKER_TEST_RECORD_FILE"

_lock = threading.Lock()
calls: list[tuple[str, dict[str, Any]]] = []  # ("consume:<queue>" or "give_up:<queue>", event)
reasons: list[str] = []


def reset() -> None:
    calls.clear()
    reasons.clear()


def record(what: str, event: dict[str, Any]) -> None:
    with _lock:
        calls.append((what, event))


def count(what: str) -> int:
    with _lock:
        return sum(1 for name, _ in calls if name == what)


def use(monkeypatch: Any, queue: str, name: str) -> None:
    """Serve ``queue`` with the class ``name`` of this module, through the registry's test hook."""
    earlier = [item for item in os.environ.get(TEST_CONSUMERS_ENV, "").split(",") if item]
    monkeypatch.setenv(
        TEST_CONSUMERS_ENV, ",".join([*earlier, f"{queue}=tests.workers.fake_consumers.{name}"])
    )


@dataclass(frozen=True)
class RecordedRender(Job):
    """Any event at all, kept as it came: these consumers record what the runner hands them."""

    queue: ClassVar[str] = "render"

    event: dict[str, Any]

    def to_payload(self) -> dict[str, Any]:
        return dict(self.event)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(event=dict(payload))


@dataclass(frozen=True)
class RecordedNotify(RecordedRender):
    queue: ClassVar[str] = "notify"


@dataclass(frozen=True)
class UnknownQueueJob(RecordedRender):
    queue: ClassVar[str] = "randr"


class RecordingConsumer(Consumer[RecordedRender]):
    job: type[RecordedRender] = RecordedRender

    def handle(self, job: RecordedRender) -> None:
        record(f"consume:{self.queue}", job.event)

    def fail(self, job: RecordedRender, reason: str) -> None:
        record(f"give_up:{self.queue}", job.event)
        reasons.append(reason)


class RecordingNotifyConsumer(RecordingConsumer):
    job = RecordedNotify


class ChainingRenderConsumer(RecordingConsumer):
    """Like the real render consumer: its own transaction queues a notification through the outbox."""

    def handle(self, job: RecordedRender) -> None:
        super().handle(job)
        with transaction.atomic():
            outbox_add(RecordedNotify({"invoice_id": job.event["invoice_id"], "kind": "ready"}))


class PermanentlyFailingConsumer(RecordingConsumer):
    def handle(self, job: RecordedRender) -> None:
        super().handle(job)
        raise PermanentError("unknown invoice")


class AlwaysCrashingConsumer(RecordingConsumer):
    def handle(self, job: RecordedRender) -> None:
        super().handle(job)
        raise RuntimeError("MongoDB is down")


class FlakyConsumer(RecordingConsumer):
    """Fails on the first call only."""

    def handle(self, job: RecordedRender) -> None:
        super().handle(job)
        if count(f"consume:{self.queue}") == 1:
            raise RuntimeError("SMTP hiccup")


class LockedDatabaseConsumer(RecordingConsumer):
    """Meets SQLite's "database is locked" on its first ``event["locked"]`` calls (default 2)."""

    def handle(self, job: RecordedRender) -> None:
        super().handle(job)
        if count(f"consume:{self.queue}") <= int(job.event.get("locked", 2)):
            raise OperationalError("database is locked")


class GatedConsumer(RecordingConsumer):
    """Records its call, then waits until the test opens ``gate``: a render still running."""

    gate: ClassVar[threading.Event] = threading.Event()

    def handle(self, job: RecordedRender) -> None:
        super().handle(job)
        if not self.gate.wait(30):
            raise RuntimeError("the test never opened the gate")


class FileRecordingConsumer(Consumer[RecordedRender]):
    """For ``run_worker`` subprocesses: writes "start <id>" and "done <id>" lines to $WORKER_TEST_RECORD_FILE,
    sleeping ``event["sleep"]`` seconds in between."""

    job = RecordedRender

    def handle(self, job: RecordedRender) -> None:
        self._write(f"start {job.event['id']}")
        time.sleep(float(job.event.get("sleep", 0)))
        self._write(f"done {job.event['id']}")

    def fail(self, job: RecordedRender, reason: str) -> None:
        self._write(f"give_up {job.event['id']}")

    def _write(self, line: str) -> None:
        with Path(os.environ[RECORD_FILE_ENV]).open("a", encoding="utf-8") as record_file:
            record_file.write(line + "\n")
