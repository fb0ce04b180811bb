"""Shapes of the invoice API's answers, query parameters and pages (validation and shaping only, no writes).

The views and the OpenAPI description (``invoices.openapi``) both read the limits here.
"""

from decimal import Decimal
from typing import Any

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.reverse import reverse

from invoices.document.currencies import find_currency
from invoices.document.money import round_money
from invoices.models import Invoice, InvoiceFormat, InvoiceStatus

MAX_IDEMPOTENCY_KEY_LENGTH = 255


class InvoicePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def invoice_links(invoice: Invoice, request: Request) -> dict[str, str]:
    return {
        "self": reverse("invoice-detail", kwargs={"pk": invoice.pk}, request=request),
        "download": reverse("invoice-download", kwargs={"pk": invoice.pk}, request=request),
    }


def money_text(amount: Decimal, currency_code: str) -> str:
    """An amount as a plain string with exactly the currency's decimals ('1356.25', '1000')."""
    currency = find_currency(currency_code)
    return str(round_money(amount, currency)) if currency else str(amount)


class InvoiceAcceptedSerializer(serializers.Serializer):
    """The 202 answer to an upload."""

    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        return {
            "id": str(invoice.id),
            "number": invoice.number,
            "status": invoice.status,
            "format": invoice.format,
            "links": invoice_links(invoice, self.context["request"]),
        }


class InvoiceOutputSerializer(serializers.Serializer):
    def to_representation(self, invoice: Invoice) -> dict[str, Any]:
        return {
            "id": str(invoice.id),
            "number": invoice.number,
            "format": invoice.format,
            "page_size": invoice.page_size,
            "status": invoice.status,
            "failure_reason": invoice.failure_reason or None,
            "currency": invoice.currency,
            "totals": {
                "net": money_text(invoice.total_net, invoice.currency),
                "tax": money_text(invoice.total_tax, invoice.currency),
                "gross": money_text(invoice.total_gross, invoice.currency),
            },
            "file": self._file(invoice),
            "created_at": serializers.DateTimeField().to_representation(invoice.created_at),
            "updated_at": serializers.DateTimeField().to_representation(invoice.updated_at),
            "rendered_at": (
                serializers.DateTimeField().to_representation(invoice.rendered_at)
                if invoice.rendered_at
                else None
            ),
            "links": invoice_links(invoice, self.context["request"]),
        }

    @staticmethod
    def _file(invoice: Invoice) -> dict[str, Any] | None:
        if invoice.status != InvoiceStatus.READY:
            return None
        return {
            "name": invoice.download_name,
            "content_type": invoice.content_type,
            "size": invoice.size,
            "sha256": invoice.sha256,
        }


class LegacyUploadFormSerializer(serializers.Serializer):
    """Draws the browsable API's file form on ``POST /upload``; the view reads the upload itself."""

    file = serializers.FileField(help_text="The invoice as a JSON file.")


class InvoiceFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)
    # "excel" is accepted on upload as a synonym of xlsx, so the filter takes it too.
    format = serializers.ChoiceField(choices=[*InvoiceFormat.choices, ("excel", "Excel")], required=False)

    def validate_format(self, value: str) -> str:
        return "xlsx" if value == "excel" else value
