"""Prometheus metrics beyond django-prometheus's request metrics (served at /metrics by the web app)."""

import os
from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
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
