"""Liveness, readiness and metrics for the orchestrator: ``/healthz``, ``/readyz`` and ``/metrics``.

Answered by the first middleware, before host validation and HTTPS redirects: probes and Prometheus come
over plain HTTP with the pod's IP as the Host header. The probes reveal no more than ok/failing; metrics
need ``Authorization: Bearer $METRICS_TOKEN`` when that setting is set (keep /metrics off a public Ingress
or set the token).

Readiness fails only when the database fails. The broker and the storage are checked and reported, but an
outage of either must not take every web pod out of service: uploads still commit to the outbox while
RabbitMQ is away, and only downloads need the storage.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from invoicesite.metrics import metrics_view

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
BROKER_CHECK_SECONDS = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    if not settings.AMQP_URL:
        return  # embedded mode: jobs run in-process
    from workers.broker import close_quietly, connect

    # Bounded over every node of AMQP_URL, so that silent brokers make the check fail before the probe's
    # own timeout (5 s in the chart) would take the pod out of service.
    close_quietly(connect(settings.AMQP_URL, deadline=time.monotonic() + BROKER_CHECK_SECONDS))


def check_storage() -> None:
    storage = storages["invoices"]
    ping = getattr(storage, "ping", None)
    if ping is not None:
        ping()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}
REQUIRED = ("database",)


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # the reason goes to the log only
            logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failing"
    return all(results[name] == "ok" for name in REQUIRED), results


def _status(ready: bool, checks: dict[str, str]) -> str:
    if not ready:
        return "failing"
    return "ok" if all(value == "ok" for value in checks.values()) else "degraded"


def _metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if token and not constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return JsonResponse(
            {"error": {"code": "not_authenticated", "message": "Metrics need a token."}}, status=401
        )
    return metrics_view(request)


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVENESS_PATH:
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            body = {"status": _status(ready, checks), "checks": checks}
            return JsonResponse(body, status=200 if ready else 503)
        if request.path == "/metrics":
            return _metrics(request)
        return self.get_response(request)
