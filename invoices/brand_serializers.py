"""The brand API's bodies and answers (validation and shaping only; invoices/branding.py writes).

Text follows the invoice document's rules (invoices/document/fields.py ``clean_text``): no control
characters, bidirectional overrides neutralised, blanks trimmed. A logo arrives as a multipart file or, in
JSON, as a base64 string, and is made safe by invoices/logos.py before anything else sees it.
"""

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from invoices.document.fields import clean_text
from invoices.logos import LOGO_MAX_BYTES, CleanLogo, LogoRefused, logo_sanitize
from invoices.models import Brand, BrandLogo, BrandVersion, FontFamily, LayoutName
from invoicesite import fields as api_fields
from invoicesite.queries import QuerySerializer

MAX_NAME_LENGTH = 100
MAX_FOOTER_LENGTH = 300
MAX_FOOTER_LINES = 3
BRAND_FIELDS = ("name", "is_default", "layout", "accent_color", "font", "footer", "logo")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}", re.ASCII)


class BrandValueInvalid(ValueError):
    """A brand's name, accent colour or footer breaks its rule; the message is for the person who sent it."""


# The rules of the look's text fields, shared by the API's serializer and the admin's form.


def brand_name_clean(value: str) -> str:
    text, problem = clean_text(value, multiline=False)
    if problem is None and not text:
        problem = "Must not be blank."
    if problem is None and len(text) > MAX_NAME_LENGTH:
        problem = f"At most {MAX_NAME_LENGTH} characters are allowed (got {len(text):,})."
    if problem:
        raise BrandValueInvalid(problem)
    return text


def accent_color_clean(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise BrandValueInvalid('A colour as "#rrggbb", such as "#1f4e79".')
    return value.lower()


def footer_clean(value: str) -> str:
    text, problem = clean_text(value, multiline=True)
    if problem is None and len(text) > MAX_FOOTER_LENGTH:
        problem = f"At most {MAX_FOOTER_LENGTH} characters are allowed (got {len(text):,})."
    lines = len(text.split("\n")) if text else 0
    if problem is None and lines > MAX_FOOTER_LINES:
        problem = f"At most {MAX_FOOTER_LINES} lines are allowed (got {lines})."
    if problem:
        raise BrandValueInvalid(problem)
    return text


def _checked(rule: Callable[[str], str], value: str) -> str:
    try:
        return rule(value)
    except BrandValueInvalid as exc:
        raise serializers.ValidationError(str(exc)) from None


# base64 of LOGO_MAX_BYTES, with room for line breaks: a longer string is refused before it is decoded.
_MAX_BASE64_LENGTH = (LOGO_MAX_BYTES + 2) // 3 * 4 + 4096
_TOO_LARGE = f"The logo is larger than {LOGO_MAX_BYTES:,} bytes (1 MB); upload a smaller image."


class LogoField(serializers.Field):
    """A multipart file, or a base64 string in JSON; ``null`` removes the logo. Becomes our CleanLogo."""

    default_error_messages = {
        "invalid": "Expected an image file (multipart) or its bytes as a base64 string."
    }

    def to_internal_value(self, data: Any) -> CleanLogo:
        if isinstance(data, UploadedFile):
            if data.size is not None and data.size > LOGO_MAX_BYTES:
                raise serializers.ValidationError(_TOO_LARGE)
            raw = data.read(LOGO_MAX_BYTES + 1)
        elif isinstance(data, str):
            raw = _base64(data)
        else:
            self.fail("invalid")
        try:
            return logo_sanitize(raw)
        except LogoRefused as refused:
            raise serializers.ValidationError(refused.message) from None

    def to_representation(self, value: Any) -> Any:
        return value


def _base64(text: str) -> bytes:
    if len(text) > _MAX_BASE64_LENGTH:
        raise serializers.ValidationError(_TOO_LARGE)
    if text.startswith("data:") and "," in text:  # a data URL: its payload (the type comes from the bytes)
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise serializers.ValidationError("The logo is not valid base64.") from None


class BrandInputSerializer(serializers.Serializer):
    """POST, PUT (every field; those absent take their defaults) and PATCH (only those sent)."""

    name = serializers.CharField(trim_whitespace=False)
    is_default = serializers.BooleanField(required=False)
    layout = api_fields.ChoiceField(choices=LayoutName.choices, required=False)
    accent_color = serializers.CharField(required=False)
    font = api_fields.ChoiceField(choices=FontFamily.choices, required=False)
    footer = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    logo = LogoField(required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> Any:
        if not hasattr(data, "keys"):
            # Keyed: a serializer's errors are a dict, and a bare message here was a 500 (a body of "0").
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["Expected a JSON object or a multipart form."]}
            )
        if unknown := api_fields.unknown_fields(data.keys(), BRAND_FIELDS):
            raise serializers.ValidationError(unknown)
        if isinstance(data, MultiValueDict):  # a multipart form may hold a field twice (two logo files)
            repeated = {key: len(data.getlist(key)) for key in data if len(data.getlist(key)) > 1}
            if repeated:
                raise serializers.ValidationError(
                    {key: [f"Given {count} times; send it once."] for key, count in repeated.items()}
                )
        return super().to_internal_value(data)

    def validate_name(self, value: str) -> str:
        return _checked(brand_name_clean, value)

    def validate_accent_color(self, value: str) -> str:
        return _checked(accent_color_clean, value)

    def validate_footer(self, value: str) -> str:
        return _checked(footer_clean, value)


class PreviewQuerySerializer(QuerySerializer):
    layout = api_fields.ChoiceField(
        choices=LayoutName.choices, required=False, help_text="Preview another layout, without saving it."
    )


def logo_representation(logo: BrandLogo | None, url: str | None) -> dict[str, Any] | None:
    if logo is None:
        return None
    shown: dict[str, Any] = {
        "content_type": logo.content_type,
        "width": logo.width,
        "height": logo.height,
        "sha256": logo.sha256,
    }
    if url is not None:
        shown["url"] = url
    return shown


def _moment(value: Any) -> Any:
    return serializers.DateTimeField().to_representation(value)


def brand_representation(brand: Brand, request: Request) -> dict[str, Any]:
    version = brand.current
    if version is None:  # never: a brand is made with its first version
        raise ValueError(f"brand {brand.pk} has no current version")
    logo_url = reverse("brand-logo", kwargs={"pk": brand.pk}, request=request)
    return {
        "id": str(brand.id),
        "name": brand.name,
        "is_default": brand.is_default,
        "layout": version.layout,
        "accent_color": version.accent_color,
        "font": version.font,
        "footer": version.footer,
        "logo": logo_representation(version.logo, logo_url),
        "version": version.version,
        "created_at": _moment(brand.created_at),
        "updated_at": _moment(brand.updated_at),
        "links": {
            "self": reverse("brand-detail", kwargs={"pk": brand.pk}, request=request),
            "versions": reverse("brand-versions", kwargs={"pk": brand.pk}, request=request),
            "preview": reverse("brand-preview", kwargs={"pk": brand.pk}, request=request),
        },
    }


def version_representation(version: BrandVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "layout": version.layout,
        "layout_version": version.layout_version,
        "accent_color": version.accent_color,
        "font": version.font,
        "footer": version.footer,
        "logo": logo_representation(version.logo, None),
        "created_at": _moment(version.created_at),
    }
