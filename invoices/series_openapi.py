"""OpenAPI documentation of the number series API (invoices/series_views.py), one named spec per
operation, as ``invoices.openapi`` does for the invoice API. Documentation only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from accounts.openapi import UNAUTHENTICATED, error_example, error_response
from invoices.series_serializers import SeriesInputSerializer, SeriesSerializer

TAGS = ["number series"]
_EXAMPLE_ID = "5d2f0c1e-8a7b-4c3d-9e0f-1a2b3c4d5e6f"

SERIES_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The series' id.")
NOT_FOUND = error_response(
    "No such number series: the id does not exist or the series belongs to another account (the same "
    "answer).",
    error_example("not_found", "not_found", "No such number series."),
)
INVALID = error_response(
    "A field is missing or invalid; `fields` names it and says why.",
    error_example(
        "unknown token",
        "invalid",
        "Some fields are invalid.",
        {
            "pattern": [
                "Unknown token {DD}; the tokens are {YYYY}, {YY}, {MM}, {seq} or {seq:0N} with N from 1 to 9."
            ]
        },
    ),
    error_example(
        "yearly without a year",
        "invalid",
        "Some fields are invalid.",
        {
            "pattern": [
                "A series reset every year must have {YYYY} or {YY} in its pattern, else its numbers would "
                'repeat each year; add the year or use "reset": "never".'
            ]
        },
    ),
    error_example(
        "code taken",
        "invalid",
        "Some fields are invalid.",
        {"code": ["You have a number series 'INV' already."]},
    ),
)
IN_USE = error_response(
    "The series has issued numbers.",
    error_example(
        "in use",
        "series_in_use",
        "The series 'INV' has issued numbers: its pattern and reset cannot change, as a new pattern could "
        "make a number it issued before. Create a new series instead.",
    ),
)
SERIES_EXAMPLE = OpenApiExample(
    "series",
    response_only=True,
    value={
        "id": _EXAMPLE_ID,
        "code": "INV",
        "pattern": "INV-{YYYY}-{seq:05}",
        "reset": "yearly",
        "next_number": "INV-2026-00001",
        "created_at": "2026-12-03T10:00:00Z",
        "links": {"self": f"https://invoices.example/api/number-series/{_EXAMPLE_ID}/"},
    },
)
CREATE_EXAMPLE = OpenApiExample(
    "series", request_only=True, value={"code": "INV", "pattern": "INV-{YYYY}-{seq:05}", "reset": "yearly"}
)

LIST = extend_schema(
    operation_id="number_series_list",
    tags=TAGS,
    summary="List the caller's number series",
    description="Every series of the account (at most 100), by code, each with the number it gives next.",
    responses={200: SeriesSerializer(many=True), 401: UNAUTHENTICATED},
)
CREATE = extend_schema(
    operation_id="number_series_create",
    tags=TAGS,
    summary="Define a number series",
    description='An upload that names it (`"series": "INV"`, no `number`) gets its next number, in the '
    "transaction that issues the invoice: no gap, no repeat.",
    request=SeriesInputSerializer,
    examples=[CREATE_EXAMPLE, SERIES_EXAMPLE],
    responses={201: SeriesSerializer, 400: INVALID, 401: UNAUTHENTICATED},
)
RETRIEVE = extend_schema(
    operation_id="number_series_retrieve",
    tags=TAGS,
    summary="One number series",
    parameters=[SERIES_ID],
    examples=[SERIES_EXAMPLE],
    responses={200: SeriesSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
UPDATE = extend_schema(
    operation_id="number_series_partial_update",
    tags=TAGS,
    summary="Change a number series",
    description="`code` at any time; `pattern` and `reset` only while the series has issued nothing "
    "(`409` after: create a new series).",
    parameters=[SERIES_ID],
    request=SeriesInputSerializer,
    responses={
        200: SeriesSerializer,
        400: INVALID,
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
        409: IN_USE,
    },
)
DELETE = extend_schema(
    operation_id="number_series_destroy",
    tags=TAGS,
    summary="Delete a number series that issued nothing",
    parameters=[SERIES_ID],
    request=None,
    responses={
        204: OpenApiResponse(description="Deleted."),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
        409: error_response(
            "Invoices took numbers from it: it is kept.",
            error_example(
                "in use",
                "series_in_use",
                "Invoices took numbers from the series 'INV': it is kept, as they name it. Stop naming it "
                "in uploads instead.",
            ),
        ),
    },
)
