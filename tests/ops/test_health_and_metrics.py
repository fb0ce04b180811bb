"""/healthz, /readyz and /metrics, against the real services; JSON logs naming the invoice."""

import io
import json
import logging
import threading
import time

import pytest

from invoicesite.logs import InvoiceContextFilter, invoice_logging


def test_healthz_answers_ok_whatever_the_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz", HTTP_HOST="10.1.2.3").status_code == 200


def test_readyz_checks_the_database_broker_and_storage(client, db, amqp_namespace, invoices_gridfs_storage):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "storage": "ok"}}


def test_readyz_stays_ready_but_degraded_when_the_broker_is_unreachable(
    client, db, settings, invoices_gridfs_storage
):
    # Uploads still commit to the outbox while RabbitMQ is away: pulling every web pod would turn a delay
    # into an outage.
    settings.AMQP_URL = "amqp://guest:guest@127.0.0.1:1/%2F"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "broker": "failing", "storage": "ok"},
    }
    assert "127.0.0.1:1" not in response.content.decode()  # details stay in the log


def test_readyz_finds_the_broker_on_any_node_of_amqp_url(
    client, db, settings, amqp_url, invoices_gridfs_storage
):
    # A cluster's first node is away: the check, like every client, goes on to the next one that answers.
    settings.AMQP_URL = f"amqp://guest:guest@127.0.0.1:1/%2F,{amqp_url}"

    response = client.get("/readyz")

    assert response.json()["checks"]["broker"] == "ok"


def test_the_broker_check_is_bounded_over_all_the_nodes(settings, monkeypatch):
    from invoicesite import health
    from workers import broker

    settings.AMQP_URL = "amqp://a:b@mq-1:5672/%2F,amqp://a:b@mq-2:5672/%2F"
    deadlines: list[float | None] = []

    def unreachable(url, *, deadline=None, **options):
        deadlines.append(deadline)
        raise OSError("no node answered")

    monkeypatch.setattr(broker, "connect", unreachable)
    before = time.monotonic()

    with pytest.raises(OSError, match="no node answered"):
        health.check_broker()

    [deadline] = deadlines
    assert deadline is not None
    assert before + health.BROKER_CHECK_SECONDS <= deadline <= time.monotonic() + health.BROKER_CHECK_SECONDS


def test_readyz_is_503_when_the_database_is_unreachable(client, db, monkeypatch):
    from invoicesite import health

    def down() -> None:
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "failing"


def test_readyz_reports_an_unreachable_storage(client, db, settings):
    settings.AMQP_URL = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {
            "BACKEND": "invoices.storage.GridFSStorage",
            "OPTIONS": {"url": "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"},
        },
    }

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == "failing"
    assert response.json()["status"] == "degraded"


def test_metrics_expose_requests_invoices_by_status_and_render_times(client, db):
    from invoices.document.validation import read_request
    from invoices.services import _render_file  # noqa: F401 - importing registers the histogram
    from invoicesite.metrics import RENDER_SECONDS
    from tests.payloads import sample_payload

    options, _ = read_request(sample_payload())
    RENDER_SECONDS.labels("pdf").observe(0.1)
    client.get("/healthz")

    body = client.get("/metrics", HTTP_HOST="10.1.2.3:8000").content.decode()

    assert options.format == "pdf"
    assert 'invoices{status="queued"}' in body
    assert 'invoice_render_seconds_count{format="pdf"}' in body
    assert "invoice_render_cpu_seconds_total" in body
    assert "invoice_queue_publish_failures" in body
    assert "django_http_requests_total_by_method_total" in body


def test_a_render_counts_its_own_cpu_time_and_its_wall_time(user, local_invoice_storage):
    from prometheus_client import REGISTRY

    from invoices import services
    from tests.payloads import sample_payload

    def sample(name: str) -> float:
        return REGISTRY.get_sample_value(name, {"format": "pdf"}) or 0.0

    cpu, wall, count = (
        sample(name)
        for name in (
            "invoice_render_cpu_seconds_total",
            "invoice_render_seconds_sum",
            "invoice_render_seconds_count",
        )
    )
    invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="pdf")).invoice
    services.invoice_render(invoice_id=invoice.id, fmt="pdf")

    spent = sample("invoice_render_cpu_seconds_total") - cpu
    took = sample("invoice_render_seconds_sum") - wall
    assert sample("invoice_render_seconds_count") - count == 1
    # A PDF takes milliseconds of CPU, all of it within the render's wall time (a thread's CPU cannot
    # exceed the time it ran for; a little slack for the two clocks' resolutions).
    assert 0.001 < spent <= took + 0.001


def test_json_logs_carry_the_invoice_id(settings):
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(invoice_id)s"))
    handler.addFilter(InvoiceContextFilter())
    log = logging.getLogger("tests.ops.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        with invoice_logging("7f0c0000-0000-0000-0000-000000000001"):
            log.warning("rendering")
        log.warning("unrelated")
    finally:
        log.removeHandler(handler)

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["invoice_id"] == "7f0c0000-0000-0000-0000-000000000001"
    assert first["message"] == "rendering"
    assert second["invoice_id"] is None


def test_a_worker_touches_its_heartbeat_file(amqp_namespace, settings, tmp_path, db):
    from invoices.consumers import RenderConsumer
    from workers.runner import RunnerOptions, run

    settings.WORKER_HEARTBEAT_FILE = str(tmp_path / "heartbeat")
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        args=(RenderConsumer(),),
        kwargs={"stop": stop, "with_relay": False, "options": RunnerOptions(poll=0.1)},
    )
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not (tmp_path / "heartbeat").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(15)
    if not (tmp_path / "heartbeat").exists():
        pytest.fail("the worker never touched its heartbeat file")


def test_metrics_sum_the_gunicorn_worker_processes(tmp_path):
    # As in the image: every worker process writes to PROMETHEUS_MULTIPROC_DIR and /metrics adds them up.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "invoicesite.settings",
    }
    setup = "import django; django.setup(); "
    observe = (
        setup + "from invoicesite.metrics import RENDER_SECONDS; RENDER_SECONDS.labels('pdf').observe(0.2)"
    )
    scrape = setup + (
        "from django.test import RequestFactory; from invoicesite.metrics import metrics_view; "
        "print(metrics_view(RequestFactory().get('/metrics')).content.decode())"
    )

    for _ in range(2):
        subprocess.run([sys.executable, "-c", observe], env=env, cwd=root, check=True, timeout=60)
    body = subprocess.run(
        [sys.executable, "-c", scrape],
        env=env,
        cwd=root,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout

    assert 'invoice_render_seconds_count{format="pdf"} 2.0' in body
    assert "# TYPE invoices gauge" in body


def test_metrics_need_the_token_when_one_is_set(client, db, settings):
    settings.METRICS_TOKEN = "scrape-secret-0123456789"

    refused = client.get("/metrics")
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789")

    assert refused.status_code == 401
    assert allowed.status_code == 200
    assert b"invoice_render_seconds" in allowed.content
