"""The service's own processes, started as deployed: gunicorn for the web, ``manage.py run_worker`` for
the render and notify workers. Each logs to a file in the run's work directory.

Waiting here has no deadline on the measured work; the only limit is on a process that never becomes
ready (it died, or its service is unreachable), so that a broken set-up ends with its log, not a hang.
"""

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STARTUP_SECONDS = 120.0
# Every process gets a log of its own, so "ready" is never read from an earlier process's log.
_serial = itertools.count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv of our own commands
            argv, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_until(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not become {what}:\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        # SIGTERM: both gunicorn and run_worker stop gracefully on it, as in a deployment.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **(extra or {})}


class Worker(Process):
    def __init__(self, queue: str, index: int, work_dir: Path, env: dict[str, str] | None = None) -> None:
        argv = [PYTHON, str(ROOT / "manage.py"), "run_worker", queue]
        # Its Prometheus metrics on a port of its own, as a deployment scrapes them (WORKER_METRICS_PORT).
        self.metrics_port = free_port()
        env = {**(env or {}), "WORKER_METRICS_PORT": str(self.metrics_port)}
        super().__init__(
            f"{queue} worker {index}", argv, child_env(env), work_dir / f"{queue}-{index}-{next(_serial)}.log"
        )
        self.wait_until(lambda: "ready: consuming" in self.log_tail(100_000), "ready")

    def render_cpu_seconds(self) -> float:
        """The CPU its rendering thread spent rendering so far, every format."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
        return _metric_sum(text, "invoice_render_cpu_seconds_total")


def _metric_sum(text: str, name: str) -> float:
    """The sum of a metric's samples over its labels, from Prometheus's text format."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


class Gunicorn(Process):
    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        # As docker/entrypoint.sh does for the web role: gunicorn's workers share Prometheus files here.
        metrics_dir = work_dir / "prometheus"
        metrics_dir.mkdir(exist_ok=True)
        env = child_env({"PORT": str(self.port), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
        gunicorn = str(Path(PYTHON).parent / "gunicorn")
        argv = [gunicorn, "invoicesite.wsgi:application", "-c", "docker/gunicorn.conf.py"]
        super().__init__("gunicorn", argv, env, work_dir / "gunicorn.log")
        self.wait_until(self._healthy, "healthy")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310 - our URL
                return bool(response.status == 200)
        except OSError:
            return False


class Workers:
    """``count`` render workers and one notify worker, as the pipeline runs them."""

    def __init__(self, work_dir: Path, render_count: int, env: dict[str, str] | None = None) -> None:
        self.work_dir = work_dir
        self.render: list[Worker] = []
        self.notify: list[Worker] = []
        try:
            self.render = [Worker("render", index, work_dir, env) for index in range(render_count)]
            self.notify = [Worker("notify", 0, work_dir, env)]
        except BaseException:
            self.stop()
            raise

    def render_cpu_seconds(self) -> float:
        """The CPU the render workers' rendering threads spent rendering so far."""
        return sum(worker.render_cpu_seconds() for worker in self.render)

    def stop(self) -> None:
        for worker in self.render + self.notify:
            worker.stop()
