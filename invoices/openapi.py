"""OpenAPI documentation of the invoice API: the request document, the answers, the download, and one
named spec per operation, which the views wear as decorators (``@openapi.INVOICES_LIST``).

Documentation only. The API reads request bodies with ``invoices.document.validation`` (never with these
serializers) and shapes its answers with ``invoices.serializers``; the classes here describe the same
contract for drf-spectacular, built from the same constants, so a limit changed there changes here.

Request documents are closed objects (``additionalProperties: false``): the API rejects unknown fields by
name. Amounts are exact decimals sent as strings (preferred) or JSON numbers. The schema describes each value
in its canonical form; the API is a little more lenient in places, which the descriptions say.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from accounts.openapi import UNAUTHENTICATED, error_example, error_response
from invoices.document.jsonio import MAX_JSON_DEPTH
from invoices.document.validation import (
    FORMATS,
)
from invoices.models import InvoiceFormat, InvoiceStatus, InvoiceType
from invoices.openapi_document import (
    INVOICE_UPLOAD,
    MONEY_TEXT_PATTERN,
    PAGE_SIZE_CHOICES,
    SAMPLE_DOCUMENT,
    SAMPLE_LEGACY_DOCUMENT,
    InvoiceFormatField,
)
from invoices.renderers import content_types
from invoices.serializers import MAX_IDEMPOTENCY_KEY_LENGTH
from invoicesite.queries import PAGE_PAST_THE_END, QUERY_REFUSED, page_parameters

# --- Values -----------------------------------------------------------------------------------------

SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Factur-X is a PDF: its media type is the PDF's, listed once.
FILE_CONTENT_TYPES = list(
    dict.fromkeys(
        [content_types.PDF, content_types.XLSX, content_types.CSV, content_types.XML, content_types.FACTURX]
    )
)
# The media types of a download, without parameters (the CSV is UTF-8).
DOWNLOAD_MEDIA_TYPES = [content_type.split(";")[0] for content_type in FILE_CONTENT_TYPES]
# ``?format=`` of a download and the body of an added rendition take ``excel`` for xlsx, as the upload does.
FORMAT_VALUES = [*InvoiceFormat.values, "excel"]


class UploadSchema(AutoSchema):
    """For the upload views: their body is required. drf-spectacular infers that from a serializer's
    required fields, which a choice of two documents (``oneOf``) does not have."""

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        body: dict[str, Any] | None = super()._get_request_body(direction)
        if body is not None:
            body["required"] = True
        return body


class LegacyUploadFileSerializer(serializers.Serializer):
    """Multipart form data with exactly one file: the invoice JSON (either format). The field name is not
    checked; the original clients call it `file`."""

    file = serializers.FileField(help_text="The invoice as a JSON file.")


UPLOAD_EXAMPLES = [
    OpenApiExample("invoice", value=SAMPLE_DOCUMENT, request_only=True),
    OpenApiExample("original flat format", value=SAMPLE_LEGACY_DOCUMENT, request_only=True),
]

# --- Answers ----------------------------------------------------------------------------------------

# A class (not a class statement) because one of its fields is called ``self``.
InvoiceLinksSerializer = type(
    inline_serializer(
        name="InvoiceLinks",
        fields={
            "self": serializers.URLField(help_text="This invoice: `GET /api/invoices/{id}/`."),
            "download": serializers.URLField(
                help_text="Its default file (the first format asked for): `GET /api/invoices/{id}/download/`."
            ),
            "renditions": serializers.URLField(
                help_text="Add a file format: `POST /api/invoices/{id}/renditions/`."
            ),
        },
    )
)

_STATUS_HELP = (
    "Whether the invoice's files are there: `queued` (none started), `rendering`, `ready` (every rendition "
    "can be downloaded) or `failed` (a rendition failed; see `failure_reason` and `renditions`). A "
    "rendition added later makes a `ready` invoice `rendering` again until its file is ready."
)
_RENDITION_STATUS_HELP = (
    "`queued` -> `rendering` -> `ready` (the file can be downloaded) or `failed` (see `failure_reason`)."
)
_FORMATS_HELP = "The formats the upload asked for, in its order; the first is the default download."


class InvoiceAcceptedSerializer(serializers.Serializer):
    """An accepted upload: rendering happens in the background."""

    id = serializers.UUIDField()
    number = serializers.CharField()
    series = serializers.CharField(
        allow_null=True,
        help_text="The code of the number series the number came from; `null` for a number the client chose.",
    )
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, help_text=_STATUS_HELP)
    format = InvoiceFormatField(help_text="The default rendition: the first of `formats`.")
    formats = serializers.ListField(child=InvoiceFormatField(), min_length=1, help_text=_FORMATS_HELP)
    links = InvoiceLinksSerializer()


class InvoiceTotalsSerializer(serializers.Serializer):
    """The server's totals, as strings with exactly the currency's decimals."""

    net = serializers.RegexField(MONEY_TEXT_PATTERN)
    tax = serializers.RegexField(MONEY_TEXT_PATTERN)
    gross = serializers.RegexField(MONEY_TEXT_PATTERN)


class InvoiceFileSerializer(serializers.Serializer):
    """The rendered file."""

    name = serializers.CharField(help_text="The file name offered for download.")
    content_type = serializers.ChoiceField(choices=FILE_CONTENT_TYPES)
    size = serializers.IntegerField(min_value=0, help_text="In bytes.")
    sha256 = serializers.RegexField(SHA256_PATTERN, help_text="Hex SHA-256 of the file; its `ETag`.")


class RenditionLinksSerializer(serializers.Serializer):
    download = serializers.URLField(help_text="`GET /api/invoices/{id}/download/?format=...`.")


class RenditionSerializer(serializers.Serializer):
    """One file of the invoice, in one format. The file's fields are `null` until `status` is `ready`."""

    format = InvoiceFormatField()
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, help_text=_RENDITION_STATUS_HELP)
    failure_reason = serializers.CharField(allow_null=True, help_text="`null` unless `status` is `failed`.")
    name = serializers.CharField(allow_null=True, help_text="The file name offered for download.")
    content_type = serializers.ChoiceField(choices=FILE_CONTENT_TYPES, allow_null=True)
    size = serializers.IntegerField(min_value=0, allow_null=True, help_text="In bytes.")
    sha256 = serializers.RegexField(
        SHA256_PATTERN, allow_null=True, help_text="Hex SHA-256 of the file; its `ETag`."
    )
    rendered_at = serializers.DateTimeField(allow_null=True)
    links = RenditionLinksSerializer()


