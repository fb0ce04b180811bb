"""The admin's view of batches: read-only records of who uploaded what, how far it is, and its email.

A batch's invoices are the Invoice admin's list filtered by the batch (a link from each row and page); its
counts come from one aggregate query for the whole page.
"""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from invoices.models import InvoiceBatch, InvoiceStatus


@admin.register(InvoiceBatch)
class InvoiceBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "created_at", "counts", "completed_at", "email_state", "invoices_link")
    list_filter = (
        ("completed_at", admin.EmptyFieldListFilter),
        ("email_sent_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("owner__email", "=id", "idempotency_key")
    search_help_text = "Owner's email, batch id or Idempotency-Key."
    list_select_related = ("owner",)
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-created_at",)
    fields = (
        "id", "owner", "atomic", "item_count", "accepted_count", "counts", "invoices_link", "created_at",
        "completed_at", "idempotency_key", "fingerprint", "email_recipient", "email_sent_at",
        "email_attempts", "email_next_attempt_at", "email_failed_at", "email_last_error",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[InvoiceBatch]:
        # The items (a thousand outcomes) are the API's to show; the admin's pages need none of them. The
        # counts by status are annotated: one query for the page, not one per row.
        counts = {
            f"count_{status}": Count("invoices", filter=Q(invoices__status=status))
            for status in InvoiceStatus.values
        }
        return super().get_queryset(request).defer("items").annotate(**counts)

    @admin.display(description="invoices by status")
    def counts(self, batch: InvoiceBatch) -> str:
        counts = {status: getattr(batch, f"count_{status}", 0) for status in InvoiceStatus.values}
        return ", ".join(f"{count} {status}" for status, count in counts.items() if count) or "none"

    @admin.display(description="email")
    def email_state(self, batch: InvoiceBatch) -> str:
        if batch.email_sent_at:
            return "sent"
        if batch.email_failed_at:
            return "failed"
        if batch.email_attempts:
            return f"retrying ({batch.email_attempts} attempts)"
        return "pending" if batch.completed_at else "-"

    @admin.display(description="invoices")
    def invoices_link(self, batch: InvoiceBatch) -> SafeString:
        url = reverse("admin:invoices_invoice_changelist") + f"?batch__id__exact={batch.id}"
        return format_html('<a href="{}">{} invoices</a>', url, batch.accepted_count)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InvoiceBatch | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InvoiceBatch | None = None) -> bool:
        return False
