"""The admin's brands: each with its owner, default, current version, layout and a logo thumbnail, its
versions read-only. Creating or changing a brand here goes through the same services (invoices/branding.py)
and the same logo sanitizing (invoices/logos.py) as the API: staff can no more store an unsafe logo, or
change an issued invoice's look, than its owner can."""

import base64
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from invoices import branding
from invoices.brand_serializers import BrandValueInvalid, accent_color_clean, brand_name_clean, footer_clean
from invoices.logos import LOGO_MAX_BYTES, LogoRefused, logo_sanitize
from invoices.models import Brand, BrandLogo, BrandVersion, FontFamily, Invoice, LayoutName

THUMBNAIL_SIDE = 48


def _checked(rule: Callable[[str], str], value: str) -> str:
    try:
        return rule(value)
    except BrandValueInvalid as exc:
        raise forms.ValidationError(str(exc)) from None


def logo_thumbnail(logo: BrandLogo | None) -> str:
    """An <img> of our own stored bytes as a data URI: an image element runs no script, SVG included, and
    nothing is fetched."""
    if logo is None:
        return "-"
    data = base64.b64encode(bytes(logo.data)).decode()
    return format_html(
        '<img src="data:{};base64,{}" alt="logo" style="max-width:{}px;max-height:{}px">',
        logo.content_type,
        data,
        THUMBNAIL_SIDE * 3,
        THUMBNAIL_SIDE,
    )


class BrandForm(forms.ModelForm):
    """The brand's fields and its current look. ``is_default`` is not a model field here: the services
    switch the default in one transaction, which a model form's constraint check would refuse first."""

    is_default = forms.BooleanField(required=False)
    layout = forms.ChoiceField(choices=LayoutName.choices, initial=LayoutName.CLASSIC)
    accent_color = forms.CharField(initial=branding.DEFAULT_LOOK["accent_color"], max_length=7)
    font = forms.ChoiceField(choices=FontFamily.choices, initial=FontFamily.SANS)
    footer = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    logo = forms.FileField(
        required=False,
        help_text=f"PNG, JPEG or SVG, at most {LOGO_MAX_BYTES:,} bytes; re-encoded by the service.",
    )
    remove_logo = forms.BooleanField(required=False)

    class Meta:
        model = Brand
        fields = ("owner", "name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        brand: Brand = self.instance
        if brand.pk is not None and brand.current is not None:
            version = brand.current
            self.fields["owner"].disabled = True
            self.initial.update(
                is_default=brand.is_default,
                layout=version.layout,
                accent_color=version.accent_color,
                font=version.font,
                footer=version.footer,
            )

    def clean_name(self) -> str:
        return _checked(brand_name_clean, self.cleaned_data["name"])

    def clean_accent_color(self) -> str:
        return _checked(accent_color_clean, self.cleaned_data["accent_color"])

    def clean_footer(self) -> str:
        return _checked(footer_clean, self.cleaned_data["footer"])

    def clean_logo(self) -> Any:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size is not None and upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(f"The logo is larger than {LOGO_MAX_BYTES:,} bytes (1 MB).")
        try:
            return logo_sanitize(upload.read(LOGO_MAX_BYTES + 1))
        except LogoRefused as refused:
            raise forms.ValidationError(refused.message) from None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        owner = cleaned.get("owner")
        is_new = self.instance.pk is None and owner is not None
        if is_new and Brand.objects.filter(owner=owner).count() >= branding.MAX_BRANDS_PER_OWNER:
            raise forms.ValidationError(
                f"This account has {branding.MAX_BRANDS_PER_OWNER} brands, the most an account may have."
            )
        return cleaned

    def changes(self) -> dict[str, Any]:
        """What the services are given: the fields, and the logo only when one is sent or removed."""
        data = self.cleaned_data
        found = {key: data[key] for key in ("name", "is_default", "layout", "accent_color", "font", "footer")}
        if data.get("logo") is not None:
            found["logo"] = data["logo"]
        elif data.get("remove_logo"):
            found["logo"] = None
        return found


class BrandVersionInline(admin.TabularInline):
    """Every version, newest first: immutable, as issued invoices are rendered with them."""

    model = BrandVersion
    extra = 0
    can_delete = False
    fields = (
        "version",
        "layout",
        "layout_version",
        "accent_color",
        "font",
        "footer",
        "thumbnail",
        "created_at",
    )
    readonly_fields = fields
    ordering = ("-version",)

    def has_add_permission(self, request: HttpRequest, obj: Brand | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Brand | None = None) -> bool:
        return False

    @admin.display(description="logo")
    def thumbnail(self, version: BrandVersion) -> str:
        return logo_thumbnail(version.logo)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    form = BrandForm
    list_display = ("name", "owner", "is_default", "current_version", "layout", "thumbnail", "updated_at")
    list_filter = ("is_default", "current__layout")
    search_fields = ("name", "owner__email")
    list_select_related = ("owner", "current__logo")
    autocomplete_fields = ("owner",)
    ordering = ("owner__email", "name")
    inlines = [BrandVersionInline]

    @admin.display(description="version")
    def current_version(self, brand: Brand) -> int | None:
        return brand.current.version if brand.current is not None else None

    @admin.display(description="layout")
    def layout(self, brand: Brand) -> str:
        return brand.current.layout if brand.current is not None else "-"

    @admin.display(description="logo")
    def thumbnail(self, brand: Brand) -> str:
        return logo_thumbnail(brand.current.logo if brand.current is not None else None)

    def save_model(self, request: HttpRequest, obj: Brand, form: Any, change: bool) -> None:
        # Through the services: a new version for a new look, the default switched in one transaction.
        changes = form.changes()
        try:
            if change:
                saved = branding.brand_update(obj, changes)
            else:
                saved = branding.brand_create(obj.owner, **changes)
        except branding.BrandRefused as refused:
            # Checked again under the owner's lock (a name taken meanwhile, the 50-brand limit).
            messages.error(request, refused.message)
            raise
        obj.pk, obj.current_id, obj.is_default = saved.pk, saved.current_id, saved.is_default
        obj._state.adding = False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through brand_delete
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Brand | None = None) -> bool:
        # A brand an issued invoice is rendered with stays (the invoice keeps its look for ever).
        if obj is not None and Invoice.objects.filter(brand_version__brand=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        # Its versions go with it (brand_delete); Django's collector would call them protected.
        brands = list(objs)
        return [str(brand) for brand in brands], {"brands": len(brands)}, set(), []

    def delete_model(self, request: HttpRequest, obj: Brand) -> None:
        branding.brand_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Brand]) -> None:
        for brand in queryset:
            branding.brand_delete(brand)
