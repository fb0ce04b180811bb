"""The app as a real HTTP server for the schemathesis run: gunicorn on a free port, on the real services.

One server for the whole module (starting one per operation would cost more than fuzzing it): the test
database committed for real (the server is another process), a RabbitMQ namespace and a GridFS database
of its own, deleted afterwards, and the test database flushed as ``transactional_db`` would. A render
worker runs only while the seed invoices (one ready file per format, one queued invoice) are prepared, so
the fuzzed uploads do not compete with rendering for the machine's two cores.
"""

import base64
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from accounts.models import User
from tests.amqp import amqp_url_from_env
from tests.conftest import PASSWORD
from tests.e2e.conftest import MANAGE_PY, WorkerProcess, free_port, stop_process, wait_for
from tests.mongo import fresh_gridfs_storage, require_server
from tests.payloads import sample_payload
from workers import topology

ROOT = MANAGE_PY.parent
FUZZ_EMAIL = "fuzz@example.com"
# The login guard stays on, with limits no fuzz run reaches: thousands of failed logins from 127.0.0.1
# must not lock the run out of the tokens it needs.
GUARD_OFF = {
    "LOGIN_RATE": "1000000/min",
    "LOGIN_FAILURE_LIMIT": "1000000",
    "LOGIN_CLIENT_FAILURE_LIMIT": "1000000",
    # Each preview is a render: the throttle stays on, with a rate no fuzz run reaches.
    "BRAND_PREVIEW_RATE": "1000000/min",
}


@dataclass(frozen=True)
class LiveApp:
    base_url: str
    email: str
    password: str
    ready: dict[str, str]  # format -> id of an invoice whose file is ready
    queued: str  # id of an invoice still queued (its download is 409)
    log_path: Path
    webhook: str = ""  # id of a webhook endpoint of the fuzz user (a public address: nothing is sent to it)
    batch: str = ""  # id of a completed batch of the fuzz user, its files ready (its ZIP and links are 2xx)
    brand: str = ""  # id of a brand of the fuzz user with a logo (its logo and preview are 2xx)
    series: str = ""  # id of a number series of the fuzz user that issued nothing (PATCH and DELETE are 2xx)

    def login(self) -> dict[str, Any]:
        """A fresh token pair for the fuzz user, through the real /login."""
        response = requests.post(f"{self.base_url}/login", auth=(self.email, self.password), timeout=30)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _server_env(namespace: str, storage: Any) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "AMQP_URL": amqp_url_from_env(),
        "AMQP_NAMESPACE": namespace,
        "MONGODB_URL": storage.mongodb_url,
        "MONGODB_DATABASE": storage.database_name,
        "MONGODB_BUCKET": storage.bucket_name,
        "PYTHONUNBUFFERED": "1",
    }


