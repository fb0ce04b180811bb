"""Number series in the admin: read-mostly. Staff see each account's series and its counters; numbers are
taken only by uploads (invoices/numbering.py), so nothing here adds, changes or deletes one."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from invoices.models import NumberSeries, NumberSeriesCounter
from invoices.numbering import next_number


class CounterInline(admin.TabularInline):
    model = NumberSeriesCounter
    extra = 0
    can_delete = False
    fields = ("period", "last_value")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: NumberSeries | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: NumberSeries | None = None) -> bool:
        return False


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    list_display = ("code", "owner", "pattern", "reset", "counters", "next", "created_at")
    search_fields = ("code", "owner__email")
    search_help_text = "Code or owner's email."
    list_filter = ("reset",)
    list_select_related = ("owner",)
    ordering = ("owner__email", "code")
    fields = ("owner", "code", "pattern", "reset", "next", "created_at")
    readonly_fields = fields
    inlines = [CounterInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NumberSeries]:
        return super().get_queryset(request).prefetch_related("counters")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # defined by their owners through the API

    def has_change_permission(self, request: HttpRequest, obj: NumberSeries | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: NumberSeries | None = None) -> bool:
        return False  # invoices name it; an owner deletes an unused one through the API

    @admin.display(description="counters (period: last number)")
    def counters(self, series: NumberSeries) -> str:
        counters = sorted(series.counters.all(), key=lambda counter: counter.period)
        shown = [f"{counter.period or 'all'}: {counter.last_value}" for counter in counters]
        return ", ".join(shown) or "-"

    @admin.display(description="next number (today)")
    def next(self, series: NumberSeries) -> str:
        return next_number(series)
