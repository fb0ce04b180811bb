"""The batch API: many invoices in one request, their status, and one ZIP of their files.

Thin views: read the body (a JSON array, an object with options, or NDJSON read line by line), call
``invoices.batches``, shape the answer.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponseBase
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError, UnsupportedMediaType, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from invoices import batches, openapi_batches, services
from invoices.batch_notifications import batch_counts
from invoices.document import DocumentInvalid
from invoices.document.jsonio import loads_document_json
from invoices.downloads import batch_zip_response
from invoices.models import Invoice, InvoiceBatch, InvoiceStatus
from invoices.serializers import MAX_IDEMPOTENCY_KEY_LENGTH, DownloadQuerySerializer
from invoices.views import FileDownloadView, IdempotencyKeyReused, NotReady, PayloadTooLarge, _owner
from invoicesite.api_errors import error_body
from invoicesite.fields import unknown_fields
from invoicesite.parsers import DocumentJSONParser
from invoicesite.queries import PageQuerySerializer, Pagination, refuse_unexpected
from invoicesite.words import counted

JSON = "application/json"
NDJSON = "application/x-ndjson"
OPTION_KEYS = ("atomic", "invoices")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


# --- Reading the request --------------------------------------------------------------------------------


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The batch is larger than {settings.BATCH_MAX_BYTES:,} bytes; split it into several batches."
    )


def _check_length(request: Request) -> None:
    # Refuse a body announced too large before reading any of it.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError("Invalid Content-Length header.") from None
    if length > settings.BATCH_MAX_BYTES:
        raise _too_large()


def _read_json(request: Request) -> bytes:
    """The body, at most BATCH_MAX_BYTES of it. Read from the stream: ``request.body`` would refuse
    anything above one invoice's limit (DATA_UPLOAD_MAX_MEMORY_SIZE), which a batch is meant to exceed."""
    raw = request._request.read(settings.BATCH_MAX_BYTES + 1)
    if len(raw) > settings.BATCH_MAX_BYTES:
        raise _too_large()
    return raw


def _read_ndjson(request: Request) -> list[Any]:
    """One document per line, read line by line from the stream: a line is at most one invoice's limit
    (DATA_UPLOAD_MAX_MEMORY_SIZE), the body at most BATCH_MAX_BYTES, and reading stops at the first line
    past BATCH_MAX_ITEMS. Blank lines are skipped."""
    line_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    documents: list[Any] = []
    total = 0
    for line_number in range(1, 2**31):
        line = request._request.readline(line_limit + 1)
        if not line:
            break
        total += len(line)
        if total > settings.BATCH_MAX_BYTES:
            raise _too_large()
        if len(line) > line_limit:
            raise PayloadTooLarge(
                f"Line {line_number} is larger than one invoice may be ({line_limit} bytes)."
            )
        if not line.strip():
            continue
        if len(documents) == settings.BATCH_MAX_ITEMS:
            batches.batch_check_size(len(documents) + 1)  # raises BatchInvalid: too many
        try:
            documents.append(loads_document_json(line))
        except DocumentInvalid as exc:
            messages = exc.errors.get("", ["Invalid JSON."])
            raise ValidationError(
                {f"invoices[{len(documents)}]": [f"Line {line_number}: {messages[0]}"]}
            ) from None
    return documents


def _atomic_query(request: Request) -> bool | None:
    refuse_unexpected(request.query_params, ["atomic"])
    value = request.query_params.get("atomic")
    if value is None:
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValidationError({"atomic": [f"Give ?atomic=true or ?atomic=false, not {value!r}."]})


def _options(body: object, atomic: bool | None) -> tuple[list[Any], bool]:
    """The items and the atomic option of a JSON body: an array, or ``{"atomic": ..., "invoices": [...]}``."""
    if isinstance(body, list):
        return body, bool(atomic)
    if not isinstance(body, dict):
        raise ValidationError(
            {"": ['Send a JSON array of invoices, or an object {"atomic": false, "invoices": [...]}.']}
        )
    if unknown := unknown_fields(body, OPTION_KEYS):
        raise ValidationError(unknown)
    documents = body.get("invoices")
    if not isinstance(documents, list):
        raise ValidationError({"invoices": ["Required: the list of invoice documents."]})
    given = body.get("atomic", atomic)
    if given is not None and not isinstance(given, bool):
        raise ValidationError({"atomic": ["Must be true or false."]})
    if atomic is not None and given is not atomic:
        raise ValidationError({"atomic": ["The body and ?atomic= disagree; give it once."]})
    return documents, bool(given)


