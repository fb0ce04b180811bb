"""The admin's brands: the list with owner, default, version, layout and a thumbnail that runs no code;
versions read-only; adding and changing go through the services and the logo sanitizing; a brand an
invoice uses cannot be deleted."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoices import branding
from invoices.logos import logo_sanitize
from invoices.models import Brand, BrandVersion
from tests.brands.conftest import upload
from tests.brands.logo_files import GOOD_SVG, SVG_TRAPS, png_image, png_with_metadata

ADMIN = "/admin/invoices/brand/"


@pytest.fixture
def staff(client, make_user):
    client.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    return client


def form(owner, name="Nuage", **fields):
    return {
        "owner": owner.pk,
        "name": name,
        "layout": "classic",
        "accent_color": "#1F4E79",
        "font": "sans",
        "footer": "",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        **fields,
    }


@pytest.mark.security
def test_the_list_shows_owner_default_version_layout_and_an_inert_thumbnail(staff, owner):
    brand = branding.brand_create(
        owner, name="Nuage", is_default=True, layout="modern", logo=logo_sanitize(GOOD_SVG)
    )
    branding.brand_update(brand, {"font": "serif"})

    page = staff.get(ADMIN).content.decode()

    row = page.split("<tbody>")[1]
    assert "Nuage" in row
    assert owner.email in row
    assert '<td class="field-current_version">2</td>' in row
    assert '<td class="field-layout">modern</td>' in row
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="logo"', row)
    assert "<script" not in row


@pytest.mark.security
def test_adding_a_brand_in_the_admin_sanitizes_the_logo_and_makes_a_version(staff, owner):
    logo = SimpleUploadedFile("logo.png", png_with_metadata(), content_type="image/png")

    response = staff.post(f"{ADMIN}add/", form(owner, is_default="on", logo=logo))

    assert response.status_code == 302, response.content.decode()[:3000]
    brand = Brand.objects.get(owner=owner)
    assert brand.is_default
    assert brand.current is not None
    assert brand.current.version == 1
    assert brand.current.accent_color == "#1f4e79"
    assert brand.current.logo is not None
    assert bytes(brand.current.logo.data) == logo_sanitize(png_with_metadata()).data  # ours, not the upload


@pytest.mark.security
def test_a_trap_uploaded_in_the_admin_is_refused_with_its_reason(staff, owner):
    svg, message = SVG_TRAPS["script"]
    logo = SimpleUploadedFile("logo.svg", svg.encode(), content_type="image/svg+xml")

    response = staff.post(f"{ADMIN}add/", form(owner, logo=logo))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Brand.objects.exists()


def test_changing_a_brand_in_the_admin_makes_a_new_version_and_keeps_the_old(staff, owner):
    brand = branding.brand_create(owner, name="Nuage", logo=logo_sanitize(png_image()))
    first = brand.current
    assert first is not None

    response = staff.post(
        f"{ADMIN}{brand.pk}/change/",
        form(owner, "Nuage", layout="compact", accent_color="#000000", remove_logo="on"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    brand.refresh_from_db()
    assert brand.current is not None
    assert (brand.current.version, brand.current.layout, brand.current.logo) == (2, "compact", None)
    assert BrandVersion.objects.get(pk=first.pk).layout == "classic"


def test_a_brand_an_invoice_uses_cannot_be_deleted_in_the_admin(staff, owner, client_for):
    branding.brand_create(owner, name="Used")
    unused = branding.brand_create(owner, name="Unused")
    assert upload(client_for(owner), "INV-1", brand="Used").status_code == 202
    used = Brand.objects.get(name="Used")

    refused = staff.post(f"{ADMIN}{used.pk}/delete/", {"post": "yes"})
    deleted = staff.post(f"{ADMIN}{unused.pk}/delete/", {"post": "yes"})

    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert list(Brand.objects.values_list("name", flat=True)) == ["Used"]
