"""Issue 7's load proof: 1,000 uploads from 32 concurrent clients, nothing lost, nothing duplicated.

It runs the benchmark's section 6 exactly as ``make bench`` does (``python -m bench.run --sections load``):
gunicorn, 2 render workers and a notify worker as subprocesses on the real PostgreSQL, RabbitMQ and
MongoDB-compatible server, then a ledger read back from PostgreSQL and GridFS. No time limit: only the
outcome is asserted; the latency distribution it measures is written to BENCHMARKS.md by ``make bench``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPLOADS, CLIENTS = 1000, 32

pytestmark = pytest.mark.load


def test_a_burst_of_1000_uploads_from_32_clients_ends_all_ready_with_nothing_lost_or_duplicated(tmp_path):
    argv = [sys.executable, "-m", "bench.run", "--sections", "load"]
    argv += ["--markdown", str(tmp_path / "BENCHMARKS.md"), "--json", str(tmp_path / "results.json")]
    done = subprocess.run(argv, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    load = json.loads((tmp_path / "results.json").read_text())["sections"]["load"]
    ledger = load["ledger"]
    assert (load["uploads"], load["clients"], load["refused"]) == (UPLOADS, CLIENTS, [])
    assert ledger["accepted"] == ledger["ready"] == UPLOADS
    faults = {name: count for name, count in ledger.items() if name not in ("accepted", "ready") and count}
    assert faults == {}
    assert (
        "| burst: every accepted upload ready once, 0 lost, 0 duplicated | 0 faults | yes |"
        in (tmp_path / "BENCHMARKS.md").read_text()
    )
