"""The brand API. Thin views: read the request, call invoices/branding.py, shape the answer. Owner-only:
another account's brand is the same 404 as an id that does not exist, checked before the body is read."""

from typing import Any

from django.http import HttpResponse, HttpResponseBase
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, ParseError, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from invoices import branding, openapi_brands
from invoices.brand_serializers import (
    BrandInputSerializer,
    PreviewQuerySerializer,
    brand_representation,
    version_representation,
)
from invoices.logos import LOGO_MAX_BYTES, SVG
from invoices.models import Brand
from invoices.views import FileDownloadView, PayloadTooLarge
from invoicesite.api_errors import error_body
from invoicesite.parsers import DocumentJSONParser
from invoicesite.queries import PageQuerySerializer, Pagination

# A body is a few fields and at most one logo (1 MB, a third more as base64): more is refused unread.
BRAND_MAX_BODY_BYTES = 2 * LOGO_MAX_BYTES
# The logo is served as an image that can do nothing: no script, no style sheet, no frame, no request.
LOGO_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def _owner(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated guarantees it; this narrows the type
        raise NotAuthenticated
    return user


def _owned(request: Request, brand_id: str) -> Brand:
    brand = branding.brand_get(_owner(request), brand_id)
    if brand is None:  # another account's brand is the 404 of a missing one
        raise NotFound("No such brand.")
    return brand


def _body(request: Request, *, partial: bool) -> dict[str, Any]:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError("Invalid Content-Length header.") from None
    if length > BRAND_MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {BRAND_MAX_BODY_BYTES:,} bytes.")
    body = BrandInputSerializer(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _refused(refused: branding.BrandRefused) -> ValidationError:
    return ValidationError({refused.field: [refused.message]} if refused.field else refused.message)


class BrandListView(APIView):
    """GET: the caller's brands. POST: make one (JSON, or multipart with a `logo` file)."""

    name = "Brands"
    parser_classes = [DocumentJSONParser, MultiPartParser]
    # The browsable page's "Content" box starts from the documented example, as the invoices' does.
    browsable_examples = {"POST": openapi_brands.CREATE_BODY}

    @openapi_brands.LIST
    def get(self, request: Request) -> Response:
        found = branding.brand_list(_owner(request))
        return Response([brand_representation(brand, request) for brand in found])

    @openapi_brands.CREATE
    def post(self, request: Request) -> Response:
        owner = _owner(request)
        changes = _body(request, partial=False)
        try:
            brand = branding.brand_create(owner, **changes)
        except branding.BrandRefused as refused:
            raise _refused(refused) from None
        made = branding.brand_get(owner, brand.pk)
        answer = Response(brand_representation(made or brand, request), status=status.HTTP_201_CREATED)
        answer["Location"] = answer.data["links"]["self"]
        return answer


class BrandDetailView(APIView):
    name = "Brand"
    parser_classes = [DocumentJSONParser, MultiPartParser]

    @openapi_brands.RETRIEVE
    def get(self, request: Request, pk: str) -> Response:
        return Response(brand_representation(_owned(request, pk), request))

    @openapi_brands.PATCH
    def patch(self, request: Request, pk: str) -> Response:
        brand = _owned(request, pk)  # ownership first: another account's brand is a 404 whatever the body
        return self._update(request, brand, _body(request, partial=True))

    @openapi_brands.PUT
    def put(self, request: Request, pk: str) -> Response:
        brand = _owned(request, pk)
        # Every field: those not sent take their defaults (no logo, not the default brand).
        changes = {"is_default": False, **branding.DEFAULT_LOOK, **_body(request, partial=False)}
        return self._update(request, brand, changes)

    @openapi_brands.DELETE
    def delete(self, request: Request, pk: str) -> Response:
        brand = _owned(request, pk)
        try:
            branding.brand_delete(brand)
        except branding.BrandInUse as in_use:
            return Response(error_body("brand_in_use", str(in_use)), status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _update(request: Request, brand: Brand, changes: dict[str, Any]) -> Response:
        try:
            updated = branding.brand_update(brand, changes)
        except branding.BrandRefused as refused:
            raise _refused(refused) from None
        return Response(brand_representation(updated, request))


class BrandVersionsView(APIView):
    name = "Brand versions"

    @openapi_brands.VERSIONS
    def get(self, request: Request, pk: str) -> Response:
        brand = _owned(request, pk)
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(branding.brand_versions(brand), request, view=self)
        return paginator.get_paginated_response([version_representation(version) for version in page or []])


class BrandLogoView(FileDownloadView):
    """The current logo's bytes as we stored them (our re-encoding), inert in a browser."""

    name = "Brand logo"

    @openapi_brands.LOGO
    def get(self, request: Request, pk: str) -> HttpResponseBase:
        brand = _owned(request, pk)
        logo = brand.current.logo if brand.current is not None else None
        if logo is None:
            raise NotFound("This brand has no logo.")
        response = HttpResponse(bytes(logo.data), content_type=logo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = LOGO_CSP
        response["Cache-Control"] = "private, no-cache"
        response["ETag"] = f'"{logo.sha256}"'
        extension = {"image/png": "png", "image/jpeg": "jpg", SVG: "svg"}[logo.content_type]
        # An SVG is a document a browser would run if opened: it is only ever a download.
        disposition = "attachment" if logo.content_type == SVG else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="logo.{extension}"'
        return response


class BrandPreviewView(FileDownloadView):
    """A PDF of a fixed sample invoice with the brand's look; throttled (rendering costs CPU)."""

    name = "Brand preview"
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "brand_preview"

    @openapi_brands.PREVIEW
    def get(self, request: Request, pk: str) -> HttpResponseBase:
        brand = _owned(request, pk)
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rendered = branding.brand_preview(brand, query.validated_data.get("layout"))
        response = HttpResponse(rendered.content, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="brand-preview.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
