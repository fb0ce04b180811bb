"""The admin's view of the ledger: every entry, read-only (no add, change or delete: the application's
database role could not write them anyway, docs/security.md case 35), filterable by kind and by owner (the
owner column opens that owner's chain; search by email), and an invoice's entries on its page.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from invoices.ledger import entry_time
from invoices.models import LedgerEntry

HASH_PREVIEW = 12  # hex digits of a hash shown in a list: enough to tell entries apart at a glance

ENTRY_FIELDS = (
    "owner", "position", "kind", "at_utc", "invoice_link", "number", "input_sha256", "brand_version",
    "layout", "layout_version", "renderer_version", "files", "previous_hash", "entry_hash",
)  # fmt: skip


class ReadOnly:
    """Nothing added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("position", "owner_chain", "kind", "number", "at_utc", "files_shown", "hash_shown")
    list_display_links = ("position",)
    list_filter = ("kind", "at")
    search_fields = ("owner__email", "number")
    search_help_text = "Owner's email or invoice number."
    list_select_related = ("owner",)
    list_per_page = 50
    show_full_result_count = False
    ordering = ("owner", "-position")
    fields = ENTRY_FIELDS
    readonly_fields = ENTRY_FIELDS
    actions = None

    @admin.display(description="owner")
    def owner_chain(self, entry: LedgerEntry) -> str:
        url = reverse("admin:invoices_ledgerentry_changelist") + f"?owner__id__exact={entry.owner_id}"
        return format_html('<a href="{}" title="this owner\'s chain">{}</a>', url, entry.owner.email)

    @admin.display(description="at (UTC)", ordering="at")
    def at_utc(self, entry: LedgerEntry) -> str:
        return entry_time(entry.at)

    @admin.display(description="invoice")
    def invoice_link(self, entry: LedgerEntry) -> str:
        url = reverse("admin:invoices_invoice_change", args=[entry.invoice_id])
        return format_html('<a href="{}">{}</a>', url, entry.invoice_id)

    @admin.display(description="files")
    def files_shown(self, entry: LedgerEntry) -> str:
        return ", ".join(f"{fmt} {sha[:HASH_PREVIEW]}" for fmt, sha in entry.files.items()) or "-"

    @admin.display(description="entry hash")
    def hash_shown(self, entry: LedgerEntry) -> str:
        return format_html('<code title="{}">{}</code>', entry.entry_hash, entry.entry_hash[:HASH_PREVIEW])


_WRAPPED = '<span style="word-break: break-all">{}</span>'
_WRAPPED_LINE = '<div style="word-break: break-all">{}</div>'


class LedgerEntryInline(ReadOnly, admin.TabularInline):
    """The invoice's entries, in chain order, on its page."""

    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("position", "kind", "at_utc", "files_shown", "entry_hash_shown")
    readonly_fields = fields
    ordering = ("position",)
    verbose_name = "ledger entry"
    verbose_name_plural = "ledger entries (GET /api/invoices/{id}/proof/; manage.py verify_ledger)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerEntry]:
        return (
            super()
            .get_queryset(request)
            .only("id", "invoice_id", "position", "kind", "at", "files", "entry_hash")
        )

    @admin.display(description="at (UTC)")
    def at_utc(self, entry: LedgerEntry) -> str:
        return entry_time(entry.at)

    # The hashes are shown whole (an auditor compares them), broken anywhere so the page fits its window.
    @admin.display(description="files")
    def files_shown(self, entry: LedgerEntry) -> str:
        if not entry.files:
            return "-"
        # One block per file: a line each, with no separator markup to mark safe.
        return format_html_join("", _WRAPPED_LINE, ((f"{fmt} {sha}",) for fmt, sha in entry.files.items()))

    @admin.display(description="entry hash")
    def entry_hash_shown(self, entry: LedgerEntry) -> str:
        return format_html(_WRAPPED, entry.entry_hash)