class AddedRenditionLinksSerializer(serializers.Serializer):
    download = serializers.URLField(help_text="`GET /api/invoices/{id}/download/?format=...`.")
    invoice = serializers.URLField(help_text="The invoice, to poll: `GET /api/invoices/{id}/`.")


class AddedRenditionSerializer(RenditionSerializer):
    """The rendition added (`202`) or the one the invoice already had (`200`)."""

    links = AddedRenditionLinksSerializer()  # type: ignore[assignment]  # the same links, and the invoice


class InvoiceSerializer(serializers.Serializer):
    """An invoice as issued, with its renditions. It is never edited or deleted through the API."""

    id = serializers.UUIDField()
    number = serializers.CharField()
    series = serializers.CharField(
        allow_null=True,
        help_text="The code of the number series the number came from; `null` for a number the client chose.",
    )
    type = serializers.ChoiceField(
        choices=InvoiceType.choices, help_text="`invoice` (UNTDID 1001 code 380) or `credit_note` (381)."
    )
    preceding_invoice = serializers.UUIDField(
        allow_null=True, help_text="The id of the invoice this credit note corrects, when it is one of yours."
    )
    format = InvoiceFormatField(help_text="The default rendition: the first of `formats`.")
    formats = serializers.ListField(child=InvoiceFormatField(), min_length=1, help_text=_FORMATS_HELP)
    page_size = serializers.ChoiceField(choices=PAGE_SIZE_CHOICES)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, help_text=_STATUS_HELP)
    failure_reason = serializers.CharField(
        allow_null=True, help_text="Why a rendition failed; `null` unless `status` is `failed`."
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217 code.")
    totals = InvoiceTotalsSerializer()
    file = InvoiceFileSerializer(
        allow_null=True, help_text="The default rendition's file; `null` until that rendition is `ready`."
    )
    renditions = RenditionSerializer(
        many=True, help_text="Every file of the invoice: those the upload asked for, then those added."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    rendered_at = serializers.DateTimeField(
        allow_null=True, help_text="When every rendition was last ready; `null` until then."
    )
    links = InvoiceLinksSerializer()


class PaginatedInvoiceListSerializer(serializers.Serializer):
    """One page of the caller's invoices, newest first."""

    count = serializers.IntegerField(min_value=0, help_text="Invoices matching the filters, on all pages.")
    next = serializers.URLField(allow_null=True, help_text="The next page; `null` on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page; `null` on the first.")
    results = InvoiceSerializer(many=True)


# --- Errors, headers and responses shared by the views -----------------------------------------------

NOT_FOUND = error_response(
    "No such invoice: the id does not exist or the invoice belongs to another user (the same answer).",
    error_example("not_found", "not_found", "No such invoice."),
)

UPLOAD_INVALID = error_response(
    "The body is not valid JSON (UTF-8, no duplicate keys, nested at most "
    f"{MAX_JSON_DEPTH} levels) or the invoice is invalid; nothing was stored. Every problem is listed "
    "under its field path (`fields`); an error about the body as a whole is the `message`.",
    error_example(
        "invalid fields",
        "invalid",
        "Some fields are invalid.",
        {
            "invoice.lines[1].unit_price": [
                'Not a number: write digits with an optional decimal point, such as "12.50".'
            ],
            "invoice.currency": [
                "'XXY' is not an ISO 4217 currency code; use a code such as EUR, USD or JPY."
            ],
            "invoice.colour": ["Unknown field. Allowed here: number, issue_date, ..."],
        },
    ),
    error_example("invalid JSON", "invalid", "Invalid JSON: Expecting value at line 1, column 1."),
    error_example(
        "wrong totals",
        "invalid",
        "Some fields are invalid.",
        {"invoice.totals.gross": ["Does not match the computed amount: sent 1.00, computed 1189.83."]},
    ),
)

_EXAMPLE_ID = "7f0c2d9e-4a51-4c1e-9a43-2f6f3f1d8a10"
_EXAMPLE_URL = f"https://invoices.example/api/invoices/{_EXAMPLE_ID}/"
NUMBER_TAKEN_EXAMPLE = {
    "error": {
        "code": "number_taken",
        "message": f"Invoice number INV-2026-0042 was already issued (invoice {_EXAMPLE_ID}) with other "
        "content; an issued invoice cannot change. Correct it with a credit note, or add a file format to it "
        f"with POST /api/invoices/{_EXAMPLE_ID}/renditions/.",
        "invoice_id": _EXAMPLE_ID,
        "links": {
            "self": _EXAMPLE_URL,
            "download": f"{_EXAMPLE_URL}download/",
            "renditions": f"{_EXAMPLE_URL}renditions/",
        },
    }
}

UPLOAD_ERRORS: dict[int, OpenApiResponse] = {
    400: UPLOAD_INVALID,
    401: UNAUTHENTICATED,
    413: error_response(
        f"The body (or the uploaded file) is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
        "(`MAX_REQUEST_BYTES`).",
        error_example(
            "request_too_large",
            "request_too_large",
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        ),
    ),
    415: error_response(
        "The body is not `application/json` (nor multipart, on `/upload`).",
        error_example(
            "unsupported_media_type",
            "unsupported_media_type",
            "Send the invoice as application/json.",
        ),
    ),
    409: error_response(
        "The invoice number was issued before, by the caller, for the same seller name, with other content "
        "(another body or other formats). An issued invoice cannot change: correct it with a credit note, "
        "or add a format with `POST /api/invoices/{id}/renditions/`. Besides `code` and `message`, the "
        "error names that invoice: `invoice_id` and its `links`.",
        OpenApiExample("number_taken", value=NUMBER_TAKEN_EXAMPLE),
    ),
    422: error_response(
        "This `Idempotency-Key` was already used with a different body.",
        error_example(
            "idempotency_key_reused",
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request (another body or format).",
        ),
    ),
}


def upload_headers(max_key_length: int) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "Idempotency-Key",
            {"type": "string", "maxLength": max_key_length},
            OpenApiParameter.HEADER,
            description=f"Up to {max_key_length} characters, per user. A retry with the same key and the "
            "same body returns the first invoice (`Idempotent-Replayed: true`) instead of creating "
            "another; the same key with a different body is `422`.",
        ),
        OpenApiParameter(
            "Location",
            OpenApiTypes.URI,
            OpenApiParameter.HEADER,
            response=[202],
            description="The invoice: `GET /api/invoices/{id}/`.",
        ),
        OpenApiParameter(
            "Content-Location",
            OpenApiTypes.URI,
            OpenApiParameter.HEADER,
            response=[200],
            description="The invoice issued before with this number: `GET /api/invoices/{id}/`.",
        ),
        OpenApiParameter(
            "Idempotent-Replayed",
            {"type": "string", "enum": ["true"]},
            OpenApiParameter.HEADER,
            response=[200, 202],
            description="Present when a replay returned the invoice created before: `202` for an "
            "`Idempotency-Key` replay, `200` for the same invoice number with the same content.",
        ),
    ]


