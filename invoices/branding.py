"""Brands: which brand version an upload is issued with, and its look for the renderer.

An invoice is rendered with the brand version of the moment it was issued (``Invoice.brand_version``), for
ever: a brand changed later makes a new version and leaves issued invoices as they were.
"""

import uuid

from accounts.models import User
from invoices.document import DocumentInvalid
from invoices.document.model import DEFAULT_STYLE, BrandStyle
from invoices.models import Brand, BrandVersion

BRAND_PATH = "brand"


def brand_version_for_upload(owner: User, reference: str) -> BrandVersion | None:
    """The version an upload is issued with: the current version of the brand it names (by id or name),
    else of the account's default brand, else None (the service's own look). DocumentInvalid on ``brand``
    for a brand the owner does not have (another account's brand reads as unknown)."""
    brands = Brand.objects.filter(owner=owner)
    if reference:
        as_id = _uuid_or_none(reference)
        brand = brands.filter(id=as_id).first() if as_id is not None else None
        brand = brand or brands.filter(name=reference).first()
        if brand is None:
            raise DocumentInvalid({BRAND_PATH: [f"You have no brand {reference!r} (give its id or name)."]})
    else:
        brand = brands.filter(is_default=True).first()
        if brand is None:
            return None
    return brand.current


def brand_style(version_id: uuid.UUID | None) -> BrandStyle:
    """The look of ``version_id`` for the renderer (DEFAULT_STYLE for None)."""
    if version_id is None:
        return DEFAULT_STYLE
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
