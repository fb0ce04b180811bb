"""OpenAPI documentation of the webhook endpoints API, one named spec per operation (``@openapi.LIST``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from invoicesite.api_errors import NOT_AUTHENTICATED_MESSAGE, error_body
from invoicesite.queries import QUERY_REFUSED, page_parameters
from webhooks.models import DeliveryStatus, EventType
from webhooks.serializers import (
    DeliverySerializer,
    EndpointInputSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    NewSecretSerializer,
)

TAGS = ["webhooks"]
# The one error shape's component, which accounts.openapi defines (referenced by name: this app imports no
# module that depends on invoices, and accounts' serializers do).
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


def error_example(
    name: str, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> OpenApiExample:
    return OpenApiExample(name, value=error_body(code, message, fields))


def error_response(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    return OpenApiResponse(ERROR_SCHEMA, description=description, examples=list(examples))


UNAUTHENTICATED = error_response(
    "No valid access token: `Authorization: Bearer <access token>` is missing, expired, revoked by a "
    "password change, or not an access token.",
    error_example(
        "not_authenticated",
        "not_authenticated",
        NOT_AUTHENTICATED_MESSAGE,
    ),
    error_example("token_not_valid", "token_not_valid", "Given token not valid for any token type"),
)


class PaginatedDeliveryListSerializer(serializers.Serializer):
    """One page of an endpoint's deliveries, newest first."""

    count = serializers.IntegerField(min_value=0, help_text="Deliveries matching the filter, on all pages.")
    next = serializers.URLField(allow_null=True, help_text="The next page; `null` on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page; `null` on the first.")
    results = DeliverySerializer(many=True)


ENDPOINT_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The endpoint's id."
)
NOT_FOUND = error_response(
    "No such webhook endpoint: the id does not exist or the endpoint belongs to another account (the same "
    "answer).",
    error_example("not_found", "not_found", "No such webhook endpoint."),
)
INVALID = error_response(
    "A field is missing or invalid; `fields` names it and says why.",
    error_example(
        "refused url",
        "invalid",
        "Some fields are invalid.",
        {"url": ["localhost is 127.0.0.1, a loopback address: webhooks are only sent to public addresses."]},
    ),
    error_example(
        "unknown event type",
        "invalid",
        "Some fields are invalid.",
        {
            "event_types": [
                f"Unknown event type: invoice.paid; the event types are: {', '.join(EventType.values)}."
            ]
        },
    ),
)
CREATE_EXAMPLE = OpenApiExample(
    "endpoint",
    request_only=True,
    value={
        "url": "https://erp.example.com/hooks/invoices",
        "event_types": ["invoice.ready", "invoice.failed"],
        "description": "ERP",
    },
)
PAGE_PARAMETERS = page_parameters("Deliveries")

LIST = extend_schema(
    operation_id="webhooks_list",
    tags=TAGS,
    summary="List the caller's webhook endpoints",
    description="Never with their secrets.",
    responses={200: EndpointSerializer(many=True), 401: UNAUTHENTICATED},
)
CREATE = extend_schema(
    operation_id="webhooks_create",
    tags=TAGS,
    summary="Register a webhook endpoint",
    description="The answer carries the endpoint's signing secret (`whsec_...`): shown this once.",
    request=EndpointInputSerializer,
    examples=[CREATE_EXAMPLE],
    responses={201: NewSecretSerializer, 400: INVALID, 401: UNAUTHENTICATED},
)
RETRIEVE = extend_schema(
    operation_id="webhooks_retrieve",
    tags=TAGS,
    summary="One webhook endpoint",
    parameters=[ENDPOINT_ID],
    responses={200: EndpointSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
UPDATE = extend_schema(
    operation_id="webhooks_partial_update",
    tags=TAGS,
    summary="Change a webhook endpoint",
    description="Any of `url`, `event_types`, `description`, `enabled`. Enabling clears the failure record.",
    parameters=[ENDPOINT_ID],
    request=EndpointUpdateSerializer,
    responses={200: EndpointSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
DELETE = extend_schema(
    operation_id="webhooks_destroy",
    tags=TAGS,
    summary="Delete a webhook endpoint and its deliveries log",
    parameters=[ENDPOINT_ID],
    request=None,
    responses={204: OpenApiResponse(description="Deleted."), 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
ROTATE = extend_schema(
    operation_id="webhooks_rotate_secret",
    tags=TAGS,
    summary="Rotate an endpoint's signing secret",
    description=(
        "A new secret, shown this once. Until `previous_secret_expires_at` every delivery is signed with "
        "both the old and the new secret, so the receiver can switch at its own pace."
    ),
    parameters=[ENDPOINT_ID],
    request=None,
    responses={200: NewSecretSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
TEST = extend_schema(
    operation_id="webhooks_test",
    tags=TAGS,
    summary="Send the endpoint a test event",
    description=(
        "A `webhook.test` event for this endpoint alone, sent as every event is: signed with its secret, to "
        "its URL through the same address checks, retried, and logged among its deliveries, where its "
        "result appears (`Location`). Its `data` holds the endpoint's id and a message, never an invoice. "
        "One at a time: while the last test is pending, or while the endpoint is disabled, `409`."
    ),
    parameters=[ENDPOINT_ID],
    request=None,
    responses={
        202: OpenApiResponse(DeliverySerializer, description="Queued: the delivery, pending."),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
        409: error_response(
            "The endpoint is disabled, or its last test event is still pending.",
            error_example(
                "test_not_sent",
                "test_not_sent",
                "A test event to this endpoint is still on its way: its result will be in its deliveries.",
            ),
        ),
    },
)
DELIVERIES = extend_schema(
    operation_id="webhooks_deliveries_list",
    tags=TAGS,
    summary="An endpoint's recent deliveries",
    description="Newest first, paginated, each with its last attempts.",
    parameters=[
        ENDPOINT_ID,
        OpenApiParameter(
            "status", OpenApiTypes.STR, enum=DeliveryStatus.values, description="Only this status."
        ),
        *PAGE_PARAMETERS,
    ],
    responses={
        200: OpenApiResponse(PaginatedDeliveryListSerializer, description="One page."),
        400: error_response(
            f"An unknown `status`. {QUERY_REFUSED}",
            error_example(
                "status",
                "invalid",
                "Some fields are invalid.",
                {"status": ["Unknown value 'x'; allowed: pending, succeeded, failed."]},
            ),
        ),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
    },
)
