"""The admin's views of webhook endpoints and deliveries: read-only records, and one staff action, "replay
selected deliveries" (pending again with the same webhook-id, queued through the outbox).

An endpoint's secrets are never shown (not even to staff): they are the owner's, shown to the owner once.
"""

import json
import uuid

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator

from webhooks.delivery import delivery_replay
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ERROR_PREVIEW_CHARS = 80


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the API and the workers, never by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "owner", "events", "enabled", "failing_since", "disabled_at", "created_at")
    list_filter = ("enabled",)
    search_fields = ("url", "owner__email")
    list_select_related = ("owner",)
    ordering = ("-created_at",)
    # Every field but the secrets.
    fields = (
        "id", "owner", "url", "description", "event_types", "enabled", "failing_since", "disabled_at",
        "disabled_reason", "disabled_email_due", "previous_secret_expires_at", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="events")
    def events(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("started_at", "status_code", "duration_ms", "error", "response_body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-started_at",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "webhook_id", "event_type", "status", "attempts", "last_status_code", "error_preview", "endpoint_url",
        "created_at", "delivered_at", "next_attempt_at",
    )  # fmt: skip
    list_filter = ("status", "event_type")
    # A webhook id ("msg_<hex>") is looked up by get_search_results; the URL by the usual search.
    search_fields = ("endpoint__url",)
    search_help_text = "A webhook id (msg_...) or part of an endpoint's URL."
    list_select_related = ("endpoint",)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    fields = (
        "webhook_id", "endpoint", "event_type", "event_key", "status", "attempts", "last_status_code",
        "last_error", "created_at", "delivered_at", "failed_at", "next_attempt_at", "body",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.display(description="webhook id")
    def webhook_id(self, delivery: WebhookDelivery) -> str:
        return delivery.webhook_id

    @admin.display(description="endpoint", ordering="endpoint__url")
    def endpoint_url(self, delivery: WebhookDelivery) -> str:
        return Truncator(delivery.endpoint.url).chars(60)

    @admin.display(description="last error")
    def error_preview(self, delivery: WebhookDelivery) -> str:
        return Truncator(delivery.last_error).chars(ERROR_PREVIEW_CHARS)

    @admin.display(description="body")
    def body(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, ensure_ascii=False))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[WebhookDelivery], search_term: str
    ) -> tuple[QuerySet[WebhookDelivery], bool]:
        term = search_term.strip()
        if term.startswith("msg_"):
            try:
                return queryset.filter(pk=uuid.UUID(term.removeprefix("msg_"))), False
            except ValueError:
                return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description="Replay selected deliveries (same webhook-id)", permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = delivery_replay(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} delivery(ies) queued again.", messages.SUCCESS)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        # Staff who may see deliveries may send one again: it repeats what the owner asked for.
        return bool(request.user.is_staff) and self.has_view_permission(request)
