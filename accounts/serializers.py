"""Shapes of the login, token and profile endpoints' bodies (validation and shaping only, no writes).

The views read requests with them and the OpenAPI description (``accounts.openapi``) names them.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.models import User
from invoices.i18n.locales import LANGUAGES, MAX_TAG_LENGTH, LocaleError, locale_tag, parse_locale
from invoicesite.fields import JsonObjectSerializer


class CredentialsSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


@extend_schema_serializer(component_name="User")
class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_staff", "date_joined", "last_login", "language", "locale"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ProfileUpdate")
class ProfileUpdateSerializer(JsonObjectSerializer):
    """PATCH /api/me/: only these two can be changed by the account itself."""

    example = '{"language": "de"}'
    language = serializers.CharField(
        required=False,
        max_length=16,
        help_text=f"The language of the service's emails to you, one of: {', '.join(LANGUAGES)}.",
    )
    locale = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_TAG_LENGTH,
        help_text=(
            "Your invoices' locale when an upload names none, a BCP 47 tag such as `de-CH`; stored as "
            "normalised (`de_ch` becomes `de-CH`). Empty: from each invoice's language and buyer country."
        ),
    )

    def validate_language(self, value: str) -> str:
        if value not in LANGUAGES:
            languages = ", ".join(LANGUAGES)
            raise serializers.ValidationError(
                f"'{value}' is not a language the service writes in; the languages are: {languages}."
            )
        return value

    def validate_locale(self, value: str) -> str:
        if not value:
            return ""
        try:
            return locale_tag(parse_locale(value))
        except LocaleError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Refused rather than ignored, so that a client sending {"email": ...} or {"is_staff": true} learns
        # that nothing of it was applied.
        unknown = (
            sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        )
        if unknown:
            raise serializers.ValidationError(
                {
                    name: ["This field cannot be changed here; only language and locale can."]
                    for name in unknown
                }
            )
        return attrs