LEGACY_FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=list(FORMATS),
    description="The file to render when the body names none (`excel` is XLSX); matched without regard to "
    "case. Default `pdf`. Ignored when the body has a `format` of its own.",
)

UPLOAD_ACCEPTED = OpenApiResponse(
    InvoiceAcceptedSerializer,
    description="Accepted: the invoice is stored and queued for rendering. Poll `links.self` (also in "
    "`Location`) until `status` is `ready`, then download `links.download`. The owner also gets an email.",
    examples=[
        OpenApiExample(
            "accepted",
            value={
                "id": _EXAMPLE_ID,
                "number": "INV-2026-0042",
                "series": None,
                "status": "queued",
                "format": "pdf",
                "formats": ["pdf", "ubl"],
                "links": {
                    "self": _EXAMPLE_URL,
                    "download": f"{_EXAMPLE_URL}download/",
                    "renditions": f"{_EXAMPLE_URL}renditions/",
                },
            },
        )
    ],
)

UPLOAD_REPLAYED = OpenApiResponse(
    InvoiceSerializer,
    description="The same invoice (number, seller name and content, formats included) was uploaded before: "
    "nothing new is stored or rendered; this is that invoice as it is now (`Idempotent-Replayed: true`).",
)

DOWNLOAD_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An `ETag` received before: answers `304` when the file is the same.",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="The file's hex SHA-256 in double quotes.",
    ),
    OpenApiParameter(
        "Content-Disposition",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description='`attachment` with a safe file name, such as `filename="INV-2026-0042.pdf"`.',
    ),
    OpenApiParameter(
        "Cache-Control",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="`private, no-cache`.",
    ),
]