def _request_items(request: Request) -> tuple[list[Any], bool]:
    media_type = request.content_type.split(";")[0].strip().lower()
    atomic = _atomic_query(request)
    if media_type not in (JSON, NDJSON, ""):
        raise UnsupportedMediaType(request.content_type, f"Send the batch as {JSON} or {NDJSON}.")
    _check_length(request)
    if media_type == NDJSON:
        return _read_ndjson(request), bool(atomic)
    raw = _read_json(request)
    if not raw.strip():
        raise ValidationError({"": ["The request body is empty; send the invoices as a JSON array."]})
    try:
        body = loads_document_json(raw)
    except DocumentInvalid as exc:
        raise ValidationError(exc.errors) from None
    return _options(body, atomic)


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError({"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]})
    return key


# --- Answers --------------------------------------------------------------------------------------------


def batch_links(batch: InvoiceBatch, request: Request) -> dict[str, str]:
    return {
        "self": reverse("batch-detail", kwargs={"pk": batch.pk}, request=request),
        "download": reverse("batch-download", kwargs={"pk": batch.pk}, request=request),
    }


def batch_representation(
    batch: InvoiceBatch, request: Request, counts: dict[str, int], *, items: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(batch.id),
        "status": "completed" if batch.completed_at else "processing",
        "atomic": batch.atomic,
        "counts": counts,
        "accepted": batch.accepted_count,
        "rejected": batch.item_count - batch.accepted_count,
        "created_at": batch.created_at,
        "completed_at": batch.completed_at,
    }
    if items:
        body["items"] = batch.items
    body["links"] = batch_links(batch, request)
    return body


def _rejected(exc: batches.BatchRejected) -> Response:
    """400: no invoice issued. Every item's outcome, and their errors flattened under ``invoices[i]``."""
    rejected = [item for item in exc.items if item["status"] == batches.REJECTED]
    fields = {
        f"invoices[{item['index']}].{path}" if path else f"invoices[{item['index']}]": messages
        for item in rejected
        for path, messages in item["errors"].items()
    }
    body = error_body(
        "invalid",
        f"No invoice was issued: {len(rejected)} of {counted(len(exc.items), 'item')} "
        f"{'has an error' if len(rejected) == 1 else 'have errors'}"
        + (" and the batch is atomic." if len(rejected) < len(exc.items) else "."),
        fields,
    )
    body["error"]["accepted"] = 0
    body["error"]["rejected"] = len(rejected)
    body["error"]["items"] = exc.items
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# --- Views ----------------------------------------------------------------------------------------------


class BatchListCreateView(APIView):
    """GET: the caller's batches, newest first. POST: up to BATCH_MAX_ITEMS invoices -> 202 Accepted."""

    name = "Invoice batches"  # the browsable API's title
    # The browsable page's "Content" box starts from the documented example, as the invoices' does.
    browsable_examples = {"POST": openapi_batches.CREATE_EXAMPLE.value}
    # The body is read raw from the stream (amounts never pass through float, NDJSON line by line); the
    # parser names the media type for DRF and the browsable API's form.
    parser_classes = [DocumentJSONParser]

    @openapi_batches.BATCHES_LIST
    def get(self, request: Request) -> Response:
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        paginator = Pagination()
        queryset = batches.batch_list(owner=_owner(request))
        page: list[InvoiceBatch] = paginator.paginate_queryset(queryset, request, view=self) or []
        counts = _page_counts([batch.id for batch in page])
        data = [batch_representation(batch, request, counts[batch.id], items=False) for batch in page]
        return paginator.get_paginated_response(data)

    @openapi_batches.BATCHES_CREATE
    def post(self, request: Request) -> Response:
        try:
            documents, atomic = _request_items(request)
            submission = batches.batch_submit(
                owner=_owner(request),
                documents=documents,
                atomic=atomic,
                idempotency_key=_idempotency_key(request),
            )
        except batches.BatchInvalid as exc:
            raise ValidationError(exc.errors) from None
        except batches.BatchRejected as exc:
            return _rejected(exc)
        except services.IdempotencyConflict:
            raise IdempotencyKeyReused from None
        batch = submission.batch
        body = batch_representation(batch, request, batch_counts(batch.id), items=True)
        response = Response(
            body, status=status.HTTP_202_ACCEPTED if submission.created else status.HTTP_200_OK
        )
        response["Location"] = body["links"]["self"]
        if not submission.created:
            response["Idempotent-Replayed"] = "true"
        return response


def _page_counts(batch_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """The status counts of a page of batches, from one aggregate query."""
    counts = {batch_id: dict.fromkeys(InvoiceStatus.values, 0) for batch_id in batch_ids}
    rows = (
        Invoice.objects.filter(batch_id__in=batch_ids)
        .order_by()
        .values("batch_id", "status")
        .annotate(count=Count("id"))
        .values_list("batch_id", "status", "count")
    )
    for batch_id, state, count in rows:
        counts[batch_id][state] = count
    return counts


def _owned(request: Request, pk: str) -> InvoiceBatch:
    batch = batches.batch_get(owner=_owner(request), batch_id=pk)
    if batch is None:
        raise NotFound("No such batch.")
    return batch


class BatchDetailView(APIView):
    """The batch's status: counts per invoice status, and every item's outcome as first answered."""

    name = "Invoice batch"  # the browsable API's title

    @openapi_batches.BATCHES_RETRIEVE
    def get(self, request: Request, pk: str) -> Response:
        batch = _owned(request, pk)
        return Response(batch_representation(batch, request, batch_counts(batch.id), items=True))


class BatchDownloadView(FileDownloadView):
    """One ZIP of every ready file of the batch (``?format=`` to pick one format), streamed as it is made."""

    @openapi_batches.BATCHES_DOWNLOAD
    def get(self, request: Request, pk: str) -> HttpResponseBase:
        batch = _owned(request, pk)  # ownership first: another account's batch is a 404 whatever the query
        query = DownloadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = query.validated_data.get("format")
        entries = batches.batch_zip_entries(batch, fmt)
        if not entries:
            raise NotReady(
                f"No {fmt + ' ' if fmt else ''}file of this batch is ready yet"
                + ("." if batch.completed_at is None else ": every invoice of it failed.")
            )
        return batch_zip_response(batch, entries)