class Gunicorn:
    """gunicorn with the image's configuration (docker/gunicorn.conf.py) on 127.0.0.1:<port>."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("ab")
        server_env = {
            **env,
            **GUARD_OFF,
            "DJANGO_SETTINGS_MODULE": "tests.fuzz.server_settings",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling mid-run: a recycle is not what is tested
        }
        command = [sys.executable, "-m", "gunicorn", "invoicesite.wsgi:application"]
        command += ["-c", str(ROOT / "docker" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command, env=server_env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(
                f"gunicorn exited:\n{self.log_path.read_text(errors='replace')[-3000:]}", pytrace=False
            )
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            # Not up yet: gunicorn listens before its workers have loaded the app, and on a busy machine
            # (a parallel `make test`) that can take longer than one request's timeout. wait_for bounds it.
            return False

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


def _upload(base_url: str, token: str, fmt: str) -> str:
    body = sample_payload()
    body["format"] = fmt
    body["invoice"]["number"] = f"FUZZ-{fmt}-{uuid.uuid4().hex[:8]}"  # a number is issued once
    response = requests.post(
        f"{base_url}/api/invoices/", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _status(base_url: str, token: str, invoice_id: str) -> str:
    response = requests.get(
        f"{base_url}/api/invoices/{invoice_id}/", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    return str(response.json()["status"])


def _upload_batch(base_url: str, token: str) -> str:
    documents = []
    for fmt in ("csv", "pdf"):
        body = sample_payload()
        body["format"] = fmt
        body["invoice"]["number"] = f"FUZZ-BATCH-{fmt}-{uuid.uuid4().hex[:8]}"
        documents.append(body)
    response = requests.post(
        f"{base_url}/api/invoice-batches/",
        json=documents,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _batch_status(base_url: str, token: str, batch_id: str) -> str:
    response = requests.get(
        f"{base_url}/api/invoice-batches/{batch_id}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return str(response.json()["status"])


def _seed_invoices(
    app_url: str, env: dict[str, str], tmp: Path, token: str
) -> tuple[dict[str, str], str, str]:
    """One ready invoice per format and one completed batch (rendered by a real worker), then one invoice
    left queued."""
    worker = WorkerProcess("render", env, tmp / "render.log").wait_ready()
    try:
        ready = {fmt: _upload(app_url, token, fmt) for fmt in ("pdf", "xlsx", "csv")}
        batch = _upload_batch(app_url, token)
        wait_for(
            lambda: (
                all(_status(app_url, token, i) == "ready" for i in ready.values())
                and _batch_status(app_url, token, batch) == "completed"
            ),
            "the seed invoices ready and the seed batch completed",
        )
    finally:
        worker.stop()
    return ready, _upload(app_url, token, "pdf"), batch


def _delete_namespace(namespace: str) -> None:
    with override_settings(AMQP_NAMESPACE=namespace):
        layout = topology.current()
    broker = pika.BlockingConnection(pika.URLParameters(amqp_url_from_env()))
    try:
        topology.delete(broker.channel(), layout)
    finally:
        broker.close()


# A public address literal: registration resolves no name, and no webhook worker runs in the fuzz run.
FUZZ_WEBHOOK_URL = "https://93.184.215.14/hooks"


def _seed_series(base_url: str, access: str) -> str:
    response = requests.post(
        f"{base_url}/api/number-series/",
        json={"code": "FUZZ", "pattern": "FUZZ-{YYYY}-{seq:05}"},
        headers={"Authorization": f"Bearer {access}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _seed_webhook(base_url: str, access: str) -> str:
    response = requests.post(
        f"{base_url}/api/webhooks/",
        json={"url": FUZZ_WEBHOOK_URL, "event_types": ["batch.completed"]},
        headers={"Authorization": f"Bearer {access}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


# A 2 x 2 red PNG: the seeded brand's logo.
FUZZ_LOGO_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001649444154789c63fccf"
        "c0c0c0c0c0c4c0c0c0c0c000000d1d01036ac29be90000000049454e44ae426082"
    )
).decode()


def _seed_brand(base_url: str, access: str) -> str:
    response = requests.post(
        f"{base_url}/api/brands/",
        json={"name": "Fuzz brand", "logo": FUZZ_LOGO_PNG, "footer": "Fuzz Ltd"},
        headers={"Authorization": f"Bearer {access}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def live_app(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[LiveApp]:
    if connection.vendor != "postgresql":
        pytest.fail("the fuzz run needs PostgreSQL: set DATABASE_URL", pytrace=False)
    tmp = tmp_path_factory.mktemp("fuzz")
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    require_server(os.environ.get("MONGODB_URL") or "mongodb://127.0.0.1:27017")
    with fresh_gridfs_storage() as storage, django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            User.objects.create_user(FUZZ_EMAIL, PASSWORD)
        env = _server_env(namespace, storage)
        server = Gunicorn(env, tmp / "gunicorn.log")
        try:
            wait_for(server.answers, "gunicorn to answer /healthz")
            token = requests.post(f"{server.base_url}/login", auth=(FUZZ_EMAIL, PASSWORD), timeout=30).json()
            ready, queued, batch = _seed_invoices(server.base_url, env, tmp, token["access"])
            webhook = _seed_webhook(server.base_url, token["access"])
            brand = _seed_brand(server.base_url, token["access"])
            series = _seed_series(server.base_url, token["access"])
            yield LiveApp(
                server.base_url,
                FUZZ_EMAIL,
                PASSWORD,
                ready,
                queued,
                server.log_path,
                webhook,
                batch,
                brand=brand,
                series=series,
            )
        finally:
            server.stop()
            _delete_namespace(namespace)
            # What transactional_db does after a test: the next tests start from empty tables.
            call_command("flush", interactive=False, verbosity=0)