_DOWNLOAD_DESCRIPTION = (
    "The rendered file, streamed: PDF, XLSX, CSV (UTF-8), UBL or CII XML, or Factur-X (a PDF), whichever "
    "rendition is asked for."
)

NOT_READY = error_response(
    "The rendition has no file yet (`queued` or `rendering`) or its rendering failed (`failed`, with the "
    "reason).",
    error_example("not_ready", "not_ready", "The invoice is queued, not ready yet."),
    error_example("failed", "not_ready", "The invoice failed: The invoice data is no longer valid: ..."),
)


NOT_FOUND_OR_NO_RENDITION = error_response(
    "No such invoice (the id does not exist or the invoice belongs to another user: the same answer), or "
    "the invoice has no rendition in the format asked for.",
    error_example("not_found", "not_found", "No such invoice."),
    error_example(
        "no rendition",
        "not_found",
        "This invoice has no ubl rendition; add one with POST /api/invoices/{id}/renditions/.",
    ),
)

BAD_FORMAT = error_response(
    "`format` is not one of the formats.",
    error_example(
        "invalid",
        "invalid",
        "Some fields are invalid.",
        {"format": ["Unknown value 'docx'; allowed: pdf, xlsx, csv, ubl, cii, facturx, excel."]},
    ),
)


