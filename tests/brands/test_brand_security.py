"""Brands are their owner's only, and no logo bomb or trap gets in (docs/security.md cases 19 and 34):
another account's brand is the 404 of a made-up id on every route and method, before any body is read;
an upload naming another account's brand gets the error of an unknown one; each bomb and trap sent
through the API is a 400 on `logo` with its reason, and nothing is stored."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoices.models import Brand, BrandLogo, BrandVersion, Invoice
from tests.brands.conftest import BRANDS, b64, make_brand, post_json, upload
from tests.brands.logo_files import (
    SVG_TRAPS,
    jpeg_with_malicious_exif,
    png_header_only,
    png_image,
    png_with_huge_ztxt,
)

pytestmark = pytest.mark.security

READS = ["{base}{id}/", "{base}{id}/versions/", "{base}{id}/logo/", "{base}{id}/preview/"]


@pytest.fixture
def theirs(auth):
    """The owner's brand, with a logo, that mallory will try to reach."""
    return make_brand(auth, "Owner's brand", logo=b64(png_image()))


@pytest.mark.parametrize("route", READS)
def test_another_accounts_brand_is_the_404_of_a_made_up_id(mallory, theirs, route):
    other = mallory.get(route.format(base=BRANDS, id=theirs["id"]))
    made_up = mallory.get(route.format(base=BRANDS, id=uuid.uuid4()))

    assert other.status_code == made_up.status_code == 404
    assert other.content == made_up.content


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize("body", [{"name": "Taken over", "accent_color": "#ff0000"}, {"name": ""}, [1]])
def test_another_accounts_brand_cannot_be_changed_or_deleted_whatever_the_body(mallory, theirs, method, body):
    before = list(BrandVersion.objects.values_list("id", "accent_color"))

    other = getattr(mallory, method)(
        f"{BRANDS}{theirs['id']}/", data=json.dumps(body), content_type="application/json"
    )
    made_up = getattr(mallory, method)(
        f"{BRANDS}{uuid.uuid4()}/", data=json.dumps(body), content_type="application/json"
    )

    assert other.status_code == made_up.status_code == 404
    assert other.content == made_up.content
    brand = Brand.objects.get(id=theirs["id"])
    assert brand.name == "Owner's brand"
    assert list(BrandVersion.objects.values_list("id", "accent_color")) == before


def test_the_list_shows_only_ones_own_brands(auth, mallory, theirs):
    mine = make_brand(mallory, "Mallory's")

    assert [brand["id"] for brand in mallory.get(BRANDS).json()] == [mine["id"]]
    assert [brand["id"] for brand in auth.get(BRANDS).json()] == [theirs["id"]]


def test_an_upload_naming_another_accounts_brand_is_the_400_of_an_unknown_one(mallory, theirs):
    by_id = upload(mallory, "M-1", brand=theirs["id"])
    by_name = upload(mallory, "M-2", brand="Owner's brand")
    made_up = upload(mallory, "M-3", brand="No such brand")

    assert by_id.status_code == by_name.status_code == made_up.status_code == 400
    assert by_id.json()["error"]["fields"] == {
        "brand": [f"You have no brand {theirs['id']!r} (give its id or name)."]
    }
    assert by_name.json()["error"]["fields"] == {
        "brand": ['You have no brand "Owner\'s brand" (give its id or name).']
    }
    assert made_up.json()["error"]["fields"] == {
        "brand": ["You have no brand 'No such brand' (give its id or name)."]
    }
    assert not Invoice.objects.exists()


def test_a_default_brand_of_another_account_is_never_used(auth, mallory):
    make_brand(auth, "Owner's default", is_default=True)

    assert upload(mallory, "M-1").status_code == 202

    assert Invoice.objects.get(number="M-1").brand_version is None


# --- Bombs and traps through the API -------------------------------------------------------------------


BOMBS = {
    "png 50000 x 50000": (
        png_header_only(50_000, 50_000),
        "The image is 50,000 x 50,000 pixels; at most 4,000 a side and 4,000,000 pixels in all are accepted.",
    ),
    "png huge zTXt": (
        png_with_huge_ztxt(),
        "The PNG carries more than 65,536 bytes of text metadata (tEXt, zTXt or iTXt chunks); a logo may "
        "not. Save it again without metadata.",
    ),
    "jpeg malicious exif": (
        jpeg_with_malicious_exif(),
        "The JPEG's EXIF metadata is malformed (an offset points outside the block).",
    ),
    **{f"svg {name}": (svg.encode(), message) for name, (svg, message) in SVG_TRAPS.items()},
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_logo_bombs_and_traps_are_a_clear_400_as_a_file_or_as_base64_and_nothing_is_stored(auth, bomb):
    data, message = BOMBS[bomb]
    as_file = SimpleUploadedFile("logo.png", data, content_type="image/png")

    multipart = auth.post(BRANDS, {"name": "Bombed", "logo": as_file}, format="multipart")
    as_json = post_json(auth, {"name": "Bombed", "logo": b64(data)})

    for answer in (multipart, as_json):
        assert answer.status_code == 400, answer.content
        assert answer.json()["error"]["fields"] == {"logo": [message]}
    assert not Brand.objects.exists()
    assert not BrandLogo.objects.exists()


def test_a_bomb_sent_as_a_change_leaves_the_brand_as_it_was(auth, theirs):
    data, message = BOMBS["svg script"]

    answer = auth.patch(
        f"{BRANDS}{theirs['id']}/", data=json.dumps({"logo": b64(data)}), content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"logo": [message]}
    assert BrandVersion.objects.filter(brand_id=theirs["id"]).count() == 1
    assert BrandLogo.objects.get().sha256 == theirs["logo"]["sha256"]
