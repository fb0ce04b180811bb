"""The admin's view of download links and their uses: which links an invoice or a batch has, who downloaded
through them (time, client address, browser), and revoking them. Otherwise read-only: a link is made by its
owner (the API) or by the ready or batch email, never by staff, and a use is a record.
"""

import uuid
from datetime import datetime

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from invoices import links
from invoices.models import DownloadLink, DownloadLinkUse, Invoice
from invoicesite.words import counted


def _when(moment: datetime | None) -> str:
    """'2026-11-23 14:05' in TIME_ZONE, or '-'."""
    if moment is None:
        return "-"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class DownloadLinkUseInline(admin.TabularInline):
    """Every download through the link, newest first."""

    model = DownloadLinkUse
    extra = 0
    can_delete = False
    fields = ("at", "client_address", "user_agent")
    readonly_fields = fields
    ordering = ("-at",)

    def has_add_permission(self, request: HttpRequest, obj: DownloadLink | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DownloadLink | None = None) -> bool:
        return False


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(state.value, state.value) for state in links.LinkState]

    def queryset(self, request: HttpRequest, queryset: QuerySet[DownloadLink]) -> QuerySet[DownloadLink]:
        now = timezone.now()
        if self.value() == links.LinkState.ACTIVE:
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == links.LinkState.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == links.LinkState.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(DownloadLink)
class DownloadLinkAdmin(admin.ModelAdmin):
    list_display = ("target", "format_shown", "purpose", "created", "expires", "state", "uses")
    list_filter = (StateFilter, "purpose", "format", "created_at")
    search_fields = ("invoice__number",)
    search_help_text = "Invoice number, or an invoice's, a batch's or a link's id."
    list_select_related = ("invoice", "batch")
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-created_at",)
    actions = ["revoke_selected"]
    inlines = [DownloadLinkUseInline]
    fields = (
        "target_link",
        "format_shown",
        "purpose",
        "created_at",
        "expires_at",
        "revoked_at",
        "state",
        "uses",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DownloadLink]:
        # The invoice's number is all the list needs of it; its stored input can be megabytes (and a
        # batch's items, every item's outcome, as much).
        queryset = super().get_queryset(request).defer("invoice__input", "batch__items")
        return queryset.annotate(use_count=Count("uses"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[DownloadLink], search_term: str
    ) -> tuple[QuerySet[DownloadLink], bool]:
        """An invoice's, a batch's or a link's id finds its links; anything else is searched in invoice
        numbers (a UUID lookup with a number would be an error, not an empty result)."""
        try:
            key = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        matches = queryset.filter(invoice_id=key) | queryset.filter(batch_id=key) | queryset.filter(id=key)
        return matches, False

    @admin.display(description="invoice or batch", ordering="invoice__number")
    def target(self, link: DownloadLink) -> str:
        if link.invoice is not None:
            return link.invoice.number
        return f"batch {str(link.batch_id)[:8]} (ZIP)"

    @admin.display(description="invoice or batch")
    def target_link(self, link: DownloadLink) -> str:
        if link.invoice is not None:
            url = reverse("admin:invoices_invoice_change", args=[link.invoice_id])
            return format_html('<a href="{}">{}</a>', url, link.invoice.number)
        url = reverse("admin:invoices_invoicebatch_change", args=[link.batch_id])
        return format_html('<a href="{}">batch {}</a> (ZIP of its ready files)', url, link.batch_id)

    @admin.display(description="format", ordering="format")
    def format_shown(self, link: DownloadLink) -> str:
        # A batch link without a format filter: its ZIP holds every format.
        return link.get_format_display() if link.format else "every format"

    @admin.display(description="created", ordering="created_at")
    def created(self, link: DownloadLink) -> str:
        return _when(link.created_at)

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, link: DownloadLink) -> str:
        return _when(link.expires_at)

    @admin.display(description="state")
    def state(self, link: DownloadLink) -> str:
        state = links.link_state(link)
        return f"revoked {_when(link.revoked_at)}" if state == links.LinkState.REVOKED else state.value

    @admin.display(description="uses", ordering="use_count")
    def uses(self, link: DownloadLink) -> int:
        return int(getattr(link, "use_count", 0))

    @admin.action(description="Revoke selected links")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[DownloadLink]) -> None:
        revoked = links.links_revoke_selected(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{counted(revoked, 'link')} revoked.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DownloadLink | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DownloadLink | None = None) -> bool:
        return False


class DownloadLinkInline(admin.TabularInline):
    """On the invoice's page: its links, with their state and uses; each row opens the link's page."""

    model = DownloadLink
    extra = 0
    can_delete = False
    fields = ("format", "purpose", "created_at", "expires_at", "state", "details")
    readonly_fields = fields
    ordering = ("-created_at",)
    max_num = 0

    def has_add_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, link: DownloadLink) -> str:
        return links.link_state(link).value

    @admin.display(description="")
    def details(self, link: DownloadLink) -> str:
        url = reverse("admin:invoices_downloadlink_change", args=[link.pk])
        return format_html('<a href="{}">uses and details</a>', url)