def download_responses(
    missing_id: OpenApiResponse | None = None, not_found: OpenApiResponse = NOT_FOUND
) -> dict[Any, OpenApiResponse]:
    """The answers of both download endpoints; ``missing_id`` is the 400 of ``/download`` without ``fid``."""
    files = {
        (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=_DOWNLOAD_DESCRIPTION)
        for media_type in DOWNLOAD_MEDIA_TYPES
    }
    return {
        **files,
        304: OpenApiResponse(description="Not modified: `If-None-Match` named the file's current `ETag`."),
        **({400: missing_id} if missing_id else {}),
        401: UNAUTHENTICATED,
        404: not_found,
        409: NOT_READY,
    }


# --- The operations: one named spec per view method (``@openapi.INVOICES_LIST``) ----------------------

INVOICE_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The invoice's id.")

INVOICES_LIST = extend_schema(
    operation_id="invoices_list",
    tags=["invoices"],
    summary="List the caller's invoices",
    description="The caller's own invoices, newest first, paginated.",
    parameters=[
        OpenApiParameter(
            "status", OpenApiTypes.STR, enum=InvoiceStatus.values, description="Only this status."
        ),
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=InvoiceFormat.values,
            description="Only the invoices with a rendition in this format (`excel` is taken as `xlsx`).",
        ),
        *page_parameters("Invoices"),
    ],
    responses={
        200: OpenApiResponse(PaginatedInvoiceListSerializer, description="One page."),
        400: error_response(
            f"An unknown `status` or `format`. {QUERY_REFUSED}",
            error_example(
                "invalid",
                "invalid",
                "Some fields are invalid.",
                {"status": ["Unknown value 'lost'; allowed: queued, rendering, ready, failed."]},
            ),
        ),
        401: UNAUTHENTICATED,
        404: error_response(
            "`page` is past the last page.", error_example("not_found", "not_found", PAGE_PAST_THE_END)
        ),
    },
)

INVOICES_CREATE = extend_schema(
    operation_id="invoices_create",
    tags=["invoices"],
    summary="Upload an invoice to render",
    description=(
        "Validates the invoice JSON, stores it and queues it for rendering; answers at once. Every "
        "problem in the body is reported in one `400`, under its field path, before anything is stored. "
        "The original service's flat format is accepted too."
    ),
    request={"application/json": INVOICE_UPLOAD},
    parameters=upload_headers(MAX_IDEMPOTENCY_KEY_LENGTH),
    responses={200: UPLOAD_REPLAYED, 202: UPLOAD_ACCEPTED, **UPLOAD_ERRORS},
    examples=UPLOAD_EXAMPLES,
)

INVOICES_RETRIEVE = extend_schema(
    operation_id="invoices_retrieve",
    tags=["invoices"],
    summary="One invoice: status, totals, renditions",
    parameters=[INVOICE_ID],
    responses={
        200: OpenApiResponse(InvoiceSerializer, description="The invoice."),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
    },
)

INVOICES_DOWNLOAD = extend_schema(
    operation_id="invoices_download",
    tags=["invoices"],
    summary="Download a rendered file",
    description=(
        "The file of a `ready` rendition, as an attachment: `format`, or the first format the upload asked "
        "for, whatever the `Accept` header names (`application/pdf` included); an error is JSON."
    ),
    parameters=[
        INVOICE_ID,
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=FORMAT_VALUES,
            description="Which rendition (`excel` is `xlsx`). Default: the first format the upload asked "
            "for. A format the invoice has no rendition in is `404`.",
        ),
        *DOWNLOAD_HEADERS,
    ],
    responses={**download_responses(not_found=NOT_FOUND_OR_NO_RENDITION), 400: BAD_FORMAT},
)

