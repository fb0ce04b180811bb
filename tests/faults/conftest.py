"""Fault-injection fixtures: the end-to-end pipeline (tests/e2e/conftest.py) with a FaultProxy in front of
whichever service a scenario fails. Every test here is marked ``faults`` (``pytest -m faults``)."""

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests.amqp import single_broker_port
from tests.e2e.conftest import (  # noqa: F401 - pipeline and smtp_inbox are pytest fixtures
    Pipeline,
    WorkerProcess,
    pipeline,
    smtp_inbox,
    wait_for,
)
from tests.faults.live_server import LiveServer
from tests.faults.proxy import FaultProxy, with_port
from tests.payloads import sample_payload
from tests.webhooks.receiver import make_receiver, receiver_ca  # noqa: F401 - pytest fixtures (webhook scenario)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def make_proxy() -> Iterator[Callable[[int, str], FaultProxy]]:
    """Proxies closed at teardown. Ask for it BEFORE ``pipeline``, so the workers stop while it still runs."""
    made: list[FaultProxy] = []

    def make(port: int, name: str) -> FaultProxy:
        proxy = FaultProxy(port, name=name)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


@pytest.fixture
def broker_proxy(make_proxy, pipeline: Pipeline, settings: Any) -> FaultProxy:  # noqa: F811
    """RabbitMQ behind a proxy, for the workers (and the relay) and for this process's fast-path publish."""
    proxy = make_proxy(single_broker_port(settings.AMQP_URL), "rabbitmq")
    settings.AMQP_URL = pipeline.env["AMQP_URL"] = with_port(settings.AMQP_URL, proxy.port)
    return proxy


@pytest.fixture
def mongo_proxy(make_proxy, pipeline: Pipeline) -> FaultProxy:  # noqa: F811
    """The MongoDB-compatible server behind a proxy, for the workers; this process reads it directly."""
    proxy = make_proxy(urlsplit(pipeline.storage.mongodb_url).port or 27017, "mongodb")
    # directConnection: the driver must not discover the server's own address and go around the proxy.
    pipeline.env["MONGODB_URL"] = with_port(pipeline.storage.mongodb_url, proxy.port, "directConnection=true")
    return proxy


@pytest.fixture
def postgres_proxy(make_proxy, pipeline: Pipeline) -> FaultProxy:  # noqa: F811
    """PostgreSQL behind a proxy, for the workers (and any live server started on pipeline.env)."""
    proxy = make_proxy(int(connection.settings_dict["PORT"] or 5432), "postgresql")
    pipeline.env["DATABASE_URL"] = with_port(pipeline.env["DATABASE_URL"], proxy.port)
    return proxy


@pytest.fixture
def smtp_proxy(make_proxy, pipeline: Pipeline) -> FaultProxy:  # noqa: F811
    proxy = make_proxy(int(pipeline.env["EMAIL_PORT"]), "smtp")
    pipeline.env["EMAIL_PORT"] = str(proxy.port)
    return proxy


@pytest.fixture
def owner_client(client_for, make_user):
    return client_for(make_user("owner@example.com"))


def post_invoice(client: Any, fmt: str = "csv", **headers: Any) -> Any:
    """POST one invoice, under a number of its own (a number is issued once), through the in-process API;
    the response, whatever its status."""
    payload = sample_payload(fmt=fmt)
    payload["invoice"]["number"] = f"INV-{uuid.uuid4().hex[:12]}"
    return client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json", **headers)


def upload(client: Any, fmt: str = "csv") -> str:
    response = post_invoice(client, fmt)
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def start_relay(line: Pipeline) -> WorkerProcess:
    """``manage.py run_worker relay`` as a process of the pipeline (stopped with the workers)."""
    relay = WorkerProcess("relay", line.env, line.tmp_path / f"relay-{len(line.workers)}.log")
    line.workers.append(relay)
    wait_for(lambda: "ready: relaying" in relay.log() or relay.process.poll() is not None, "the relay")
    assert relay.process.poll() is None, relay.log()[-3000:]
    return relay


@pytest.fixture
def live_server_on(pipeline: Pipeline) -> Iterator[Callable[[], LiveServer]]:  # noqa: F811
    """Start gunicorn on the pipeline's environment (after the proxies have rewritten it); stopped after."""
    servers: list[LiveServer] = []

    def start() -> LiveServer:
        server = LiveServer(pipeline.env, pipeline.tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def owner_token(client_for, make_user) -> str:
    """A Bearer token of the owner, from the public login (in-process: the password hasher is the test's)."""
    client = client_for(make_user("owner@example.com"))
    return str(client._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer "))
