"""The WSGI module's start-up: what it does before gunicorn hands it a request."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_web_process_freezes_its_start_up_objects_out_of_the_collectors_sight():
    # In a child process: freezing is for the life of a process, and this one is the test runner.
    code = "import gc, invoicesite.wsgi; print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=os.environ, cwd=ROOT, capture_output=True, text=True, check=True
    )
    frozen, left_for_full_passes = (int(n) for n in done.stdout.split()[-2:])
    # Django, DRF and every warmed-up module: tens of thousands of objects, out of the full passes' walk.
    assert frozen > 50_000
    assert left_for_full_passes < frozen // 100
