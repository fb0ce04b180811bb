"""The HTTP side of the benchmark: a user, its token, and uploads over a small pool of client threads.

The pipeline driver only has to keep the workers fed, so a thread pool is enough; the API section, which
measures the web tier itself, uses wrk instead (bench/api.py). Uploads go through the standard library's
``http.client`` on one keep-alive connection per thread: the load generator shares the machine's cores
with the pipeline it measures, and ``requests`` costs about four times its CPU per upload (2.1 ms
against 0.54 ms of client CPU, measured here against a bare local server).
"""

import http.client
import json
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.data import with_fresh_number
from bench.processes import PYTHON, ROOT, child_env

EMAIL = "bench@example.com"
UPLOAD_CONCURRENCY = 8


def create_user(work_dir: Path) -> str:
    """Create the benchmark's user with ``manage.py create_user``, as an operator would; its password."""
    password = secrets.token_urlsafe(18)
    password_file = work_dir / "password.txt"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    argv = [PYTHON, str(ROOT / "manage.py"), "create_user", EMAIL, "--password-file", str(password_file)]
    done = subprocess.run(argv, env=child_env(), cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"create_user failed:\n{done.stdout}{done.stderr}")
    return password


def login(base_url: str, password: str, email: str = EMAIL) -> str:
    response = requests.post(f"{base_url}/login", auth=(email, password), timeout=30)
    response.raise_for_status()
    return str(response.json()["access"])


@dataclass(frozen=True)
class Upload:
    invoice_id: str
    sent_at: float  # time.time() just before the request: comparable with the database's rendered_at
    response_ms: float


class UploadFailed(RuntimeError):
    """The upload was not accepted (an answer other than 202, or no answer)."""


# A keep-alive connection the server closed while idle: the request never reached the view, send it again.
_STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Uploader:
    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = f"{parts.path.rstrip('/')}/api/invoices/"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        # One keep-alive connection per client thread, as a real client would hold.
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in (1, 2):
            reused = getattr(self._local, "connection", None) is not None
            connection = self._connection()
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except _STALE_CONNECTION as exc:
                self._drop_connection()
                if attempt == 2 or not reused:
                    raise UploadFailed(f"upload failed: {exc!r}") from exc
                continue
            except OSError as exc:
                self._drop_connection()
                raise UploadFailed(f"upload failed: {exc!r}") from exc
            if response.will_close:
                self._drop_connection()
            return response.status, data
        raise AssertionError("unreachable")

    def upload(self, body: bytes, idempotency_key: str | None = None) -> Upload:
        headers = {**self.headers, "Idempotency-Key": idempotency_key} if idempotency_key else self.headers
        sent_at, start = time.time(), time.perf_counter()
        status, data = self._post(body, headers)
        elapsed = (time.perf_counter() - start) * 1000
        if status != 202:
            raise UploadFailed(f"upload answered {status}: {data[:500].decode(errors='replace')}")
        return Upload(json.loads(data)["id"], sent_at, elapsed)

    def upload_many(self, body: bytes, count: int, concurrency: int = UPLOAD_CONCURRENCY) -> list[Upload]:
        bodies = [with_fresh_number(body) for _ in range(count)]  # made before the clock matters
        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(self.upload, bodies))
