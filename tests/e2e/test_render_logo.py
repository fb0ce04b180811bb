"""docs/security.md case 38 through the real path: a brand whose stored logo is a hostile SVG (put in the
database directly, past the brands API's sanitizing), named by an invoice uploaded through
``POST /api/invoices/`` and rendered by a real ``run_worker render`` process.

The evidence is gathered outside the renderer, as in test_render_ssrf.py: a loopback listener records every
connection, and the worker's audit hook logs every file it opens and every address it connects to. The PDF,
downloaded through the API, shows the logo's own shapes.
"""

import hashlib
import json
import os
import socket
from pathlib import Path

import pytest

from invoices.models import Brand, BrandLogo, BrandVersion
from tests.e2e.conftest import wait_for
from tests.e2e.test_pipeline import download
from tests.e2e.test_render_ssrf import AUDIT_HOOK_DIR, audit_entries
from tests.invoices.brand_looks import SVG_COLOUR
from tests.invoices.pdf_tools import colour_pixels, page_image
from tests.payloads import sample_payload

pytestmark = pytest.mark.security

SECRET = "s3cr3t-logo-reference-that-must-stay-on-disk"


def hostile_logo(port: int, secret: str) -> bytes:
    here = f"http://127.0.0.1:{port}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" '
        f'height="100" viewBox="0 0 300 100"><style>@import url({here}/import.css);</style>'
        f'<rect x="0" y="0" width="300" height="100" fill="#00a651" style="stroke: url({here}/stroke)"/>'
        f'<image href="{here}/image.png" width="10" height="10"/>'
        f'<image xlink:href="file://{secret}" width="10" height="10"/>'
        f'<use xlink:href="{secret}#a"/><use href="{here}/use.svg#a"/></svg>'
    ).encode()


@pytest.fixture
def audited_env(pipeline, tmp_path) -> Path:
    """The workers of this test log their file opens and connects to the returned file."""
    log = tmp_path / "audit.log"
    pipeline.env["INVOICEAPP_AUDIT_LOG"] = str(log)
    pipeline.env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(AUDIT_HOOK_DIR), pipeline.env.get("PYTHONPATH", "")) if part
    )
    return log


@pytest.fixture
def owner(make_user):
    return make_user("brand-owner@example.com")


def test_a_hostile_logo_rendered_by_the_worker_fetches_and_reads_nothing(
    pipeline, audited_env, listener, client_for, owner, tmp_path
):
    port, received = listener
    secret = tmp_path / "secret.svg"
    secret.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><text>{SECRET}</text></g></svg>')
    data = hostile_logo(port, str(secret))
    logo = BrandLogo.objects.create(
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="image/svg+xml",
        data=data,
        width=300,
        height=100,
    )
    brand = Brand.objects.create(owner=owner, name="Hostile")
    version = BrandVersion.objects.create(brand=brand, version=1, layout="modern", logo=logo)
    brand.current = version
    brand.save(update_fields=["current"])
    with socket.create_connection(("127.0.0.1", port)) as probe:  # the listener does record a request
        probe.sendall(b"probe")
    wait_for(lambda: received == [b"probe"], "the listener to record the probe")
    received.clear()
    pipeline.start("render")
    assert audit_entries(audited_env, "open"), "the audit hook is not running in the worker"

    client = client_for(owner)
    payload = {**sample_payload(fmt="pdf"), "brand": "Hostile"}
    response = client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    accepted = response.json()
    pipeline.wait_status(accepted["id"], "ready")
    content = download(client, accepted["links"]["download"])

    assert received == []
    opened = audit_entries(audited_env, "open")
    assert str(secret) not in opened
    connects = audit_entries(audited_env, "connect")
    assert connects, "the audit hook records no connect (the worker reached the broker and the databases)"
    assert not [address for address in connects if f", {port})" in address]
    assert colour_pixels(page_image(content), SVG_COLOUR, (0, 0, 0.5, 0.14)) > 150  # the logo's own shapes
    assert SECRET.encode() not in content
