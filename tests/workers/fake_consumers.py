"""Consumers for the tests only (the WORKER_TEST_CONSUMERS hook accepts nothing outside ``tests.``)."""

import os
import threading
import time
from pathlib import Path
from typing import Any

from django.db import transaction

from workers.consumer import Consumer
from workers.errors import PermanentError
from workers.outbox import outbox_add

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


class RecordingConsumer(Consumer):
    queue = "render"

    def consume(self, event: dict[str, Any]) -> None:
        record(f"consume:{self.queue}", event)

    def give_up(self, event: dict[str, Any], reason: str) -> None:
        record(f"give_up:{self.queue}", event)
        reasons.append(reason)


class RecordingNotifyConsumer(RecordingConsumer):
    queue = "notify"


class ChainingRenderConsumer(RecordingConsumer):
    """Like the real render consumer: its own transaction queues a notification through the outbox."""

    def consume(self, event: dict[str, Any]) -> None:
        super().consume(event)
        with transaction.atomic():
            outbox_add(queue="notify", payload={"invoice_id": event["invoice_id"], "kind": "ready"})


class PermanentlyFailingConsumer(RecordingConsumer):
    def consume(self, event: dict[str, Any]) -> None:
        super().consume(event)
        raise PermanentError("unknown invoice")


class AlwaysCrashingConsumer(RecordingConsumer):
    def consume(self, event: dict[str, Any]) -> None:
        super().consume(event)
        raise RuntimeError("MongoDB is down")


class FlakyConsumer(RecordingConsumer):
    """Fails on the first call only."""

    def consume(self, event: dict[str, Any]) -> None:
        super().consume(event)
        if count(f"consume:{self.queue}") == 1:
            raise RuntimeError("SMTP hiccup")


class FileRecordingConsumer(Consumer):
    """For ``run_worker`` subprocesses: writes "start <id>" and "done <id>" lines to $WORKER_TEST_RECORD_FILE,
    sleeping ``event["sleep"]`` seconds in between."""

    queue = "render"

    def consume(self, event: dict[str, Any]) -> None:
        self._write(f"start {event['id']}")
        time.sleep(float(event.get("sleep", 0)))
        self._write(f"done {event['id']}")

    def give_up(self, event: dict[str, Any], reason: str) -> None:
        self._write(f"give_up {event['id']}")

    def _write(self, line: str) -> None:
        with Path(os.environ[RECORD_FILE_ENV]).open("a", encoding="utf-8") as record_file:
            record_file.write(line + "\n")
