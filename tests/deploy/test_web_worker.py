"""invoicesite/web_worker.py in the real gunicorn, started with docker/gunicorn.conf.py.

Each request here holds a thread for as long as its client withholds the rest of its body (a slow client,
tests/deploy/slow_body_app.py), and which process accepted each connection is read from /proc: the
accepted socket is a file descriptor of that process only.
"""

import os
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / os.environ.get("VENV", ".venv") / "bin"
BODY = b"0123456789"
LONG_HOLD_MS = "20000"  # longer than any wait below: a busy process never accepts by the hold's end


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], object], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {seconds} s waiting for {what}", pytrace=False)


class Server:
    def __init__(self, tmp_path: Path, workers: int, threads: int, hold_ms: str) -> None:
        self.port = free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        self.ready_dir = tmp_path / f"ready-{self.port}"
        self.ready_dir.mkdir()
        env = {
            **os.environ,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCEPT_HOLD_MS": hold_ms,
            "GUNICORN_GRACEFUL_TIMEOUT": "20",
            "GUNICORN_WORKER_TMP_DIR": str(tmp_path),
            "SLOW_BODY_APP_READY_DIR": str(self.ready_dir),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "tests.deploy.slow_body_app:app",
                    "-c",
                    "docker/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(lambda: self._ready(workers), f"{workers} gunicorn workers in their accept loop", 30)

    def _ready(self, workers: int) -> bool:
        pids = self.worker_pids()
        return len(pids) == workers and all((self.ready_dir / str(pid)).exists() for pid in pids)

    def worker_pids(self) -> list[int]:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited: {self.log.read_text()[-3000:]}")
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def accepted_by(self) -> Counter[int]:
        """How many of the server's established connections each worker holds (accepted ones only)."""
        established = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == self.port and fields[3] == "01":
                established.add(fields[9])
        counts: Counter[int] = Counter()
        for pid in self.worker_pids():
            try:
                targets = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            except OSError:
                continue
            sockets = [target[8:-1] for target in targets if target.startswith("socket:[")]
            counts[pid] = sum(1 for inode in sockets if inode in established)
        return +counts

    def slow_client(self) -> socket.socket:
        """A connection whose request waits for the rest of its body: it holds a thread until finish()."""
        client = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        head = f"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
        client.sendall(head.encode() + BODY[:3])
        return client

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


def finish(client: socket.socket) -> int:
    """Send the rest of the body; the answer names the process that served the request."""
    client.sendall(BODY[3:])
    answer = b""
    while chunk := client.recv(4096):
        answer += chunk
    client.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer
    return int(body)


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def make(workers: int, threads: int, hold_ms: str = LONG_HOLD_MS) -> Server:
        server = Server(tmp_path, workers, threads, hold_ms)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def test_connections_arriving_together_are_spread_over_the_processes(start):
    server = start(workers=3, threads=8)  # a process stops accepting at 4 requests in progress
    clients = [server.slow_client() for _ in range(12)]
    wait_for(lambda: sum(server.accepted_by().values()) == 12, "all twelve connections accepted")

    spread = server.accepted_by()
    served_by = Counter(finish(client) for client in clients)

    assert sorted(spread.values()) == [4, 4, 4], spread  # gunicorn's own gthread: 6/4/2, 8/3/1, 6/5/1
    assert served_by == spread
    assert server.stop() == 0


def test_when_every_process_is_busy_a_new_connection_is_still_served_after_the_hold(start):
    server = start(workers=2, threads=4, hold_ms="1000")
    slow = [server.slow_client() for _ in range(4)]  # two per process: both busy
    wait_for(lambda: sum(server.accepted_by().values()) == 4, "the slow clients accepted")

    # Served while every slow client still holds its thread: the hold ended, a busy process accepted.
    quick = server.slow_client()
    quick_pid = finish(quick)

    assert quick_pid in server.worker_pids()
    assert sorted(server.accepted_by().values()) == [2, 2]  # the slow ones, still waiting
    assert {finish(client) for client in slow} == set(server.worker_pids())


def test_a_single_process_never_holds_back(start):
    server = start(workers=1, threads=4)  # the long hold would otherwise keep the third one waiting
    clients = [server.slow_client() for _ in range(3)]
    wait_for(lambda: sum(server.accepted_by().values()) == 3, "three connections accepted by the one process")

    assert len({finish(client) for client in clients}) == 1


def test_a_process_stopping_while_it_holds_back_finishes_its_requests_and_exits(start):
    server = start(workers=2, threads=4)
    clients = [server.slow_client() for _ in range(4)]
    wait_for(lambda: sum(server.accepted_by().values()) == 4, "both processes busy")

    server.process.send_signal(signal.SIGTERM)
    served = [finish(client) for client in clients]

    assert server.stop() == 0
    assert len(set(served)) == 2
    assert "Shutting down: Master" in server.log.read_text()
