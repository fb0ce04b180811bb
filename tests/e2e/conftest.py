"""End-to-end fixtures: the real services, the real worker commands as subprocesses, a real SMTP server.

Each test gets its own RabbitMQ namespace and GridFS database; PostgreSQL is the test database, committed
for real (transactional_db) so the worker processes see what the test process wrote.
"""

import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from invoices.models import Invoice
from invoices.storage import GridFSStorage

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"
TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)


def stop_process(process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> int | None:
    """Send ``sig`` (a graceful stop by default), then SIGKILL if the process is still there after 30 s."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    return process.returncode


def plain_body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return part.get_content() if part is not None else ""


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted"

    def about(self, invoice_id: Any) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if str(invoice_id) in plain_body(m)]


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class WorkerProcess:
    """``manage.py run_worker QUEUE`` as a real process, its log in a file."""

    def __init__(self, queue: str, env: dict[str, str], log_path: Path) -> None:
        self.queue = queue
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE_PY), "run_worker", queue],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> "WorkerProcess":
        wait_for(
            lambda: "ready: consuming" in self.log() or self.process.poll() is not None, f"{self.queue} ready"
        )
        if self.process.poll() is not None:
            pytest.fail(f"run_worker {self.queue} exited:\n{self.log()[-3000:]}", pytrace=False)
        return self

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int | None:
        returncode = stop_process(self.process, sig)
        self._log.close()
        return returncode


class Pipeline:
    """The services of one end-to-end test and the workers started on them."""

    def __init__(self, storage: GridFSStorage, inbox: Inbox, env: dict[str, str], tmp_path: Path) -> None:
        self.storage = storage
        self.inbox = inbox
        self.env = env
        self.tmp_path = tmp_path
        self.workers: list[WorkerProcess] = []

    def start(self, queue: str) -> WorkerProcess:
        log_path = self.tmp_path / f"{queue}-{len(self.workers)}.log"
        worker = WorkerProcess(queue, self.env, log_path)
        self.workers.append(worker)
        return worker.wait_ready()

    def start_all(self) -> None:
        self.start("render")
        self.start("notify")

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()

    def wait_status(self, invoice_id: Any, *statuses: str, timeout: float = TIMEOUT) -> Invoice:
        def reached() -> Invoice | None:
            invoice = Invoice.objects.get(id=invoice_id)
            return invoice if invoice.status in statuses else None

        return wait_for(reached, f"invoice {invoice_id} to become {'/'.join(statuses)}", timeout)

    def wait_emails(self, invoice_id: Any, count: int = 1) -> list[EmailMessage]:
        return wait_for(
            lambda: len(self.inbox.about(invoice_id)) >= count and self.inbox.about(invoice_id),
            f"{count} email(s) about {invoice_id}",
        )

    def stored_files(self, invoice_id: Any) -> int:
        files = self.storage.database()[f"{self.storage.bucket_name}.files"]
        return files.count_documents({"filename": {"$regex": f"^{invoice_id}/"}})

    def logs(self) -> str:
        return "\n".join(worker.log() for worker in self.workers)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def pipeline(
    transactional_db: None,
    amqp_namespace: str,
    invoices_gridfs_storage: GridFSStorage,
    smtp_inbox: tuple[Inbox, int],
    settings: Any,
    tmp_path: Path,
) -> Iterator[Pipeline]:
    if connection.vendor != "postgresql":
        pytest.fail("end-to-end tests need PostgreSQL: run them through `make test`", pytrace=False)
    inbox, smtp_port = smtp_inbox
    settings.SITE_URL = "http://invoices.test"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "AMQP_URL": settings.AMQP_URL,
        "AMQP_NAMESPACE": settings.AMQP_NAMESPACE,
        "WORKER_DELIVERY_LIMIT": str(settings.WORKER_DELIVERY_LIMIT),
        "MONGODB_URL": invoices_gridfs_storage.mongodb_url,
        "MONGODB_DATABASE": invoices_gridfs_storage.database_name,
        "MONGODB_BUCKET": invoices_gridfs_storage.bucket_name,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SITE_URL": settings.SITE_URL,
        "PYTHONUNBUFFERED": "1",
    }
    line = Pipeline(invoices_gridfs_storage, inbox, env, tmp_path)
    try:
        yield line
    finally:
        line.stop_all()
