"""Liveness and readiness for the orchestrator: ``/healthz`` and ``/readyz``.

Answered by the first middleware, before host validation and HTTPS redirects: probes come from the kubelet
over plain HTTP with the pod's IP as the Host header. Neither endpoint reveals more than ok/failing.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    if not settings.AMQP_URL:
        return  # embedded mode: jobs run in-process
    from workers.broker import close_quietly, connect

    close_quietly(connect(settings.AMQP_URL))


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


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means not ready; the reason goes to the log only
            logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failing"
    return all(value == "ok" for value in results.values()), results


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            return JsonResponse(
                {"status": "ok" if ready else "failing", "checks": checks}, status=200 if ready else 503
            )
        return self.get_response(request)
