"""Staff reach every invoice here (and only here): read-only records, its renditions with their download
links, re-queue.

Issued invoices are immutable (pretix's rule: corrections are new documents), so the change page is a view
page: no Save button, and a POST to it is refused. The list reads no stored input: the buyer's name is an
annotation read from the JSON inside the query, and the input itself is deferred.
"""

import json
import uuid
from datetime import datetime
from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import CharField, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from invoices import services
from invoices.document.currencies import find_currency
from invoices.document.money import format_amount
from invoices.downloads import stored_file_response
from invoices.models import Invoice, InvoiceStatus, Notification, Rendition
from invoicesite.words import counted

# The admin index shows the invoices dashboard (invoices/templatetags/invoices_admin.py) above the models.
admin.site.index_template = "admin/invoices/index.html"
# The models sidebar takes 300 px of every list: at 1280 px the invoice list's last columns were cut off.
# The breadcrumbs and the index lead to every model anyway.
admin.site.enable_nav_sidebar = False

ERROR_PREVIEW_CHARS = 60
# The buyer's name in either stored input format: the current one's invoice.buyer.name, else the legacy
# flat format's bill_to_name or bill_to_company. Empty strings fall through to the next candidate.
BUYER_NAME = Coalesce(
    NullIf(KT("input__invoice__buyer__name"), Value("")),
    NullIf(KT("input__bill_to_name"), Value("")),
    NullIf(KT("input__bill_to_company"), Value("")),
    Value(""),
    output_field=CharField(),
)

# The invoice page's sections: what staff check first, then the files (the renditions inline follows),
# then the bookkeeping.
SUMMARY_FIELDS = (
    "number", "type", "preceding", "owner", "seller_name", "buyer", "status", "failure_reason", "created_at",
    "rendered_at",
)  # fmt: skip
FILE_FIELDS = ("formats_requested", "page_size")
RECORD_FIELDS = ("id", "idempotency_key", "duplicate_number", "updated_at")


def money(amount: Decimal | None, code: str) -> str:
    """'1,250.00 EUR', '1,250 JPY', '1,250.000 KWD': the currency's own decimals, thousands grouped."""
    if amount is None:
        return "-"
    currency = find_currency(code)
    if currency is None:  # every stored code was validated on upload; show an unknown one as it is
        return f"{amount} {code}"
    return f"{format_amount(amount, currency)} {currency.code}"


def short_datetime(moment: datetime | None) -> str:
    """'2026-11-23 14:05' in TIME_ZONE: short enough to stay on one line in a list column."""
    if moment is None:
        return "-"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def rendition_download_url(rendition: Rendition) -> str:
    return reverse("admin:invoices_invoice_download_format", args=[rendition.invoice_id, rendition.format])