RENDITIONS_CREATE = extend_schema(
    operation_id="invoices_renditions_create",
    tags=["invoices"],
    summary="Add a file format to an issued invoice",
    description=(
        "Queues a rendition the upload did not ask for, rendered from the same stored invoice with the same "
        "totals; poll the invoice (`links.invoice`, also in `Location`) until the rendition is `ready`. A "
        "format the invoice has already is not rendered again: that rendition is answered `200`, whatever "
        "its status. An e-invoice format (`ubl`, `cii`, `facturx`) needs fields the invoice may lack, and "
        "its amounts have at most 2 decimals: when the stored invoice cannot give it, or its totals would "
        "change (a KWD invoice issued with 3 decimals), the answer is `400` and nothing is queued."
    ),
    parameters=[
        INVOICE_ID,
        OpenApiParameter(
            "Location",
            OpenApiTypes.URI,
            OpenApiParameter.HEADER,
            response=[200, 202],
            description="The invoice: `GET /api/invoices/{id}/`.",
        ),
    ],
    request={
        "application/json": inline_serializer(
            name="RenditionRequest",
            fields={
                "format": serializers.ChoiceField(
                    choices=FORMAT_VALUES, help_text="The format to add (`excel` is `xlsx`)."
                )
            },
        )
    },
    responses={
        200: OpenApiResponse(AddedRenditionSerializer, description="The invoice has this rendition already."),
        202: OpenApiResponse(AddedRenditionSerializer, description="Added and queued for rendering."),
        400: error_response(
            'The body is not `{"format": ...}` with a known format, or the stored invoice cannot be '
            "rendered in it (every problem under its field path), or it would change the invoice's totals.",
            error_example(
                "invalid",
                "invalid",
                "Some fields are invalid.",
                {"format": ["Unknown value 'docx'; allowed: pdf, xlsx, csv, ubl, cii, facturx, excel."]},
            ),
            error_example(
                "required for an e-invoice",
                "invalid",
                "Some fields are invalid.",
                {"invoice.buyer.address.city": ["Required for ubl."]},
            ),
        ),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
        413: UPLOAD_ERRORS[413],
        415: UPLOAD_ERRORS[415],
    },
)

LEGACY_UPLOAD = extend_schema(
    operation_id="legacy_upload",
    tags=["original contract"],
    summary="Upload an invoice (the original service's contract)",
    description=(
        "The same as `POST /api/invoices/`, also taking the invoice as the one file of a multipart "
        "form. `format` applies only when the body names no format itself."
    ),
    parameters=[LEGACY_FORMAT, *upload_headers(MAX_IDEMPOTENCY_KEY_LENGTH)],
    request={
        "multipart/form-data": LegacyUploadFileSerializer,
        "application/json": INVOICE_UPLOAD,
    },
    responses={200: UPLOAD_REPLAYED, 202: UPLOAD_ACCEPTED, **UPLOAD_ERRORS},
    examples=UPLOAD_EXAMPLES,
)

LEGACY_DOWNLOAD = extend_schema(
    operation_id="legacy_download",
    tags=["original contract"],
    summary="Download the rendered file (the original service's contract)",
    description="The same as `GET /api/invoices/{id}/download/`, with the id as `fid`.",
    parameters=[
        OpenApiParameter(
            "fid",
            OpenApiTypes.UUID,
            required=True,
            description="The invoice's id. A malformed id is answered `404`, like an unknown one.",
        ),
        *DOWNLOAD_HEADERS,
    ],
    responses=download_responses(
        missing_id=error_response(
            "`fid` is missing.",
            error_example(
                "invalid",
                "invalid",
                "Some fields are invalid.",
                {"fid": ["The invoice id is required: /download?fid=<id>."]},
            ),
        )
    ),
)
