"""docs/security.md case 10 through the real path: markup uploaded to the API, rendered by a real
``run_worker render``.

The attacks are placed in an invoice uploaded through ``POST /api/invoices/``; the render worker is the real
command in its own process, rendering into GridFS. The evidence is gathered outside the renderer:

- a TCP listener on loopback, the target of every fetching attack, records each connection it accepts;
- the worker runs with an audit hook (tests/e2e/audit_hook/sitecustomize.py) that logs every file it opens
  and every address it connects to;
- the ``file://`` attacks point at a secret file made for the test, whose path must never be opened and
  whose content must never appear in the PDF.

The PDF, downloaded through the API, must show every attack as the text that was typed.
"""

import json
import os
import socket
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_for
from tests.e2e.test_pipeline import download
from tests.invoices.pdf_tools import drawn_text, payload_with_lines, pdf_text

pytestmark = pytest.mark.security

AUDIT_HOOK_DIR = Path(__file__).resolve().parent / "audit_hook"
SECRET = "s3cr3t-file-content-that-must-stay-on-disk"


def attacks(port: int, secret: Path) -> list[str]:
    here = f"http://127.0.0.1:{port}"
    return [
        f'<img src="{here}/img">',
        '<img src="http://169.254.169.254/latest/meta-data/">',
        f'<img src="file://{secret}">',
        f'<link rel="stylesheet" href="{here}/link.css">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        f'<link rel="stylesheet" href="file://{secret}">',
        f'<div style="background-image: url({here}/bg.png)">bg</div>',
        f"<style>@import url({here}/import.css);</style>",
        f'<style>@import "file://{secret}";</style>',
        f'<p style="font-family: x; src: url(file://{secret})">font</p>',
        f'<pdf:img src="{here}/pdfimg" />',
    ]


@pytest.fixture
def owner_client(client_for, make_user):
    return client_for(make_user("owner@example.com"))


@pytest.fixture
def audited_env(pipeline, tmp_path) -> Path:
    """The workers of this test log their file opens and connects to the returned file."""
    log = tmp_path / "audit.log"
    pipeline.env["INVOICEAPP_AUDIT_LOG"] = str(log)
    pipeline.env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(AUDIT_HOOK_DIR), pipeline.env.get("PYTHONPATH", "")) if part
    )
    return log


def audit_entries(log: Path, kind: str) -> list[str]:
    return [line.split("\t", 1)[1] for line in log.read_text().splitlines() if line.startswith(f"{kind}\t")]


def test_markup_uploaded_to_the_api_is_printed_as_text_and_the_worker_fetches_and_reads_nothing(
    pipeline, audited_env, listener, owner_client, tmp_path
):
    port, received = listener
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    payload_attacks = attacks(port, secret)
    payload = payload_with_lines(payload_attacks, notes="\n".join(payload_attacks[:4]))
    payload["invoice"]["buyer"]["name"] = payload_attacks[0]
    with socket.create_connection(("127.0.0.1", port)) as probe:  # the listener does record a request
        probe.sendall(b"probe")
    wait_for(lambda: received == [b"probe"], "the listener to record the probe")
    received.clear()
    pipeline.start("render")
    opened_at_start = set(audit_entries(audited_env, "open"))
    assert opened_at_start, "the audit hook is not running in the worker"

    response = owner_client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    accepted = response.json()
    pipeline.wait_status(accepted["id"], "ready")
    content = download(owner_client, accepted["links"]["download"])

    assert received == []
    opened = audit_entries(audited_env, "open")
    assert not [path for path in opened if path in (str(secret), "/etc/passwd")]
    assert not [path for path in opened if "169.254" in path or str(port) in path]
    connects = audit_entries(audited_env, "connect")
    assert connects, "the audit hook records no connect (the worker reached the broker and the databases)"
    assert not [address for address in connects if f", {port})" in address or "169.254.169.254" in address]
    drawn = drawn_text(content)
    for attack in payload_attacks:
        assert "".join(attack.split()) in drawn, attack
    text = pdf_text(content)
    assert SECRET not in text
    assert "root:x:0:0" not in text
