"""The HTTP side of the benchmark: a user, its token, and uploads over a small pool of client threads.

The pipeline driver only has to keep the workers fed, so a thread pool with ``requests`` is enough; the
API section, which measures the web tier itself, uses wrk instead (bench/api.py).
"""

import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

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


def login(base_url: str, password: str) -> str:
    response = requests.post(f"{base_url}/login", auth=(EMAIL, password), timeout=30)
    response.raise_for_status()
    return str(response.json()["access"])


@dataclass(frozen=True)
class Upload:
    invoice_id: str
    sent_at: float  # time.time() just before the request: comparable with the database's rendered_at
    response_ms: float


class Uploader:
    def __init__(self, base_url: str, token: str) -> None:
        self.url = f"{base_url}/api/invoices/"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # One keep-alive connection per client thread, as a real client would hold.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def upload(self, body: bytes, idempotency_key: str | None = None) -> Upload:
        headers = {**self.headers, "Idempotency-Key": idempotency_key} if idempotency_key else self.headers
        sent_at, start = time.time(), time.perf_counter()
        response = self._session().post(self.url, data=body, headers=headers, timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 202:
            raise RuntimeError(f"upload answered {response.status_code}: {response.text[:500]}")
        return Upload(response.json()["id"], sent_at, elapsed)

    def upload_many(self, body: bytes, count: int, concurrency: int = UPLOAD_CONCURRENCY) -> list[Upload]:
        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(lambda _: self.upload(body), range(count)))
