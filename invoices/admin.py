"""Staff reach every invoice here (and only here): read-only records, a download link, re-queue."""

import json
import uuid

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from invoices import services
from invoices.downloads import stored_file_response
from invoices.models import Invoice, InvoiceStatus, Notification


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "recipient",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "failed_at",
        "last_error",
        "provider_message_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: find the emails still being retried (sent at: empty) or given up on (failed at: set)."""

    list_display = ("invoice", "kind", "recipient", "sent_at", "attempts", "next_attempt_at", "failed_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient", "invoice__number")
    list_select_related = ("invoice",)
    ordering = ("-created_at",)
    readonly_fields = [*NotificationInline.fields, "invoice", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "owner", "format", "status", "download_link", "file_size", "created_at")
    # Owners who have invoices only (not every account), and search by email for the long tail.
    list_filter = ("status", "format", ("owner", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("number", "owner__email")
    list_select_related = ("owner",)
    ordering = ("-created_at",)
    actions = ["requeue_failed"]
    inlines = [NotificationInline]
    exclude = ("input",)
    readonly_fields = (
        "id", "owner", "number", "format", "page_size", "status", "failure_reason", "currency",
        "total_net", "total_tax", "total_gross", "download_link", "download_name", "file_name",
        "content_type", "size", "sha256", "idempotency_key", "attempts", "created_at", "updated_at",
        "rendered_at", "stored_input",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invoices are uploaded through the API

    def has_delete_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False  # issued invoices are kept

    @admin.display(description="input (as uploaded)")
    def stored_input(self, invoice: Invoice) -> str:
        return format_html("<pre>{}</pre>", json.dumps(invoice.input, indent=2, ensure_ascii=False))

    @admin.display(description="size", ordering="size")
    def file_size(self, invoice: Invoice) -> str:
        return filesizeformat(invoice.size) if invoice.size is not None else "-"

    @admin.display(description="file")
    def download_link(self, invoice: Invoice) -> str:
        if invoice.status != InvoiceStatus.READY:
            return "-"
        url = reverse("admin:invoices_invoice_download", args=[invoice.pk])
        return format_html('<a href="{}">download</a>', url)

    @admin.action(description="Re-queue the selected failed invoices")
    def requeue_failed(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        requeued = sum(services.invoice_requeue(invoice=invoice) for invoice in queryset)
        skipped = queryset.count() - requeued
        self.message_user(request, f"Re-queued {requeued} invoice(s); {skipped} skipped (not failed).")
        if skipped:
            self.message_user(request, "Only failed invoices can be re-queued.", level=messages.WARNING)

    def get_urls(self) -> list[URLPattern]:
        download = self.admin_site.admin_view(self.download_view)
        return [path("<uuid:pk>/download/", download, name="invoices_invoice_download"), *super().get_urls()]

    def download_view(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
        invoice = Invoice.objects.filter(pk=pk, status=InvoiceStatus.READY).first()
        if invoice is None or not self.has_view_permission(request, invoice):
            raise Http404("No such ready invoice.")
        return stored_file_response(invoice)
