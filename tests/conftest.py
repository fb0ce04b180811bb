import base64
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytest_plugins = ["tests.mongo", "tests.amqp"]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's production cost makes every login in the suite take ~0.3 s; the hasher is Django's concern.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def make_user(db):
    def make(email: str = "ann@example.com", **fields) -> User:
        return User.objects.create_user(email, PASSWORD, **fields)

    return make


@pytest.fixture
def user(make_user) -> User:
    return make_user()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


@pytest.fixture
def tokens(api, user):
    """A fresh token pair for `user`, obtained through the public login endpoint."""
    response = api.post("/login", HTTP_AUTHORIZATION=basic(user.email, PASSWORD))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def legacy_payload():
    """The original service's sample as a client would send it (plain JSON values)."""
    from tests.payloads import LEGACY_SAMPLE

    return json.loads(LEGACY_SAMPLE.read_text())


@pytest.fixture
def client_for(db):
    """A fresh API client holding a Bearer token for the given user, from the public login."""

    def make(user: User) -> APIClient:
        client = APIClient()
        response = client.post("/login", HTTP_AUTHORIZATION=basic(user.email, PASSWORD))
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        return client

    return make


@pytest.fixture
def local_invoice_storage(tmp_path, settings):
    """The invoice storage on local disk under tmp_path (the embedded default's backend)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP listener on a random loopback port; what each accepted connection sends is recorded."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(1024) or b"<connected>")
                except OSError:
                    received.append(b"<connected>")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(timeout=5)
    server.close()