class RenditionInline(admin.TabularInline):
    """The invoice's files, one row per format, read-only: a ready one links its download."""

    model = Rendition
    extra = 0
    can_delete = False
    fields = ("format", "status", "file", "size_shown", "sha256", "attempts", "rendered", "failure_reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    @admin.display(description="file")
    def file(self, rendition: Rendition) -> str:
        if rendition.status != InvoiceStatus.READY:
            return "-"
        return format_html(
            '<a href="{}">download {}</a>', rendition_download_url(rendition), rendition.download_name
        )

    @admin.display(description="size")
    def size_shown(self, rendition: Rendition) -> str:
        return filesizeformat(rendition.size) if rendition.size is not None else "-"

    @admin.display(description="rendered")
    def rendered(self, rendition: Rendition) -> str:
        return short_datetime(rendition.rendered_at)


class NotificationInline(admin.TabularInline):
    """Five narrow columns that fit 1280 px; the notification's own page has every field."""

    model = Notification
    extra = 0
    can_delete = False
    fields = ("kind", "recipient", "state", "attempts", "error", "details")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, notification: Notification) -> str:
        """Sent, given up on, or waiting (with its next attempt): one short cell instead of three dates."""
        if notification.sent_at:
            return f"sent {short_datetime(notification.sent_at)}"
        if notification.failed_at:
            return f"failed {short_datetime(notification.failed_at)}"
        if notification.next_attempt_at:
            return f"next try {short_datetime(notification.next_attempt_at)}"
        return "queued"

    @admin.display(description="last error")
    def error(self, notification: Notification) -> str:
        """The start of the error; the whole text is the cell's title (on hover) and on the details page."""
        if not notification.last_error:
            return "-"
        preview = Truncator(notification.last_error).chars(ERROR_PREVIEW_CHARS)
        return format_html('<span title="{}">{}</span>', notification.last_error, preview)

    @admin.display(description="")
    def details(self, notification: Notification) -> str:
        url = reverse("admin:invoices_notification_change", args=[notification.pk])
        return format_html('<a href="{}">details</a>', url)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: find the emails still being retried (sent at: empty) or given up on (failed at: set)."""

    list_display = ("invoice", "kind", "recipient", "sent_at", "attempts", "next_attempt_at", "failed_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient", "invoice__number")
    list_select_related = ("invoice",)
    ordering = ("-created_at",)
    readonly_fields = (
        "invoice", "kind", "recipient", "sent_at", "attempts", "next_attempt_at", "failed_at", "last_error",
        "provider_message_id", "created_at",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        # The invoice's __str__ is all the list needs of it; its stored input can be megabytes.
        return super().get_queryset(request).defer("invoice__input")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "owner", "buyer", "total", "status", "file", "created")
    list_display_links = ("number",)
    # Owners are found by searching their email: a filter listing every owner would not scale.
    list_filter = ("status", "renditions__format", "type", "created_at")
    search_fields = ("number", "buyer_name", "owner__email")
    search_help_text = "Number, buyer's name or owner's email."
    list_select_related = ("owner",)
    list_per_page = 50
    # "12 results (34,567 total)" costs a second COUNT(*) over the whole table on every search or filter.
    show_full_result_count = False
    ordering = ("-created_at",)
    actions = ["requeue_failed"]
    inlines = [RenditionInline, NotificationInline]
    fieldsets = (
        (None, {"fields": SUMMARY_FIELDS}),
        ("Totals", {"fields": ("net", "tax", "gross")}),
        ("Files (the renditions below)", {"fields": FILE_FIELDS}),
        ("Record", {"fields": RECORD_FIELDS}),
        ("Input (as uploaded)", {"classes": ("collapse",), "fields": ("stored_input",)}),
    )
    # Every field is read-only: nothing on this page is a form input.
    readonly_fields = (*SUMMARY_FIELDS, "net", "tax", "gross", *FILE_FIELDS, *RECORD_FIELDS, "stored_input")

    class Media:
        css = {"all": ("invoices/admin/admin.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        # The list, the actions and the change page never need the input up front (the change page reads
        # it once, for its collapsed "as uploaded" block); the buyer's name comes from inside the query.
        # The renditions come in one more query for the whole page (the list's "file" column).
        return (
            super()
            .get_queryset(request)
            .defer("input")
            .annotate(buyer_name=BUYER_NAME)
            .prefetch_related("renditions")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invoices are uploaded through the API

    def has_change_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False  # issued invoices are immutable: the change page is a view page

    def has_delete_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False  # issued invoices are kept

    @admin.display(description="buyer", ordering="buyer_name")
    def buyer(self, invoice: Invoice) -> str:
        return getattr(invoice, "buyer_name", "") or "-"

    @admin.display(description="total", ordering="total_gross")
    def total(self, invoice: Invoice) -> str:
        return money(invoice.total_gross, invoice.currency)

    @admin.display(description="net")
    def net(self, invoice: Invoice) -> str:
        return money(invoice.total_net, invoice.currency)

    @admin.display(description="tax")
    def tax(self, invoice: Invoice) -> str:
        return money(invoice.total_tax, invoice.currency)

    @admin.display(description="gross")
    def gross(self, invoice: Invoice) -> str:
        return money(invoice.total_gross, invoice.currency)

    @admin.display(description="created", ordering="created_at")
    def created(self, invoice: Invoice) -> str:
        return short_datetime(invoice.created_at)

    @admin.display(description="files", ordering="format")
    def file(self, invoice: Invoice) -> str:
        """Each rendition's format, linked to its download once its file exists."""
        return format_html_join(
            " ",
            "{}",
            ((_rendition_label(rendition),) for rendition in invoice.renditions.all()),
        )

    @admin.display(description="preceding invoice")
    def preceding(self, invoice: Invoice) -> str:
        if invoice.preceding_invoice_id is None:
            return "-"
        url = reverse("admin:invoices_invoice_change", args=[invoice.preceding_invoice_id])
        return format_html('<a href="{}">{}</a>', url, invoice.preceding_invoice_id)

    @admin.display(description="formats asked for")
    def formats_requested(self, invoice: Invoice) -> str:
        return ", ".join(invoice.formats) or invoice.format

    @admin.display(description="input (as uploaded)")
    def stored_input(self, invoice: Invoice) -> str:
        return format_html("<pre>{}</pre>", json.dumps(invoice.input, indent=2, ensure_ascii=False))

    @admin.action(description="Re-queue the failed renditions of the selected invoices")
    def requeue_failed(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        requeued = sum(services.invoice_requeue(invoice=invoice) for invoice in queryset)
        skipped = queryset.count() - requeued
        self.message_user(
            request, f"Re-queued {counted(requeued, 'invoice')}; {skipped} skipped (not failed)."
        )
        if skipped:
            self.message_user(request, "Only failed invoices can be re-queued.", level=messages.WARNING)

    def get_urls(self) -> list[URLPattern]:
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("<uuid:pk>/download/", download, name="invoices_invoice_download"),
            path("<uuid:pk>/download/<str:fmt>/", download, name="invoices_invoice_download_format"),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: uuid.UUID, fmt: str | None = None) -> HttpResponseBase:
        """A ready rendition's file: the default one (the first format asked for) unless ``fmt`` names one."""
        invoice = Invoice.objects.filter(pk=pk).defer("input").first()
        if invoice is None or not self.has_view_permission(request, invoice):
            raise Http404("No such invoice.")
        rendition = invoice.renditions.filter(
            format=fmt or invoice.format, status=InvoiceStatus.READY
        ).first()
        if rendition is None:
            raise Http404("No such ready rendition.")
        return stored_file_response(rendition, invoice.number)


def _rendition_label(rendition: Rendition) -> str:
    label = rendition.get_format_display()
    if rendition.status != InvoiceStatus.READY:
        return format_html('<span title="{}">{}</span>', rendition.status, label)
    return format_html('<a href="{}" title="download">{}</a>', rendition_download_url(rendition), label)


# Registered in modules of their own: links and batches.
from invoices import admin_batches, admin_brands, admin_ledger, admin_links, admin_series  # noqa: E402,F401

# An invoice's download links, below its renditions and emails; then its ledger entries.
InvoiceAdmin.inlines = [*InvoiceAdmin.inlines, admin_links.DownloadLinkInline, admin_ledger.LedgerEntryInline]
