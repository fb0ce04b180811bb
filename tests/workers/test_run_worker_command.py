"""``manage.py run_worker`` as a real process: ready, SIGTERM, SIGKILL mid-job."""

import os
import signal
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.amqp import dead_letters, queue_message_count, wait_until
from tests.workers.fake_consumers import RECORD_FILE_ENV
from workers.publisher import Publisher
from workers.registry import TEST_CONSUMERS_ENV

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


class Worker:
    """``manage.py run_worker render --no-relay`` with the file-recording test consumer."""

    def __init__(self, record_file: Path) -> None:
        env = {
            **os.environ,
            "AMQP_URL": settings.AMQP_URL,
            "AMQP_NAMESPACE": settings.AMQP_NAMESPACE,
            "WORKER_DELIVERY_LIMIT": str(settings.WORKER_DELIVERY_LIMIT),
            TEST_CONSUMERS_ENV: "render=tests.workers.fake_consumers.FileRecordingConsumer",
            RECORD_FILE_ENV: str(record_file),
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE_PY), "run_worker", "render", "--no-relay"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.log: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if "ready: consuming" in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 20) -> None:
        if not self.ready.wait(timeout):
            self.process.kill()
            pytest.fail("run_worker never logged ready:\n" + "".join(self.log[-30:]), pytrace=False)

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _started(path: Path, times: int) -> bool:
    return _lines(path).count("start a") == times


def test_run_worker_in_embedded_mode_says_why_there_is_nothing_to_run_and_returns(settings, caplog):
    # Jobs run in the web process; a second process running the unsent rows would run them twice.
    settings.AMQP_URL = ""
    with caplog.at_level("INFO", logger="workers.run_worker"):
        call_command("run_worker", "render")
    assert "embedded mode (no AMQP_URL): jobs run inside the web process" in caplog.text


def test_run_worker_logs_ready_and_exits_0_on_sigterm_after_finishing_its_job(amqp_namespace, tmp_path):
    record = tmp_path / "record.txt"
    worker = Worker(record)
    worker.wait_ready()
    with Publisher() as publisher:
        publisher.publish("render", {"id": "a", "sleep": 1}, "m-a")
    wait_until(lambda: "start a" in _lines(record), 10, "the job to start")

    assert worker.stop(signal.SIGTERM) == 0

    assert _lines(record) == ["start a", "done a"]
    assert queue_message_count(f"{amqp_namespace}.render") == 0  # acked before exiting


def test_a_job_killed_mid_way_is_redelivered_to_another_worker_and_done_once(amqp_namespace, tmp_path):
    record = tmp_path / "record.txt"
    with Publisher() as publisher:
        publisher.publish("render", {"id": "a", "sleep": 2}, "m-a")
    first = Worker(record)
    wait_until(lambda: "start a" in _lines(record), 20, "the first worker to start the job")

    assert first.stop(signal.SIGKILL) == -signal.SIGKILL

    second = Worker(record)
    wait_until(lambda: "done a" in _lines(record), 20, "the second worker to finish the job")
    assert second.stop(signal.SIGTERM) == 0
    assert _lines(record) == ["start a", "start a", "done a"]
    assert queue_message_count(f"{amqp_namespace}.render") == 0
    assert queue_message_count(f"{amqp_namespace}.render.dead") == 0


def test_a_message_that_kills_every_worker_is_given_up_on_the_delivery_past_the_limit(
    amqp_namespace, settings, tmp_path
):
    # RabbitMQ 3.10 counts a delivery returned by a dead connection too, and dead-letters the message
    # once that count exceeds x-delivery-limit: limit + 1 deliveries in all. The runner spends that last
    # delivery on give_up without running the job, so the domain hears of it even when no attempt lived.
    settings.WORKER_DELIVERY_LIMIT = 2
    record = tmp_path / "record.txt"
    with Publisher() as publisher:
        publisher.publish("render", {"id": "a", "sleep": 60}, "m-a")

    for delivery in range(1, 3):
        worker = Worker(record)
        wait_until(partial(_started, record, delivery), 20, f"delivery {delivery}")
        worker.stop(signal.SIGKILL)
    last = Worker(record)
    wait_until(lambda: "give_up a" in _lines(record), 20, "the third delivery to give up")

    [dead] = dead_letters("render", timeout=10)
    assert last.stop(signal.SIGTERM) == 0
    assert _lines(record) == ["start a", "start a", "give_up a"]
    assert dead.reason == "rejected"
    assert dead.event == {"id": "a", "sleep": 60}
