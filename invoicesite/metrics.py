"""Prometheus metrics beyond django-prometheus's request metrics (served at /metrics by the web app)."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

RENDER_SECONDS = Histogram(
    "invoice_render_seconds",
    "Time to render one invoice file, by format.",
    ["format"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
# The rendering thread's own CPU: on a busy machine a render's wall time also holds the time it waited for a
# core, and a worker's CPU also holds its job's other steps; this is what rendering alone costs, by format
# (capacity planning, and the benchmark's split of a worker's CPU per invoice).
RENDER_CPU_SECONDS = Counter(
    "invoice_render_cpu_seconds",
    "CPU time of the rendering thread spent rendering invoice files, by format.",
    ["format"],
)


@contextmanager
def render_measured(fmt: str) -> Iterator[None]:
    """Count the block as one render of ``fmt``: its wall time and its thread's CPU time."""
    started = time.thread_time()
    try:
        with RENDER_SECONDS.labels(fmt).time():
            yield
    finally:
        RENDER_CPU_SECONDS.labels(fmt).inc(time.thread_time() - started)


class InvoicesByStatusCollector(Collector):
    """Counts invoices by status at scrape time (one grouped query)."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Without describe() the registry would call collect(), and query the database, at start-up.
        yield self._family()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from invoices.models import Invoice, InvoiceStatus

        gauge = self._family()
        try:
            rows = Invoice.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
            counts = dict(rows)
        except DatabaseError:  # a scrape during a database outage reports no sample rather than failing
            yield gauge
            return
        for status in InvoiceStatus.values:
            gauge.add_metric([status], counts.get(status, 0))
        yield gauge

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("invoices", "Invoices by status.", labels=["status"])


_registered = False


def register_invoice_collector() -> None:
    """Called by the web app's /metrics only: workers have no business counting the whole table."""
    global _registered
    if not _registered:
        REGISTRY.register(InvoicesByStatusCollector())
        _registered = True


def metrics_view(request: HttpRequest) -> HttpResponse:
    """/metrics: the whole web app's metrics, gunicorn's worker processes summed when they share a
    PROMETHEUS_MULTIPROC_DIR (as in the image), plus the invoices-by-status count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(InvoicesByStatusCollector())
    else:
        register_invoice_collector()
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
