"""Brands: which brand version an upload is issued with, and its look for the renderer.

An invoice is rendered with the brand version of the moment it was issued (``Invoice.brand_version``), for
ever: a brand changed later makes a new version and leaves issued invoices as they were.
"""

import dataclasses
import json
import uuid
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from accounts.models import User
from invoices.document import DocumentInvalid
from invoices.document.jsonio import loads_document_json
from invoices.document.model import DEFAULT_STYLE, OWN_LAYOUT_VERSION, BrandStyle, RenderedFile
from invoices.document.validation import read_request
from invoices.logos import CleanLogo
from invoices.models import Brand, BrandLogo, BrandVersion, FontFamily, Invoice, LayoutName
from invoices.renderers import render
from invoicesite import sqlnames

BRAND_PATH = "brand"


def brand_version_for_upload(owner: User, reference: str) -> BrandVersion | None:
    """The version an upload is issued with: the current version of the brand it names (by id or name),
    else of the account's default brand, else None (the service's own look). DocumentInvalid on ``brand``
    for a brand the owner does not have (another account's brand reads as unknown)."""
    if reference:
        # The current version comes in the same query: naming a brand costs one statement, not two.
        brands = Brand.objects.filter(owner=owner).select_related("current")
        as_id = _uuid_or_none(reference)
        brand = brands.filter(id=as_id).first() if as_id is not None else None
        brand = brand or brands.filter(name=reference).first()
        if brand is None:
            raise DocumentInvalid({BRAND_PATH: [f"You have no brand {reference!r} (give its id or name)."]})
        return brand.current
    return _default_brand_version(owner.pk)


