"""OpenAPI documentation of the brand API (invoices/brand_views.py): one named spec per operation, as
``invoices.openapi`` does for the invoice API. Documentation only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts.openapi import PAGE_REFUSED, UNAUTHENTICATED, error_example, error_response, retry_after
from invoices.brand_serializers import MAX_FOOTER_LENGTH, MAX_FOOTER_LINES, MAX_NAME_LENGTH
from invoices.branding import MAX_BRANDS_PER_OWNER
from invoices.logos import LOGO_FIT, LOGO_MAX_BYTES, LOGO_MAX_PIXELS, LOGO_MAX_SIDE
from invoices.models import FontFamily, LayoutName
from invoicesite.queries import PAGE_PAST_THE_END, page_parameters

_EXAMPLE_ID = "5d2c7a10-8f3e-4b6a-9c21-0e4f7b1a2c33"
_EXAMPLE_URL = f"https://invoices.example/api/brands/{_EXAMPLE_ID}/"
_TAGS = ["brands"]
_COLOUR_PATTERN = "^#[0-9a-fA-F]{6}$"

BRAND_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The brand's id.")

_LOGO_RULES = (
    f"PNG, JPEG or SVG, at most {LOGO_MAX_BYTES:,} bytes; the type is read from the bytes. PNG and JPEG: at "
    f"most {LOGO_MAX_SIDE:,} pixels a side and {LOGO_MAX_PIXELS:,} in all, decoded and re-encoded by the "
    f"service with no metadata (EXIF orientation applied), fitted into {LOGO_FIT:,} x {LOGO_FIT:,}. SVG: "
    "rewritten from a whitelist of drawing elements; a script, an event attribute, a foreignObject, an "
    "embedded image, a reference to anything outside the file (file:, http:, data:), @import or a DOCTYPE "
    "or entity is refused. A refusal is `400` on `logo` with the reason."
)


def _fields(logo: serializers.Field, *, name_required: bool) -> dict[str, serializers.Field]:
    return {
        "name": serializers.CharField(
            required=name_required,
            max_length=MAX_NAME_LENGTH,
            help_text=f"1 to {MAX_NAME_LENGTH} characters, unique among your brands. Uploads may name a "
            "brand by it.",
        ),
        "is_default": serializers.BooleanField(
            required=False,
            help_text="The brand an upload naming none is issued with; setting it unsets your other default.",
        ),
        "layout": serializers.ChoiceField(choices=LayoutName.values, required=False),
        "accent_color": serializers.RegexField(
            _COLOUR_PATTERN, required=False, help_text="`#rrggbb`, either case; stored lower case."
        ),
        "font": serializers.ChoiceField(choices=FontFamily.values, required=False),
        "footer": serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=MAX_FOOTER_LENGTH,
            help_text=f"At most {MAX_FOOTER_LENGTH} characters and {MAX_FOOTER_LINES} lines; no control "
            "characters.",
        ),
        "logo": logo,
    }


class BrandJsonSerializer(serializers.Serializer):
    """A brand as JSON: the logo as base64."""

    name_required = True  # POST and PUT; PATCH sends only what changes

    def get_fields(self) -> dict[str, serializers.Field]:
        logo = serializers.CharField(
            required=False,
            allow_null=True,
            help_text=f"The image's bytes as base64; `null` removes it. {_LOGO_RULES}",
        )
        return _fields(logo, name_required=self.name_required)


class BrandMultipartSerializer(BrandJsonSerializer):
    """A brand as a multipart form: the logo as a file."""

    def get_fields(self) -> dict[str, serializers.Field]:
        logo = serializers.FileField(required=False, help_text=f"The image file. {_LOGO_RULES}")
        return _fields(logo, name_required=self.name_required)


class BrandPatchJsonSerializer(BrandJsonSerializer):
    name_required = False


class BrandPatchMultipartSerializer(BrandMultipartSerializer):
    name_required = False


class LogoSerializer(serializers.Serializer):
    content_type = serializers.ChoiceField(choices=["image/png", "image/jpeg", "image/svg+xml"])
    width = serializers.IntegerField(min_value=1, help_text="Pixels (SVG: its user units, as drawn).")
    height = serializers.IntegerField(min_value=1)
    sha256 = serializers.CharField(help_text="Hex SHA-256 of the stored (re-encoded) bytes.")


class CurrentLogoSerializer(LogoSerializer):
    url = serializers.URLField(help_text="`GET /api/brands/{id}/logo/`: the bytes.")


class BrandLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    versions = serializers.URLField()
    preview = serializers.URLField()


class BrandSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    is_default = serializers.BooleanField()
    layout = serializers.ChoiceField(choices=LayoutName.values)
    accent_color = serializers.RegexField("^#[0-9a-f]{6}$")
    font = serializers.ChoiceField(choices=FontFamily.values)
    footer = serializers.CharField(allow_blank=True)
    logo = CurrentLogoSerializer(allow_null=True)
    version = serializers.IntegerField(min_value=1, help_text="The current version's number.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = BrandLinksSerializer()


class BrandVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    layout = serializers.ChoiceField(choices=LayoutName.values)
    layout_version = serializers.IntegerField(
        min_value=1, help_text="The layout template's version this brand version is rendered with, for ever."
    )
    accent_color = serializers.RegexField("^#[0-9a-f]{6}$")
    font = serializers.ChoiceField(choices=FontFamily.values)
    footer = serializers.CharField(allow_blank=True)
    logo = LogoSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class BrandVersionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BrandVersionSerializer(many=True)


_BRAND_EXAMPLE = OpenApiExample(
    "brand",
    value={
        "id": _EXAMPLE_ID,
        "name": "Nuage",
        "is_default": True,
        "layout": "modern",
        "accent_color": "#1f4e79",
        "font": "sans",
        "footer": "Nuage Informatique SAS - 12 rue de la Paix, 75002 Paris",
        "logo": {
            "content_type": "image/png",
            "width": 600,
            "height": 200,
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "url": f"{_EXAMPLE_URL}logo/",
        },
        "version": 3,
        "created_at": "2026-12-01T09:30:00Z",
        "updated_at": "2026-12-03T14:05:00Z",
        "links": {
            "self": _EXAMPLE_URL,
            "versions": f"{_EXAMPLE_URL}versions/",
            "preview": f"{_EXAMPLE_URL}preview/",
        },
    },
)

NOT_FOUND = error_response(
    "No such brand: the id does not exist or the brand belongs to another account (the same answer).",
    error_example("not_found", "not_found", "No such brand."),
)

INVALID = error_response(
    "A field is missing or invalid, an unknown field, a name you use for another brand, a logo refused "
    f"(with the reason), or more than {MAX_BRANDS_PER_OWNER} brands. Nothing is changed.",
    error_example(
        "script",
        "invalid",
        "Some fields are invalid.",
        {"logo": ["The SVG contains a script; logos may not run code."]},
    ),
    error_example(
        "too many pixels",
        "invalid",
        "Some fields are invalid.",
        {
            "logo": [
                "The image is 50,000 x 50,000 pixels; at most 4,000 a side and 4,000,000 pixels in all are "
                "accepted."
            ]
        },
    ),
    error_example(
        "duplicate name",
        "invalid",
        "Some fields are invalid.",
        {"name": ["You already have a brand named 'Nuage'."]},
    ),
    error_example(
        "too many brands", "invalid", f"You have {MAX_BRANDS_PER_OWNER} brands, the most an account may have."
    ),
)

TOO_LARGE = error_response(
    "The body is larger than 2 MB (the logo may be 1 MB).",
    error_example("too large", "request_too_large", "The request body is larger than 2,097,152 bytes."),
)

UNSUPPORTED = error_response(
    "The body is neither `application/json` nor `multipart/form-data`.",
    error_example("unsupported", "unsupported_media_type", 'Unsupported media type "text/plain" in request.'),
)

_REQUEST = {"application/json": BrandJsonSerializer, "multipart/form-data": BrandMultipartSerializer}
# A brand as JSON without a logo: the browsable API's form starts from it (a logo is easier sent as a file).
CREATE_BODY = {
    "name": "Nuage",
    "is_default": False,
    "layout": "modern",
    "accent_color": "#1f4e79",
    "font": "sans",
    "footer": "Nuage Informatique SAS - 12 rue de la Paix, 75002 Paris",
}
_PATCH_REQUEST = {
    "application/json": BrandPatchJsonSerializer,
    "multipart/form-data": BrandPatchMultipartSerializer,
}
_WRITE_ERRORS = {400: INVALID, 401: UNAUTHENTICATED, 413: TOO_LARGE, 415: UNSUPPORTED}

LIST = extend_schema(
    operation_id="brands_list",
    tags=_TAGS,
    summary="Your brands",
    description=f"Every brand of the caller (at most {MAX_BRANDS_PER_OWNER}), by name.",
    responses={200: BrandSerializer(many=True), 401: UNAUTHENTICATED},
)

CREATE = extend_schema(
    operation_id="brands_create",
    tags=_TAGS,
    summary="Make a brand",
    description=(
        "A brand and its first version. Fields not sent take their defaults: the classic layout, accent "
        "`#1f4e79`, the sans font, no footer, no logo, not the default. Send JSON (the logo as base64) or a "
        "multipart form (the logo as a file)."
    ),
    request=_REQUEST,
    examples=[OpenApiExample("brand", value=CREATE_BODY, request_only=True)],
    parameters=[
        OpenApiParameter(
            "Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[201], description="The brand."
        )
    ],
    responses={201: OpenApiResponse(BrandSerializer, examples=[_BRAND_EXAMPLE]), **_WRITE_ERRORS},
)

RETRIEVE = extend_schema(
    operation_id="brands_retrieve",
    tags=_TAGS,
    summary="One brand, as it looks now",
    parameters=[BRAND_ID],
    responses={
        200: OpenApiResponse(BrandSerializer, examples=[_BRAND_EXAMPLE]),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
    },
)

_CHANGE_HELP = (
    "A change of the look (layout, accent colour, font, footer, logo) makes a new version; invoices issued "
    "before keep the version they were issued with. A change of name or default alone makes none."
)

PATCH = extend_schema(
    operation_id="brands_partial_update",
    tags=_TAGS,
    summary="Change some of a brand's fields",
    description=f"Only the fields sent change. {_CHANGE_HELP}",
    parameters=[BRAND_ID],
    request=_PATCH_REQUEST,
    responses={200: BrandSerializer, **_WRITE_ERRORS, 404: NOT_FOUND},
)

PUT = extend_schema(
    operation_id="brands_update",
    tags=_TAGS,
    summary="Replace a brand's fields",
    description=f"Every field: those not sent take their defaults (no logo, not the default). {_CHANGE_HELP}",
    parameters=[BRAND_ID],
    request=_REQUEST,
    responses={200: BrandSerializer, **_WRITE_ERRORS, 404: NOT_FOUND},
)

DELETE = extend_schema(
    operation_id="brands_destroy",
    tags=_TAGS,
    summary="Delete an unused brand",
    description="A brand no invoice was issued with goes with its versions. One that any invoice uses stays.",
    parameters=[BRAND_ID],
    responses={
        204: OpenApiResponse(description="Deleted."),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
        409: error_response(
            "Issued invoices are rendered with this brand's versions: they keep their look, so it stays.",
            error_example(
                "in use",
                "brand_in_use",
                "3 issued invoices are rendered with this brand; they keep its look for ever, so it cannot "
                "be deleted. Rename it, or stop making it the default.",
            ),
        ),
    },
)

VERSIONS = extend_schema(
    operation_id="brands_versions_list",
    tags=_TAGS,
    summary="A brand's versions, newest first",
    description="Every look the brand has had; an issued invoice is rendered with one of them for ever.",
    parameters=[
        BRAND_ID,
        *page_parameters("Versions"),
    ],
    responses={
        200: BrandVersionPageSerializer,
        400: PAGE_REFUSED,
        401: UNAUTHENTICATED,
        404: error_response(
            "No such brand (or another account's), or a page past the last.",
            error_example("not_found", "not_found", "No such brand."),
            error_example("page past the end", "not_found", PAGE_PAST_THE_END),
        ),
    },
)

_FILE_HEADERS = [
    OpenApiParameter(
        "X-Content-Type-Options",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="`nosniff`.",
    ),
    OpenApiParameter(
        "Content-Disposition",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="`inline`; an SVG logo is always an `attachment`.",
    ),
]

LOGO = extend_schema(
    operation_id="brands_logo",
    tags=_TAGS,
    summary="The brand's current logo",
    description=(
        "The bytes as the service stored them (its own re-encoding, never the upload), with their type. "
        "Served with `Content-Security-Policy: ... sandbox`, and an SVG as an attachment: nothing in it "
        "can run in a browser."
    ),
    parameters=[BRAND_ID, *_FILE_HEADERS],
    responses={
        **{
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The logo.")
            for media_type in ("image/png", "image/jpeg", "image/svg+xml")
        },
        401: UNAUTHENTICATED,
        404: error_response(
            "No such brand (or another account's), or the brand has no logo.",
            error_example("not_found", "not_found", "No such brand."),
            error_example("no logo", "not_found", "This brand has no logo."),
        ),
    },
)

PREVIEW = extend_schema(
    operation_id="brands_preview",
    tags=_TAGS,
    summary="A sample invoice with the brand's look (PDF)",
    description=(
        "A fixed sample invoice (made-up seller, buyer and lines, number `PREVIEW-0001`) rendered as a PDF "
        "with the brand's current version, or with another `layout` without saving it. Throttled per "
        f"account ({api_settings.DEFAULT_THROTTLE_RATES['brand_preview']}, "
        "`BRAND_PREVIEW_RATE`)."
    ),
    parameters=[
        BRAND_ID,
        OpenApiParameter(
            "layout", OpenApiTypes.STR, enum=LayoutName.values, description="Preview another layout, unsaved."
        ),
        retry_after(429),
    ],
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The sample invoice."),
        400: error_response(
            "`layout` is not one of the layouts.",
            error_example(
                "invalid",
                "invalid",
                "Some fields are invalid.",
                {"layout": ["Unknown value 'fancy'; allowed: classic, modern, compact."]},
            ),
        ),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
        429: error_response(
            "More previews than `BRAND_PREVIEW_RATE` allows; retry after `Retry-After` seconds.",
            error_example(
                "throttled", "throttled", "Request was throttled. Expected available in 2 seconds."
            ),
        ),
    },
)
