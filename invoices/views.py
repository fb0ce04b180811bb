"""The invoice API. Thin views: read the request, call one service or selector, shape the answer."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseBase, JsonResponse
from django.http.multipartparser import MultiPartParserError
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    NotAuthenticated,
    NotFound,
    ParseError,
    UnsupportedMediaType,
    ValidationError,
)
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from invoices import openapi, selectors, services
from invoices.document import DocumentInvalid
from invoices.document.jsonio import loads_document_json
from invoices.downloads import add_file_headers, stored_file_response
from invoices.models import Invoice, InvoiceStatus
from invoices.openapi_document import SAMPLE_DOCUMENT
from invoices.serializers import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    DownloadQuerySerializer,
    InvoiceAcceptedSerializer,
    InvoiceFilterSerializer,
    InvoiceOutputSerializer,
    LegacyUploadFormSerializer,
    RenditionOutputSerializer,
    RenditionRequestSerializer,
    invoice_links,
)
from invoicesite.api_errors import error_body
from invoicesite.parsers import DocumentJSONParser
from invoicesite.queries import Pagination, refuse_unexpected

logger = logging.getLogger(__name__)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


class NotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used for a different request (another body or format)."


def _owner(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated guarantees it; this narrows the type
        raise NotAuthenticated
    return user


def _too_large_message() -> str:
    return f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."


def _check_length(request: Request) -> None:
    # Refuse a body announced too large before reading any of it.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError("Invalid Content-Length header.") from None
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise PayloadTooLarge(_too_large_message())


def _json_body(request: Request, *, what: str = "the invoice", media: str = "application/json") -> object:
    """The JSON body, numbers as Decimal (never float); 400, 413 or 415 with a reason otherwise, which says
    what to send (``what``) and how (``media``)."""
    if request.content_type.split(";")[0].strip().lower() not in ("application/json", ""):
        raise UnsupportedMediaType(request.content_type, f"Send {what} as {media}.")
    _check_length(request)
    try:
        raw = request._request.body
    except RequestDataTooBig:
        raise PayloadTooLarge(_too_large_message()) from None
    return _parse(raw, what)


def _parse(raw: bytes, what: str = "the invoice") -> object:
    if not raw.strip():
        raise ValidationError({"": [f"The request body is empty; send {what} as JSON."]})
    try:
        return loads_document_json(raw)
    except DocumentInvalid as exc:
        raise ValidationError(exc.errors) from None


def _submit(request: Request, payload: object, default_format: str | None = None) -> HttpResponseBase:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError({"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]})
    try:
        submission = services.invoice_submit(
            owner=_owner(request), payload=payload, default_format=default_format, idempotency_key=key
        )
    except DocumentInvalid as exc:
        raise ValidationError(exc.errors) from None
    except services.IdempotencyConflict:
        raise IdempotencyKeyReused from None
    except services.NumberTaken as taken:
        return _number_taken(request, taken.invoice)
    if submission.by_number:
        return _replayed_by_number(request, submission.invoice)
    # The invoice and its job are committed: from here on an error answer would be a lie, and a client
    # retrying on 5xx would upload a duplicate.
    try:
        return _accepted(request, submission)
    except Exception:
        logger.exception(
            "invoice %s was accepted but its answer failed; answering 202 with the plain JSON body",
            submission.invoice.id,
            extra={"invoice_id": str(submission.invoice.id)},
        )
        return _accepted_fallback(request, submission)


def _number_taken(request: Request, invoice: Invoice) -> Response:
    """409: the number was issued before with other content; the answer names that invoice (the caller's
    own: the number is unique per owner, so no other account's invoice can be named)."""
    body = error_body(
        "number_taken",
        f"Invoice number {invoice.number} was already issued (invoice {invoice.id}) with other content; an "
        "issued invoice cannot change. Correct it with a credit note, or add a file format to it with "
        f"POST /api/invoices/{invoice.id}/renditions/.",
    )
    body["error"]["invoice_id"] = str(invoice.id)
    body["error"]["links"] = invoice_links(invoice, request)
    return Response(body, status=status.HTTP_409_CONFLICT)


def _replayed_by_number(request: Request, invoice: Invoice) -> Response:
    """200: the same invoice (number and content) was uploaded before; here it is, as it is now."""
    invoice = selectors.invoice_get(owner=_owner(request), invoice_id=invoice.id) or invoice
    response = Response(InvoiceOutputSerializer(invoice, context={"request": request}).data)
    response["Content-Location"] = invoice_links(invoice, request)["self"]
    response["Idempotent-Replayed"] = "true"
    return response


def _accepted(request: Request, submission: services.Submission) -> Response:
    # `queued` in both modes, and true: with a broker the job waits in its queue; in the embedded default it
    # runs on the job thread after this answer (workers/embedded.py).
    body = InvoiceAcceptedSerializer(submission.invoice, context={"request": request}).data
    response = AcceptedResponse(body, status=status.HTTP_202_ACCEPTED)
    _accepted_headers(response, body["links"]["self"], submission)
    return response


def _accepted_fallback(request: Request, submission: services.Submission) -> HttpResponse:
    """The 202 built without the serializer and DRF's renderers, from what the service returned."""
    invoice = submission.invoice
    body: dict[str, Any] = {
        "id": str(invoice.id),
        "number": invoice.number,
        "series": invoice.series.code if invoice.series is not None else None,
        "status": invoice.status,
        "format": invoice.format,
        "formats": list(invoice.formats),
        "links": invoice_links(invoice, request),
    }
    response = JsonResponse(body, status=status.HTTP_202_ACCEPTED)
    _accepted_headers(response, body["links"]["self"], submission)
    return response


def _accepted_headers(response: HttpResponseBase, location: str, submission: services.Submission) -> None:
    response["Location"] = location
    if not submission.created:
        response["Idempotent-Replayed"] = "true"


class AcceptedResponse(Response):
    """A 202 whose rendering cannot fail the upload: should the negotiated renderer (the browsable API's
    HTML page) raise, the same body is rendered as JSON instead, and the failure logged."""

    @property
    def rendered_content(self) -> Any:
        try:
            return super().rendered_content
        except Exception:
            if isinstance(getattr(self, "accepted_renderer", None), JSONRenderer):
                raise
            logger.exception(
                "the 202 answer could not be rendered as %s; answering JSON", self.accepted_media_type
            )
            self.accepted_renderer = JSONRenderer()
            self.accepted_media_type = JSONRenderer.media_type
            return super().rendered_content


class InvoiceListCreateView(APIView):
    """GET: the caller's invoices, newest first. POST: upload invoice JSON -> 202 Accepted."""

    name = "Invoices"  # the browsable API's title (DRF's get_view_name), instead of "Invoice List Create"

    # The body is read raw (`_json_body`), so amounts never pass through float; the parser names the media
    # type for DRF and the browsable API's raw-data form.
    parser_classes = [DocumentJSONParser]
    schema = openapi.UploadSchema()  # OpenAPI only: the POST body is required
    # The browsable page's "Content" box: the schema's example on the list, the body sent after a refusal.
    browsable_examples = {"POST": SAMPLE_DOCUMENT}
    browsable_keeps_body = True

    @openapi.INVOICES_LIST
    def get(self, request: Request) -> Response:
        filters = InvoiceFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        listing = selectors.InvoiceListing(
            owner=_owner(request),
            status=filters.validated_data.get("status"),
            fmt=filters.validated_data.get("format"),
        )
        paginator = Pagination()
        # The paginator reads any list that counts and slices, which the listing does by fixed statements.
        page: list[Invoice] | None = paginator.paginate_queryset(
            listing,  # type: ignore[arg-type]
            request,
            view=self,
        )
        context = {"request": request, "renditions": listing.renditions}
        data = [InvoiceOutputSerializer(invoice, context=context).data for invoice in page or []]
        return paginator.get_paginated_response(data)

    @openapi.INVOICES_CREATE
    def post(self, request: Request) -> HttpResponseBase:
        return _submit(request, _json_body(request))


class InvoiceDetailView(APIView):
    name = "Invoice"  # the browsable API's title

    @openapi.INVOICES_RETRIEVE
    def get(self, request: Request, pk: str) -> Response:
        invoice = _owned(request, pk)
        return Response(InvoiceOutputSerializer(invoice, context={"request": request}).data)


def _owned(request: Request, invoice_id: str) -> Invoice:
    invoice = selectors.invoice_get(owner=_owner(request), invoice_id=invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def download_response(request: Request, invoice: Invoice, fmt: str | None = None) -> HttpResponseBase:
    """Stream a ready rendition's file from storage, chunk by chunk: ``fmt``, default the first format the
    upload asked for. 404 for a format the invoice has no rendition in, 409 while it is not ready."""
    fmt = fmt or invoice.format
    rendition = selectors.rendition_get(invoice=invoice, fmt=fmt)
    if rendition is None:
        raise NotFound(
            f"This invoice has no {fmt} rendition; add one with POST /api/invoices/{invoice.id}/renditions/."
        )
    if rendition.status != InvoiceStatus.READY:
        subject = "The invoice" if fmt == invoice.format else f"The {fmt} rendition"
        raise NotReady(
            f"{subject} is {rendition.status}, not ready yet."
            if rendition.status != InvoiceStatus.FAILED
            else f"{subject} failed: {rendition.failure_reason}"
        )
    if f'"{rendition.sha256}"' in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
        add_file_headers(not_modified, rendition)
        return not_modified
    return stored_file_response(rendition, invoice.number)


def _download_format(request: Request) -> str | None:
    query = DownloadQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    fmt: str | None = query.validated_data.get("format")
    return fmt


class FileDownloadView(APIView):
    """A download answers whatever the client accepts (`Accept: application/pdf` included): the file is not
    rendered by DRF, and an error falls back to JSON instead of a 406."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)


class InvoiceDownloadView(FileDownloadView):
    @openapi.INVOICES_DOWNLOAD
    def get(self, request: Request, pk: str) -> HttpResponseBase:
        invoice = _owned(request, pk)  # ownership first: another user's invoice is a 404 whatever the query
        return download_response(request, invoice, _download_format(request))


class RenditionCreateView(APIView):
    """POST ``{"format": "xlsx"}``: add a rendition to an issued invoice, rendered from its stored input."""

    name = "Renditions"  # the browsable API's title
    parser_classes = [DocumentJSONParser]
    browsable_keeps_body = True  # a refused body stays in the browsable page's "Content" box

    @openapi.RENDITIONS_CREATE
    def post(self, request: Request, pk: str) -> Response:
        invoice = _owned(request, pk)  # another user's invoice is the 404 of a missing one
        body = RenditionRequestSerializer(
            data=_json_body(request, what=f"the format, such as {RenditionRequestSerializer.example},")
        )
        body.is_valid(raise_exception=True)
        try:
            added = services.rendition_add(invoice=invoice, fmt=body.validated_data["format"])
        except DocumentInvalid as exc:
            raise ValidationError(exc.errors) from None
        answer = Response(
            RenditionOutputSerializer(added.rendition, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED if added.created else status.HTTP_200_OK,
        )
        answer["Location"] = answer.data["links"]["invoice"]
        return answer


# --- The original service's contract ----------------------------------------------------------------


class LegacyUploadView(APIView):
    """POST /upload?format=pdf|excel|csv: multipart with exactly one JSON file, or a JSON body."""

    name = "Upload (the original contract)"  # the browsable API's title

    # Read raw as well (`_json_body`, `_multipart`); the parsers name the two media types, and the serializer
    # only draws the browsable API's file form (the OpenAPI request is declared in `openapi.LEGACY_UPLOAD`).
    parser_classes = [DocumentJSONParser, MultiPartParser]
    serializer_class = LegacyUploadFormSerializer
    browsable_keeps_body = True  # a refused JSON body stays in the browsable page's "Content" box
    schema = openapi.UploadSchema()  # OpenAPI only: the body is required

    @openapi.LEGACY_UPLOAD
    def post(self, request: Request) -> HttpResponseBase:
        payload = (
            self._multipart(request)
            if request.content_type.startswith("multipart/")
            else _json_body(request, media="application/json, or as multipart/form-data with one JSON file")
        )
        refuse_unexpected(request.query_params, ["format"])  # a repeated ?format=: which was meant?
        return _submit(request, payload, default_format=request.query_params.get("format") or None)

    @staticmethod
    def _multipart(request: Request) -> object:
        _check_length(request)
        try:
            uploads = request._request.FILES
        except MultiPartParserError as exc:
            raise ParseError(f"The multipart body cannot be read: {exc}") from None
        files = [upload for name in uploads for upload in uploads.getlist(name)]
        if len(files) != 1:
            raise ValidationError({"file": [f"Send exactly one JSON file; this request has {len(files)}."]})
        upload = files[0]
        if upload.size is not None and upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge(_too_large_message())
        return _parse(upload.read())


class LegacyDownloadView(FileDownloadView):
    """GET /download?fid=<invoice id>."""

    @openapi.LEGACY_DOWNLOAD
    def get(self, request: Request) -> HttpResponseBase:
        refuse_unexpected(request.query_params, ["fid"])
        fid = request.query_params.get("fid", "")
        if not fid:
            raise ValidationError({"fid": ["The invoice id is required: /download?fid=<id>."]})
        return download_response(request, _owned(request, fid))
