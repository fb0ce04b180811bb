import base64
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _pytest.nodeid import NodeId
from rest_framework.test import APIClient

from accounts.models import User
from tests.fuzz.tally import TALLY
from workers import outbox

pytest_plugins = ["tests.mongo", "tests.amqp"]

# --- Parallel runs (pytest-xdist) --------------------------------------------------------------------------
# `make test` runs the suite on several xdist workers (`-n`) with `--dist loadgroup` (pyproject.toml): a test
# goes to whichever worker is free, except those given a group here, whose tests all run on one worker, in
# file order. Everything a test creates is already its own: the test database per worker
# (test_<name>_gw0, ...), a RabbitMQ namespace and a MongoDB database per test (uuid names), free ports,
# tmp_path. The groups are for cost and pacing, not for names:
#
# - The directories below start real servers and worker processes (gunicorn, run_worker, `make run`,
#   Chromium) and wait for them with timeouts: each directory's tests run one at a time on one worker, as
#   in a serial run, so a directory never has two pipelines of its own sharing the cores. The directories
#   run beside each other: one group for them all made its worker the last to finish by minutes. A new
#   directory of that kind is added here; any other new directory (tests/brands, ...) needs nothing and is
#   spread over the workers.
# - A module whose tests share a module- or class-scoped fixture (the fuzz run's gunicorn, a rendered PDF)
#   stays on one worker, so the fixture is built once, and the tests run in the module's order (the fuzz
#   run deletes its webhook last).
ONE_AT_A_TIME = {"e2e": "e2e", "faults": "faults", "load": "load"}
SHARED_SCOPES = {"module", "package", "class"}


def xdist_group_of(item: pytest.Item) -> str | None:
    marked = sorted(
        {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
    )
    if marked:
        return "_".join(marked)  # as xdist names a test of several groups
    directory = item.path.relative_to(item.config.rootpath).parts[1:2]
    if directory and directory[0] in ONE_AT_A_TIME:
        return ONE_AT_A_TIME[directory[0]]
    for definitions in item._fixtureinfo.name2fixturedefs.values():  # type: ignore[attr-defined]
        # Our own fixtures only: pytest-django's autouse _django_setup_unittest is class-scoped.
        fixture = definitions[-1]
        if fixture.scope in SHARED_SCOPES and fixture.func.__module__.startswith("tests."):
            return str(item.path.relative_to(item.config.rootpath))
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    # The fast path's sent marks go on a thread of their own (workers/outbox.py): written, and the thread
    # ended with its connection, before the test's fixtures (its database among them) are torn down.
    outbox.stop_sent_marks()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # xdist sets "loadgroup" on its workers under --dist loadgroup; a serial run has nothing to group.
    if not config.getoption("loadgroup", default=False):
        return
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            join_group(item, group)


def join_group(item: pytest.Item, group: str) -> None:
    """Give the item's node id the "@<group>" suffix by which xdist's loadgroup scheduler groups tests.

    xdist 3.8.0 writes the suffix into ``item._nodeid``, which pytest 9.2 no longer reads (node ids are
    NodeId objects now), so its xdist_group marks are silently ignored: pytest-xdist issue #1386. This does
    what its proposed fix (pull request #1388) does. Should pytest change node ids again, the run stops here
    rather than spread the groups without a word.
    """
    suffixed = f"{item.nodeid}@{group}"
    item._id = NodeId.parse(suffixed)
    if item.nodeid != suffixed:
        raise pytest.UsageError(f"could not put {item.nodeid} in the xdist group {group!r}")


# The fuzz run's report (tests/fuzz/tally.py): a worker hands its tally to the controller, which prints it.
def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and TALLY.statuses:
        workeroutput["fuzz_tally"] = TALLY.as_dict()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: called in the controller as each worker finishes
def pytest_testnodedown(node: Any, error: Any) -> None:
    TALLY.merge(getattr(node, "workeroutput", {}).get("fuzz_tally", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY.statuses:
        terminalreporter.section("schemathesis: answers per operation")
        for line in TALLY.lines():
            terminalreporter.write_line(line)


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
