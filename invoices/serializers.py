"""Shapes of the invoice API's answers, query parameters and pages (validation and shaping only, no writes).

The views and the OpenAPI description (``invoices.openapi``) both read the limits here.
"""

from decimal import Decimal
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from invoices.document.currencies import find_currency
from invoices.document.money import round_money
from invoices.models import Invoice, InvoiceFormat, InvoiceStatus, Rendition
from invoicesite import fields as api_fields
from invoicesite.queries import QuerySerializer

MAX_IDEMPOTENCY_KEY_LENGTH = 255


# A stand-in id, reversed once per request and replaced by each invoice's: reversing (the resolver, the host
# check, the absolute URL) was 29 % of a list page's CPU, four URLs for each of its 50 invoices
# (docs/performance.md, List).
_STAND_IN = "00000000-0000-4000-8000-000000000000"
_LINK_ROUTES = {"self": "invoice-detail", "download": "invoice-download", "renditions": "invoice-renditions"}


def _link_bases(request: Request) -> dict[str, tuple[str, str]]:
    """Each invoice link's absolute URL for this request, as what comes before and after the id; built on
    first use."""
    bases: dict[str, tuple[str, str]] | None = getattr(request, "_invoice_link_bases", None)
    if bases is None:
        bases = {}
        for name, route in _LINK_ROUTES.items():
            head, _, tail = reverse(route, kwargs={"pk": _STAND_IN}, request=request).rpartition(_STAND_IN)
            bases[name] = (head, tail)
        request._invoice_link_bases = bases  # type: ignore[attr-defined]
    return bases


def invoice_links(invoice: Invoice, request: Request) -> dict[str, str]:
    invoice_id = str(invoice.pk)
    return {name: f"{head}{invoice_id}{tail}" for name, (head, tail) in _link_bases(request).items()}


def rendition_download_url(invoice_id: Any, fmt: str, request: Request) -> str:
    head, tail = _link_bases(request)["download"]
    return f"{head}{invoice_id}{tail}?format={fmt}"


def rendition_representation(rendition: Rendition, request: Request) -> dict[str, Any]:
    """One rendition: its status, and its file once ready (the same fields as ever for a file)."""
    ready = rendition.status == InvoiceStatus.READY
    return {
        "format": rendition.format,
        "status": rendition.status,
        "failure_reason": rendition.failure_reason or None,
        "name": rendition.download_name if ready else None,
        "content_type": rendition.content_type if ready else None,
        "size": rendition.size if ready else None,
        "sha256": rendition.sha256 if ready else None,
        "rendered_at": _moment(rendition.rendered_at) if ready else None,
        "links": {"download": rendition_download_url(rendition.invoice_id, rendition.format, request)},
    }


# One field for every moment: DRF's format (ISO 8601, "Z" for UTC), without building a field per value.
_MOMENT = serializers.DateTimeField()


def _moment(value: Any) -> str | None:
    return _MOMENT.to_representation(value) if value else None


def money_text(amount: Decimal, currency_code: str) -> str:
    """An amount as a plain string with exactly the currency's decimals ('1356.25', '1000')."""
    currency = find_currency(currency_code)
    return str(round_money(amount, currency)) if currency else str(amount)


def series_code(invoice: Invoice) -> str | None:
    """The code of the series the invoice's number came from (select_related("series") in lists)."""
    return invoice.series.code if invoice.series_id is not None and invoice.series is not None else None


class InvoiceAcceptedSerializer(serializers.Serializer):
    """The 202 answer to an upload."""

    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        return {
            "id": str(invoice.id),
            "number": invoice.number,
            "series": series_code(invoice),
            "status": invoice.status,
            "format": invoice.format,
            "formats": list(invoice.formats),
            "links": invoice_links(invoice, self.context["request"]),
        }


class InvoiceOutputSerializer(serializers.Serializer):
    """An invoice as issued, with its renditions: those the context's "renditions" holds for it (a list page
    reads them with its invoices), else ``invoice.renditions.all()`` (prefetch them)."""

    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        request = self.context["request"]
        listed = self.context.get("renditions")
        renditions = listed[invoice.id] if listed is not None else list(invoice.renditions.all())
        return {
            "id": str(invoice.id),
            "number": invoice.number,
            "series": series_code(invoice),
            "type": invoice.type,
            "preceding_invoice": str(invoice.preceding_invoice_id) if invoice.preceding_invoice_id else None,
            "format": invoice.format,
            "formats": list(invoice.formats),
            "page_size": invoice.page_size,
            "status": invoice.status,
            "failure_reason": invoice.failure_reason or None,
            "currency": invoice.currency,
            "totals": {
                "net": money_text(invoice.total_net, invoice.currency),
                "tax": money_text(invoice.total_tax, invoice.currency),
                "gross": money_text(invoice.total_gross, invoice.currency),
            },
            "file": self._file(invoice, renditions),
            "renditions": [rendition_representation(rendition, request) for rendition in renditions],
            "created_at": _moment(invoice.created_at),
            "updated_at": _moment(invoice.updated_at),
            "rendered_at": _moment(invoice.rendered_at),
            "links": invoice_links(invoice, request),
        }

    @staticmethod
    def _file(invoice: Invoice, renditions: list[Rendition]) -> dict[str, Any] | None:
        """The default rendition's file (the first format asked for), as before renditions existed."""
        default = next((r for r in renditions if r.format == invoice.format), None)
        if default is None or default.status != InvoiceStatus.READY:
            return None
        return {
            "name": default.download_name,
            "content_type": default.content_type,
            "size": default.size,
            "sha256": default.sha256,
        }


class RenditionOutputSerializer(serializers.Serializer):
    """The answer to adding a rendition: the rendition, and where to follow it."""

    def to_representation(self, rendition: Rendition) -> dict[str, Any]:
        request = self.context["request"]
        body = rendition_representation(rendition, request)
        body["links"]["invoice"] = reverse(
            "invoice-detail", kwargs={"pk": rendition.invoice_id}, request=request
        )
        return body


class LegacyUploadFormSerializer(serializers.Serializer):
    """Draws the browsable API's file form on ``POST /upload``; the view reads the upload itself."""

    file = serializers.FileField(help_text="The invoice as a JSON file.")


# ``excel`` is accepted on upload as a synonym of xlsx, so the filter and the rendition endpoints take it too.
FORMAT_CHOICES = [*InvoiceFormat.choices, ("excel", "Excel")]


def format_value(value: str) -> str:
    return "xlsx" if value == "excel" else value


class RenditionRequestSerializer(api_fields.ClosedObjectSerializer):
    example = '{"format": "xlsx"}'
    """``POST /api/invoices/{id}/renditions/``: ``{"format": "xlsx"}``, nothing else."""

    format = api_fields.ChoiceField(choices=FORMAT_CHOICES)

    def validate_format(self, value: str) -> str:
        return format_value(value)


class DownloadQuerySerializer(QuerySerializer):
    """``?format=`` of a download: which rendition (default the first format asked for)."""

    format = api_fields.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def validate_format(self, value: str) -> str:
        return format_value(value)


class InvoiceFilterSerializer(QuerySerializer):
    paginated = True

    status = api_fields.ChoiceField(choices=InvoiceStatus.choices, required=False)
    format = api_fields.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def validate_format(self, value: str) -> str:
        return format_value(value)
