"""OpenAPI documentation of the batch API (``invoices/batch_views.py``): one named spec per operation.

Documentation only, like ``invoices/openapi.py``: the views read the body themselves (``invoices.batches``)
and shape their answers by hand; these serializers describe the same contract for drf-spectacular.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers

from accounts.openapi import PAGE_REFUSED, UNAUTHENTICATED, error_example, error_response
from invoices.models import InvoiceStatus
from invoices.openapi import FORMAT_VALUES, UPLOAD_ERRORS, UPLOAD_INVALID
from invoices.openapi_document import INVOICE_UPLOAD, SAMPLE_DOCUMENT
from invoices.serializers import MAX_IDEMPOTENCY_KEY_LENGTH
from invoicesite.queries import PAGE_PAST_THE_END, page_parameters

BATCH_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The batch's id.")
_EXAMPLE_BATCH = "3b1f6a52-0c7e-4d7b-a1f4-5a0e2c9d7e11"
_EXAMPLE_URL = f"https://invoices.example/api/invoice-batches/{_EXAMPLE_BATCH}/"


class BatchCountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField(min_value=0)
    rendering = serializers.IntegerField(min_value=0)
    ready = serializers.IntegerField(min_value=0)
    failed = serializers.IntegerField(min_value=0)


class BatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, help_text="The item's position in the request, from 0.")
    status = serializers.ChoiceField(
        choices=["accepted", "rejected", "valid"],
        help_text="`valid`: in a `400` answer, an item that had no error but was not issued.",
    )
    id = serializers.UUIDField(required=False, help_text="The invoice issued (accepted items).")
    number = serializers.CharField(required=False, help_text="The invoice's number (accepted items).")
    errors = serializers.DictField(  # type: ignore[assignment]  # the item's errors, not the serializer's
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Rejected items: every problem under its field path, as one upload would report it.",
    )


class BatchLinksSerializer(serializers.Serializer):
    self = serializers.URLField(help_text="The batch's status: `GET /api/invoice-batches/{id}/`.")
    download = serializers.URLField(help_text="One ZIP of the batch's ready files.")


class BatchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(
        choices=["processing", "completed"],
        help_text="`completed` once every accepted invoice is `ready` or `failed`.",
    )
    atomic = serializers.BooleanField()
    counts = BatchCountsSerializer(help_text="The batch's invoices per status.")
    accepted = serializers.IntegerField(min_value=0)
    rejected = serializers.IntegerField(min_value=0)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    items = BatchItemSerializer(
        many=True, required=False, help_text="Every item's outcome, as first answered."
    )
    links = BatchLinksSerializer()


class BatchRequestSerializer(serializers.Serializer):
    atomic = serializers.BooleanField(
        required=False, default=False, help_text="All or none: one item with an error and nothing is issued."
    )
    invoices = serializers.ListField(
        child=INVOICE_UPLOAD,
        min_length=1,
        max_length=settings.BATCH_MAX_ITEMS,
        help_text=f"Up to {settings.BATCH_MAX_ITEMS} invoice documents, each as `POST /api/invoices/` "
        "takes it.",
    )


class PaginatedBatchListSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BatchSerializer(many=True)


BATCH_NOT_FOUND = error_response(
    "No such batch: the id does not exist or the batch belongs to another user (the same answer).",
    error_example("not_found", "not_found", "No such batch."),
)

# The upload's example as a batch: the browsable API's form starts from it too.
CREATE_EXAMPLE = OpenApiExample("a batch", value={"atomic": False, "invoices": [SAMPLE_DOCUMENT]})

BATCHES_CREATE = extend_schema(
    operation_id="invoice_batches_create",
    tags=["batches"],
    summary="Upload many invoices at once",
    description=(
        f"Up to {settings.BATCH_MAX_ITEMS} invoice documents, each validated and issued on its own: the "
        "answer lists every item's outcome (accepted with its id, or rejected with its field errors). Send "
        'a JSON array, an object `{"atomic": true, "invoices": [...]}` (all or none), or NDJSON '
        "(`Content-Type: application/x-ndjson`, one document per line, `?atomic=true`). A batch whose every "
        "item is rejected, or an atomic batch with any error, is `400` and stores nothing. Invoices of a "
        "batch send no email of their own: one email and one `batch.completed` webhook follow when every "
        f"invoice is final. At most {settings.BATCH_MAX_BYTES:,} bytes (`BATCH_MAX_BYTES`)."
    ),
    request={"application/json": BatchRequestSerializer, "application/x-ndjson": OpenApiTypes.STR},
    parameters=[
        OpenApiParameter(
            "atomic",
            OpenApiTypes.BOOL,
            description="All or none; for NDJSON, or instead of the body's `atomic`.",
        ),
        OpenApiParameter(
            "Idempotency-Key",
            {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH},
            OpenApiParameter.HEADER,
            description="A retry with the same key and body answers the first batch again (`200`, "
            "`Idempotent-Replayed: true`); the same key with another body is `422`.",
        ),
        OpenApiParameter(
            "Location",
            OpenApiTypes.URI,
            OpenApiParameter.HEADER,
            response=[200, 202],
            description="The batch.",
        ),
    ],
    responses={
        200: OpenApiResponse(BatchSerializer, description="An Idempotency-Key replay: the first answer."),
        202: OpenApiResponse(BatchSerializer, description="Accepted: the valid items are issued and queued."),
        400: UPLOAD_INVALID,
        401: UNAUTHENTICATED,
        413: error_response(
            "The batch is larger than `BATCH_MAX_BYTES`, or an NDJSON line than one invoice may be.",
            error_example("request_too_large", "request_too_large", "The batch is larger than ... bytes."),
        ),
        415: UPLOAD_ERRORS[415],
        422: UPLOAD_ERRORS[422],
    },
    examples=[CREATE_EXAMPLE],
)

BATCHES_LIST = extend_schema(
    operation_id="invoice_batches_list",
    tags=["batches"],
    summary="List the caller's batches",
    description="The caller's batches, newest first, paginated; without their items.",
    parameters=[
        *page_parameters("Batches"),
    ],
    responses={
        200: OpenApiResponse(PaginatedBatchListSerializer, description="One page."),
        400: PAGE_REFUSED,
        401: UNAUTHENTICATED,
        404: error_response(
            "`page` is past the last page.", error_example("not_found", "not_found", PAGE_PAST_THE_END)
        ),
    },
)

BATCHES_RETRIEVE = extend_schema(
    operation_id="invoice_batches_retrieve",
    tags=["batches"],
    summary="One batch: status, counts, every item's outcome",
    parameters=[BATCH_ID],
    responses={
        200: OpenApiResponse(
            BatchSerializer,
            description="The batch.",
            examples=[
                OpenApiExample(
                    "processing",
                    value={
                        "id": _EXAMPLE_BATCH,
                        "status": "processing",
                        "atomic": False,
                        "counts": dict.fromkeys(InvoiceStatus.values, 0) | {"ready": 2, "queued": 1},
                        "accepted": 3,
                        "rejected": 0,
                        "created_at": "2026-12-03T14:00:00Z",
                        "completed_at": None,
                        "items": [],
                        "links": {"self": _EXAMPLE_URL, "download": f"{_EXAMPLE_URL}download/"},
                    },
                )
            ],
        ),
        401: UNAUTHENTICATED,
        404: BATCH_NOT_FOUND,
    },
)

BATCHES_DOWNLOAD = extend_schema(
    operation_id="invoice_batches_download",
    tags=["batches"],
    summary="One ZIP of the batch's ready files",
    description=(
        "Every ready file of the batch's invoices (or only `format`), streamed as one ZIP, each file under "
        "its download name (a suffix when two collide). While the batch is processing, the ZIP holds what is "
        "ready so far (`X-Batch-Status`, `X-Batch-Files`). `409` when no file is ready."
    ),
    parameters=[
        BATCH_ID,
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=FORMAT_VALUES,
            description="Only this format (`excel` is `xlsx`).",
        ),
    ],
    responses={
        (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP, streamed."),
        400: error_response(
            "An unknown `format`.", error_example("invalid", "invalid", "Some fields are invalid.")
        ),
        401: UNAUTHENTICATED,
        404: BATCH_NOT_FOUND,
        409: error_response(
            "No file of the batch is ready yet (or every invoice failed).",
            error_example("not_ready", "not_ready", "No file of this batch is ready yet."),
        ),
    },
)
