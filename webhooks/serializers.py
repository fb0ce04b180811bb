"""The webhook API's bodies: what it accepts (every field checked, unknown fields refused by name) and
how it shows endpoints and deliveries. A secret appears only in ``NewSecretSerializer`` (create, rotate)."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from invoicesite import fields as api_fields
from invoicesite.queries import QuerySerializer
from webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.outbound import MAX_URL_LENGTH, RefusedURL, url_check

DESCRIPTION_MAX = 200


class EndpointInputSerializer(api_fields.ClosedObjectSerializer):
    example = '{"url": "https://example.com/hooks", "event_types": ["invoice.ready"]}'
    url = serializers.CharField(
        max_length=MAX_URL_LENGTH,
        trim_whitespace=False,
        help_text="Where to POST events: https (http only where the service allows it, for development), "
        "a public address.",
    )
    event_types = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text=f"The events to receive, one or more of: {', '.join(SUBSCRIBABLE_EVENTS)}.",
    )
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, required=False, help_text="For you; not sent."
    )

    def validate_url(self, value: str) -> str:
        try:
            url_check(value)
        except RefusedURL as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate_event_types(self, value: list[str]) -> list[str]:
        if EventType.WEBHOOK_TEST in value:
            raise serializers.ValidationError(
                f"{EventType.WEBHOOK_TEST} is sent only when asked for (POST /api/webhooks/{{id}}/test/), "
                f"never subscribed to; the event types are: {', '.join(SUBSCRIBABLE_EVENTS)}."
            )
        unknown = [name for name in value if name not in SUBSCRIBABLE_EVENTS]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown event {'type' if len(unknown) == 1 else 'types'}: {', '.join(unknown)}; "
                f"the event types are: {', '.join(SUBSCRIBABLE_EVENTS)}."
            )
        return list(dict.fromkeys(value))  # each once, in the order given


class EndpointUpdateSerializer(EndpointInputSerializer):
    enabled = serializers.BooleanField(
        required=False,
        help_text="false: no events are sent; true: enabled again, its failure record cleared.",
    )


class EndpointSerializer(serializers.ModelSerializer):
    links = serializers.SerializerMethodField()
    previous_secret_expires_at = serializers.SerializerMethodField(
        help_text="Until when deliveries are also signed with the previous secret (null: none pending)."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    def get_links(self, endpoint: WebhookEndpoint) -> dict[str, str]:
        request: Request = self.context["request"]
        return {
            "self": reverse("webhook-detail", kwargs={"pk": endpoint.pk}, request=request),
            "deliveries": reverse("webhook-deliveries", kwargs={"pk": endpoint.pk}, request=request),
            "rotate_secret": reverse("webhook-rotate", kwargs={"pk": endpoint.pk}, request=request),
            "test": reverse("webhook-test", kwargs={"pk": endpoint.pk}, request=request),
        }

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_previous_secret_expires_at(self, endpoint: WebhookEndpoint) -> str | None:
        expires = endpoint.previous_secret_expires_at
        if not endpoint.previous_secret or expires is None or expires <= timezone.now():
            return None
        return serializers.DateTimeField().to_representation(expires)


class NewSecretSerializer(EndpointSerializer):
    """The endpoint with its new secret: the one answer that shows it."""

    secret = serializers.SerializerMethodField(help_text="whsec_...: shown this once; store it now.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, endpoint: WebhookEndpoint) -> str:
        return str(self.context["secret"])


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["started_at", "status_code", "duration_ms", "error"]
        read_only_fields = fields


# A plain string in the schema, its values in the description: drf-spectacular names every enum of a field
# called "status" after the field, and a second set of values would collide with the invoices' statuses.
@extend_schema_field({"type": "string"})
class DeliveryStatusField(serializers.CharField):
    pass


class DeliverySerializer(serializers.ModelSerializer):
    status = DeliveryStatusField(
        read_only=True, help_text="pending (queued or waiting for its next attempt), succeeded or failed."
    )
    webhook_id = serializers.CharField(
        read_only=True, help_text="The webhook-id header: the same on every attempt."
    )
    last_duration_ms = serializers.SerializerMethodField()
    recent_attempts = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_duration_ms",
            "last_error",
            "created_at",
            "delivered_at",
            "failed_at",
            "next_attempt_at",
            "recent_attempts",
        ]
        read_only_fields = fields

    def get_last_duration_ms(self, delivery: WebhookDelivery) -> int | None:
        attempts = getattr(delivery, "recent_attempts", [])
        return attempts[0].duration_ms if attempts else None

    @extend_schema_field(AttemptSerializer(many=True))
    def get_recent_attempts(self, delivery: WebhookDelivery) -> list[dict[str, Any]]:
        return [dict(AttemptSerializer(a).data) for a in getattr(delivery, "recent_attempts", [])]


class DeliveryFilterSerializer(QuerySerializer):
    paginated = True

    status = api_fields.ChoiceField(choices=DeliveryStatus.values, required=False)
