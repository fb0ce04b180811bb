"""`make run` itself: the embedded default completes an invoice with no service at all.

The server runs with SQLite in a temporary VAR_DIR, no broker (jobs in-process after commit), files on
local disk and email printed to the console, exactly as the README promises a new user.
"""

import base64
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port
from tests.payloads import sample_payload

ROOT = Path(__file__).resolve().parents[2]
# Everything that would point the app at a real service, or at the test settings, is removed.
SERVICE_VARS = (
    "DATABASE_URL",
    "AMQP_URL",
    "MONGODB_URL",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "REDIS_URL",
    "DEBUG",
)


def request(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str]
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except urllib.error.URLError:
        return 0, b""  # not listening yet


@pytest.fixture
def make_run(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    env.update({"VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"})
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # runserver's reloader starts a child: stop the whole group
        )
    try:
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def wait_for_server(base: str, log_path: Path) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        status, _ = (
            request("GET", f"{base}/api/", headers={"Accept": "application/json"})
            if "password:" in log
            else (0, b"")
        )
        if status == 200:
            return log
        time.sleep(0.5)
    pytest.fail("make run did not serve:\n" + log_path.read_text(errors="replace")[-3000:], pytrace=False)


def wait_for_status(url: str, headers: dict[str, str], *final: str, timeout: float = 60) -> str:
    """The invoice's status once it is one of ``final`` (ready or failed by default), polled."""
    final = final or ("ready", "failed")
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        code, body = request("GET", url, headers=headers)
        assert code == 200, body
        status = json.loads(body)["status"]
        if status in final:
            return status
        time.sleep(0.2)
    pytest.fail(f"the invoice is still {status} after {timeout} s", pytrace=False)


def test_make_run_serves_and_completes_an_invoice_with_no_service(make_run):
    base, log_path = make_run
    log = wait_for_server(base, log_path)
    found = re.search(r"password: (\S+)", log)
    assert found, log
    password = found.group(1)
    basic = base64.b64encode(f"demo@example.com:{password}".encode()).decode()

    status, token = request(
        "POST", f"{base}/login", headers={"Authorization": f"Basic {basic}", "Accept": "text/plain"}
    )
    assert status == 200
    bearer = {"Authorization": f"Bearer {token.decode()}", "Content-Type": "application/json"}
    status, body = request(
        "POST", f"{base}/api/invoices/", body=json.dumps(sample_payload()).encode(), headers=bearer
    )
    assert status == 202, body
    accepted = json.loads(body)

    # Rendered in-process after the response (workers/embedded.py): ready soon, not at once.
    assert wait_for_status(accepted["links"]["self"], bearer) == "ready"
    status, content = request("GET", accepted["links"]["download"], headers=bearer)
    assert status == 200
    assert content.startswith(b"%PDF")
    log = log_path.read_text(errors="replace")
    assert "Subject: Invoice INV-2026-0042 is ready" in log
    # make run PORT=...: the hint and the emailed links name that port, not 8000 (SITE_URL from the port).
    assert f"Serving on {base}/" in log
    assert f"{base}/login" in log  # the demo user's curl hint
    assert f"{base}/api/invoices/{accepted['id']}/download/" in log
    assert (Path(log_path.parent / "var" / "db.sqlite3")).exists()
    assert list((log_path.parent / "var" / "files").rglob("*.pdf"))
    # The development file every later manage.py reads (tests/e2e/test_second_terminal.py), private.
    assert (log_path.parent / "var" / "dev.env").stat().st_mode & 0o777 == 0o600
