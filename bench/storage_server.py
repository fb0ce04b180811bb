"""A MongoDB-compatible server of the benchmark's own, on an empty data directory, for one run.

SecantusDB, the MongoDB-compatible server `make test` runs here (scripts/services.sh), gets slower with its
history: on 2026-11-28 a 2.6 KB GridFS file cost it 1.5 ms of CPU on a fresh data directory, and 31 ms on
the shared one after a day of test runs (525 MB on disk, every database of those runs dropped). Figures
taken against that would measure the server's past, not the service, and it drifts within one run too. So,
unless MONGODB_URL names a server, the benchmark starts a private SecantusDB from the same installation on
a free port and an empty data directory for the run, and a fresh one again for each pipeline run and each
store ceiling (bench/pipeline.py ``fresh_store``), so that a run and its ceiling meet the same server
state. A real MongoDB given in MONGODB_URL is used as it is.
"""

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.processes import ROOT, free_port

SECANTUS = ROOT / ".services" / "mongo" / "bin" / "secantusd-py"
STARTUP_SECONDS = 60.0


def wanted() -> bool:
    """Private servers, unless MONGODB_URL names a server or SecantusDB is not installed here."""
    return not os.environ.get("MONGODB_URL") and SECANTUS.exists()


@contextmanager
def private_server(data: Path) -> Iterator[str]:
    """A SecantusDB on a free port over the empty directory ``data``; its URL. Stopped on exit."""
    port = free_port()
    data.mkdir(parents=True)
    argv = [str(SECANTUS), "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(data)]
    argv += ["--cache-size", "256M", "--log-level", "WARNING"]
    with (data.parent / f"{data.name}.log").open("ab") as log:
        server = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - our own server
    url = f"mongodb://127.0.0.1:{port}"
    try:
        _wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=500)
        try:
            client.admin.command("ping")
            return
        except PyMongoError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the private storage server at {url} did not start") from None
            time.sleep(0.2)
        finally:
            client.close()