def _default_brand_version(owner_id: int) -> BrandVersion | None:
    """The current version of the owner's default brand, or None: one fixed statement.

    Every upload that names no brand asks this, and most accounts have no brand at all; the ORM's
    select_related query cost the web process 0.9 ms of CPU to build, this one 0.1 ms (docs/performance.md).
    """
    with connection.cursor() as cursor:
        sqlnames.execute(cursor, _default_brand_version_sql(), [owner_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return sqlnames.instance(BrandVersion, BrandVersion._meta.concrete_fields, row)


@cache
def _default_brand_version_sql() -> str:
    brand, version = sqlnames.table(Brand), sqlnames.table(BrandVersion)
    columns = sqlnames.columns(BrandVersion, BrandVersion._meta.concrete_fields)
    brand_current, brand_owner, brand_default = (
        sqlnames.column(Brand, name) for name in ("current", "owner", "is_default")
    )
    version_id = sqlnames.column(BrandVersion, "id")
    # Names from the models' metadata, the owner as a parameter. At most one default brand per owner (a
    # unique constraint); a default brand with no version yet has no look to give, as with the ORM.
    return (
        f"SELECT {columns} FROM {brand} INNER JOIN {version} "  # noqa: S608  # nosec B608
        f"ON {version}.{version_id} = {brand}.{brand_current} "
        f"WHERE {brand}.{brand_owner} = %s AND {brand}.{brand_default} LIMIT 1"
    )


def brand_style(version_id: uuid.UUID | None, own_layout_version: int = OWN_LAYOUT_VERSION) -> BrandStyle:
    """The look of ``version_id`` for the renderer; for None, the service's own look in the classic layout's
    ``own_layout_version`` (the invoice's ``layout_version``)."""
    if version_id is None:
        return dataclasses.replace(DEFAULT_STYLE, layout_version=own_layout_version)
    version = BrandVersion.objects.select_related("logo").get(id=version_id)
    logo = version.logo
    return BrandStyle(
        version_id=str(version.id),
        layout=version.layout,
        layout_version=version.layout_version,
        accent_color=version.accent_color,
        font=version.font,
        footer=version.footer,
        logo=bytes(logo.data) if logo is not None else b"",
        logo_content_type=logo.content_type if logo is not None else "",
        logo_sha256=logo.sha256 if logo is not None else "",
        logo_width=logo.width if logo is not None else 0,
        logo_height=logo.height if logo is not None else 0,
    )


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


# --- Managing brands (the API and the admin go through these) ---------------------------------------------

MAX_BRANDS_PER_OWNER = 50
# What makes the look: a change to any of these makes a new BrandVersion. Name and default are not the look.
LOOK_FIELDS = ("layout", "accent_color", "font", "footer", "logo")
DEFAULT_LOOK: dict[str, Any] = {
    "layout": LayoutName.CLASSIC,
    "accent_color": DEFAULT_STYLE.accent_color,
    "font": FontFamily.SANS,
    "footer": "",
    "logo": None,
}


class BrandRefused(Exception):
    """A change that is not allowed: ``field`` and a reason for a person (a 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class BrandInUse(Exception):
    """The brand cannot be deleted: issued invoices are rendered with its versions (a 409)."""


def layout_version_of(layout: str) -> int:
    """The current template version of ``layout`` (recorded in every new BrandVersion)."""
    # Imported here: the layouts module loads the PDF fonts (reportlab), which a CSV-only web request never
    # needs.
    from invoices.renderers.layouts import CURRENT

    return CURRENT[layout]


def brand_list(owner: User) -> QuerySet[Brand]:
    return Brand.objects.filter(owner=owner).select_related("current__logo").order_by("name", "id")


def brand_get(owner: User, brand_id: object) -> Brand | None:
    """The owner's brand, or None (also for another account's brand and for an id that is not a UUID)."""
    as_id = brand_id if isinstance(brand_id, uuid.UUID) else _uuid_or_none(str(brand_id))
    if as_id is None:
        return None
    return brand_list(owner).filter(id=as_id).first()


def brand_versions(brand: Brand) -> QuerySet[BrandVersion]:
    return BrandVersion.objects.filter(brand=brand).select_related("logo").order_by("-version")


def logo_store(clean: CleanLogo) -> BrandLogo:
    """The stored row of our re-encoded logo, shared by every version with the same bytes."""
    logo, _ = BrandLogo.objects.get_or_create(
        sha256=clean.sha256,
        defaults={
            "content_type": clean.content_type,
            "data": clean.data,
            "width": clean.width,
            "height": clean.height,
        },
    )
    return logo


def brand_create(owner: User, *, name: str, is_default: bool = False, **look: Any) -> Brand:
    """A new brand and its first version. ``look`` holds any of LOOK_FIELDS (``logo`` a CleanLogo or
    None); the rest take DEFAULT_LOOK."""
    with transaction.atomic():
        _lock_owner(owner)
        if Brand.objects.filter(owner=owner).count() >= MAX_BRANDS_PER_OWNER:
            raise BrandRefused("", f"You have {MAX_BRANDS_PER_OWNER} brands, the most an account may have.")
        _check_name_free(owner, name, None)
        if is_default:
            Brand.objects.filter(owner=owner, is_default=True).update(is_default=False)
        brand = Brand.objects.create(owner=owner, name=name, is_default=is_default)
        _new_version(brand, {**DEFAULT_LOOK, **look}, 1)
    return brand


def brand_update(brand: Brand, changes: dict[str, Any]) -> Brand:
    """Apply ``changes`` (name, is_default and LOOK_FIELDS; ``logo`` a CleanLogo or None). A change of the
    look makes a new version; the same look again, or a change of name or default alone, does not."""
    with transaction.atomic():
        _lock_owner(brand.owner)
        locked = Brand.objects.select_related("current__logo").get(pk=brand.pk)
        if "name" in changes and changes["name"] != locked.name:
            _check_name_free(locked.owner, changes["name"], locked.pk)
            locked.name = changes["name"]
        if changes.get("is_default") is True and not locked.is_default:
            Brand.objects.filter(owner=locked.owner, is_default=True).update(is_default=False)
        if "is_default" in changes:
            locked.is_default = changes["is_default"]
        locked.save(update_fields=["name", "is_default", "updated_at"])
        current = _look_of(locked.current)
        wanted = {**current, **{key: changes[key] for key in LOOK_FIELDS if key in changes}}
        wanted["logo"] = _logo_sha(wanted["logo"])
        if wanted != current:
            version = locked.current.version + 1 if locked.current is not None else 1
            kept_logo = locked.current.logo if locked.current is not None else None
            look = {**wanted, "logo": changes.get("logo", kept_logo)}
            _new_version(locked, look, version)
    return brand_list(brand.owner).get(pk=brand.pk)


def brand_delete(brand: Brand) -> None:
    """Delete an unused brand with its versions; BrandInUse when an invoice is rendered with one of them
    (those invoices keep their look for ever, so their version must stay)."""
    with transaction.atomic():
        locked = Brand.objects.select_for_update().get(pk=brand.pk)
        used = Invoice.objects.filter(brand_version__brand=locked).count()
        if used:
            raise BrandInUse(
                f"{used:,} issued invoice{'s are' if used != 1 else ' is'} rendered with this brand; they "
                "keep its look for ever, so it cannot be deleted. Rename it, or stop making it the default."
            )
        logos = set(
            BrandVersion.objects.filter(brand=locked, logo__isnull=False).values_list("logo", flat=True)
        )
        locked.current = None
        locked.save(update_fields=["current"])
        BrandVersion.objects.filter(brand=locked).delete()
        locked.delete()
        # A logo no other version shares goes with the brand.
        BrandLogo.objects.filter(sha256__in=logos).exclude(
            sha256__in=BrandVersion.objects.filter(logo__in=logos).values("logo")
        ).delete()


def _lock_owner(owner: User) -> None:
    # One brand write per account at a time: the count limit, the unique name and the single default are
    # checked and written without a race.
    User.objects.select_for_update().filter(pk=owner.pk).first()


def _check_name_free(owner: User, name: str, brand_id: uuid.UUID | None) -> None:
    taken = Brand.objects.filter(owner=owner, name=name)
    if brand_id is not None:
        taken = taken.exclude(pk=brand_id)
    if taken.exists():
        raise BrandRefused("name", f"You already have a brand named {name!r}.")


def _look_of(version: BrandVersion | None) -> dict[str, Any]:
    if version is None:
        return {**DEFAULT_LOOK}
    return {
        "layout": version.layout,
        "accent_color": version.accent_color,
        "font": version.font,
        "footer": version.footer,
        "logo": version.logo_id,
    }


def _logo_sha(logo: CleanLogo | BrandLogo | str | None) -> str | None:
    if isinstance(logo, CleanLogo | BrandLogo):
        return logo.sha256
    return logo


def _new_version(brand: Brand, look: dict[str, Any], number: int) -> BrandVersion:
    logo = look["logo"]
    if isinstance(logo, CleanLogo):
        logo = logo_store(logo)
    version = BrandVersion.objects.create(
        brand=brand,
        version=number,
        layout=look["layout"],
        layout_version=layout_version_of(look["layout"]),
        accent_color=look["accent_color"],
        font=look["font"],
        footer=look["footer"],
        logo=logo,
    )
    brand.current = version
    brand.save(update_fields=["current", "updated_at"])
    return version


# --- The preview: a fixed sample invoice with a brand's look ----------------------------------------------

PREVIEW_NUMBER = "PREVIEW-0001"
# Made up and fixed: a preview shows the look, never anyone's data.
PREVIEW_SAMPLE: dict[str, Any] = {
    "format": "pdf",
    "invoice": {
        "number": PREVIEW_NUMBER,
        "issue_date": "2026-01-15",
        "due_date": "2026-02-14",
        "currency": "EUR",
        "language": "en",
        "seller": {
            "name": "Your Company Ltd",
            "address": ["1 Sample Street", "10115 Berlin"],
            "country": "DE",
            "email": "billing@example.com",
        },
        "buyer": {
            "name": "Example Customer GmbH",
            "address": ["2 Example Road", "80331 Munich"],
            "country": "DE",
        },
        "lines": [
            {
                "description": "Design workshop (one day)",
                "quantity": "1",
                "unit_price": "900.00",
                "tax_rate": "19",
            },
            {
                "description": "Consulting, per hour",
                "quantity": "6",
                "unit_price": "120.00",
                "tax_rate": "19",
            },
            {"description": "Printed brochures", "quantity": "250", "unit_price": "0.80", "tax_rate": "7"},
        ],
        "notes": "This is a preview of your brand with a sample invoice.",
    },
}


def brand_preview(brand: Brand, layout: str | None = None) -> RenderedFile:
    """The sample invoice as a PDF with the brand's current look (or another ``layout``, unsaved)."""
    style = brand_style(brand.current_id)
    if layout:
        style = dataclasses.replace(style, layout=layout, layout_version=layout_version_of(layout))
    options, document = read_request(loads_document_json(json.dumps(PREVIEW_SAMPLE).encode()))
    return render(document, dataclasses.replace(options, format="pdf", style=style))
