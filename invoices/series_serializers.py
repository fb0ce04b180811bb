"""The number series API's bodies: what it accepts (unknown fields refused by name) and how it shows a
series. The rules themselves are ``invoices.numbering``'s (pattern_check, code_check), applied by its
services to the series as it would be after the change."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from invoices.models import NumberSeries, SeriesReset
from invoices.numbering import MAX_CODE_LENGTH, MAX_NUMBER_LENGTH, TOKENS_HINT, next_number
from invoicesite import fields as api_fields


class SeriesInputSerializer(api_fields.ClosedObjectSerializer):
    example = '{"code": "INV", "pattern": "INV-{YYYY}-{seq:05}"}'
    """``POST /api/number-series/``; with ``partial=True`` the body of a PATCH."""

    code = serializers.CharField(
        max_length=MAX_CODE_LENGTH,
        trim_whitespace=False,
        help_text=f"1 to {MAX_CODE_LENGTH} letters, digits, `-` or `_`, unique in your account: what an "
        'upload names in `"series"`.',
    )
    pattern = serializers.CharField(
        max_length=MAX_NUMBER_LENGTH,
        trim_whitespace=False,
        help_text=f"The number's text with tokens: {TOKENS_HINT}; exactly one sequence token. The longest "
        f"number it can make has at most {MAX_NUMBER_LENGTH} characters.",
    )
    reset = api_fields.ChoiceField(
        choices=SeriesReset.values,
        required=False,
        help_text="`yearly` (default: the sequence starts at 1 for each issue year; the pattern must have "
        "{YYYY} or {YY}) or `never`.",
    )


class SeriesSerializer(serializers.ModelSerializer):
    next_number = serializers.SerializerMethodField(
        help_text="The number the next upload naming this series and issued today would get."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = NumberSeries
        fields = ["id", "code", "pattern", "reset", "next_number", "created_at", "links"]
        read_only_fields = fields

    def get_next_number(self, series: NumberSeries) -> str:
        return next_number(series)

    @extend_schema_field(
        serializers.DictField(child=serializers.URLField(), help_text="`self`: this series' address.")
    )
    def get_links(self, series: NumberSeries) -> dict[str, str]:
        request: Request = self.context["request"]
        return {"self": reverse("number-series-detail", kwargs={"pk": series.pk}, request=request)}
