"""The brand API: create, list, get, change, replace, delete, versions, defaults, limits and errors, and
the brand an upload is issued with."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader
from rest_framework.throttling import ScopedRateThrottle

from invoices import branding
from invoices.branding import MAX_BRANDS_PER_OWNER
from invoices.models import Brand, BrandLogo, BrandVersion, Invoice
from invoices.renderers import layouts
from tests.brands.conftest import BRANDS, b64, make_brand, patch_json, post_json, put_json, upload
from tests.brands.logo_files import GOOD_SVG, png_image, png_with_metadata

LAYOUTS = "classic, modern, compact"

COLOUR = 'A colour as "#rrggbb", such as "#1f4e79".'
NOT_A_FILE = "Expected an image file (multipart) or its bytes as a base64 string."
UNKNOWN = "Unknown field. Allowed here: name, is_default, layout, accent_color, font, footer, logo."


def current_of(brand_id: str) -> BrandVersion:
    current = Brand.objects.get(id=brand_id).current
    assert current is not None
    return current


def test_a_brand_is_made_with_its_defaults_and_a_first_version(auth, owner):
    response = post_json(auth, {"name": "  Nuage  "})

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["links"]["self"]
    assert {key: body[key] for key in ("name", "is_default", "layout", "accent_color", "font", "footer")} == {
        "name": "Nuage",
        "is_default": False,
        "layout": "classic",
        "accent_color": "#1f4e79",
        "font": "sans",
        "footer": "",
    }
    assert body["logo"] is None
    assert body["version"] == 1
    brand = Brand.objects.get(id=body["id"], owner=owner)
    assert brand.current is not None
    assert brand.current.version == 1
    assert brand.current.layout_version == layouts.CURRENT["classic"]


def test_every_field_is_stored_and_shown(auth):
    body = make_brand(
        auth,
        layout="modern",
        accent_color="#A1B2C3",
        font="serif",
        footer="Nuage SAS\nIBAN FR76 3000 6000 0112 3456 7890 189",
        logo=b64(png_image()),
    )

    assert body["accent_color"] == "#a1b2c3"  # stored lower case
    assert (body["layout"], body["font"]) == ("modern", "serif")
    assert body["footer"] == "Nuage SAS\nIBAN FR76 3000 6000 0112 3456 7890 189"
    assert body["logo"]["content_type"] == "image/png"
    assert (body["logo"]["width"], body["logo"]["height"]) == (300, 100)
    assert body["logo"]["url"].endswith(f"/api/brands/{body['id']}/logo/")
    assert auth.get(BRANDS).json() == [body]
    assert auth.get(f"{BRANDS}{body['id']}/").json() == body


@pytest.mark.security
def test_a_logo_uploaded_as_a_multipart_file_is_stored_as_we_re_encoded_it(auth):
    upload_file = SimpleUploadedFile("logo.svg", png_with_metadata(), content_type="image/svg+xml")
    response = auth.post(
        BRANDS, {"name": "Nuage", "is_default": "true", "logo": upload_file}, format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_default"] is True
    assert body["logo"]["content_type"] == "image/png"  # from the bytes, not the name or the client's type
    logo = auth.get(body["logo"]["url"])
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo["Content-Security-Policy"]
    stored = BrandLogo.objects.get(sha256=body["logo"]["sha256"])
    assert logo.content == bytes(stored.data)
    assert Image.open(io.BytesIO(logo.content)).info.keys() <= {"dpi"}
    assert b"Secret" not in logo.content


def test_a_field_sent_twice_in_a_multipart_form_is_refused_and_nothing_made(auth):
    # Django's test client sends a list as the field repeated: two logo files, two names.
    first, second = (
        SimpleUploadedFile(f"logo{n}.png", png_image(), content_type="image/png") for n in (1, 2)
    )
    response = auth.post(BRANDS, {"name": ["Nuage", "Brume"], "logo": [first, second]}, format="multipart")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        "name": ["Given 2 times; send it once."],
        "logo": ["Given 2 times; send it once."],
    }
    assert not Brand.objects.exists()


@pytest.mark.security
def test_an_svg_logo_is_served_as_an_attachment_in_a_sandbox(auth):
    body = make_brand(auth, logo=b64(GOOD_SVG))

    logo = auth.get(body["logo"]["url"])

    assert logo["Content-Type"] == "image/svg+xml"
    assert logo["Content-Disposition"] == 'attachment; filename="logo.svg"'
    assert logo["Content-Security-Policy"].endswith("sandbox")
    assert logo["X-Content-Type-Options"] == "nosniff"


def test_a_brand_without_a_logo_has_no_logo_to_get(auth):
    body = make_brand(auth)

    response = auth.get(f"{BRANDS}{body['id']}/logo/")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "This brand has no logo."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": ""}, "name", "This field may not be blank."),
        ({"name": "   "}, "name", "Must not be blank."),
        ({"name": "x" * 101}, "name", "At most 100 characters are allowed (got 101)."),
        ({"name": "a\nb"}, "name", "Must be a single line (no line breaks or tabs)."),
        ({"name": "N", "accent_color": "red"}, "accent_color", COLOUR),
        ({"name": "N", "accent_color": "#12345"}, "accent_color", COLOUR),
        ({"name": "N", "layout": "fancy"}, "layout", f"Unknown value 'fancy'; allowed: {LAYOUTS}."),
        ({"name": "N", "font": "comic"}, "font", "Unknown value 'comic'; allowed: sans, serif, condensed."),
        ({"name": "N", "footer": "1\n2\n3\n4"}, "footer", "At most 3 lines are allowed (got 4)."),
        ({"name": "N", "footer": "x" * 301}, "footer", "At most 300 characters are allowed (got 301)."),
        ({"name": "N", "footer": "bell\x07"}, "footer", "Contains the control character U+0007."),
        ({"name": "N", "logo": "not base64!"}, "logo", "The logo is not valid base64."),
        ({"name": "N", "logo": 12}, "logo", NOT_A_FILE),
        ({"name": "N", "colour": "#000000"}, "colour", UNKNOWN),
        ({}, "name", "This field is required."),
    ],
)  # fmt: skip
def test_bad_fields_are_400_naming_the_field_and_nothing_is_stored(auth, body, field, message):
    response = post_json(auth, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {field: [message]}
    assert not Brand.objects.exists()


def test_a_duplicate_name_is_400_on_name(auth):
    make_brand(auth, "Nuage")

    response = post_json(auth, {"name": "Nuage"})
    other = make_brand(auth, "Other")
    renamed = patch_json(auth, other["id"], {"name": "Nuage"})

    for answer in (response, renamed):
        assert answer.status_code == 400
        assert answer.json()["error"]["fields"] == {"name": ["You already have a brand named 'Nuage'."]}


def test_another_account_may_use_the_same_name(auth, mallory):
    make_brand(auth, "Nuage")

    assert post_json(mallory, {"name": "Nuage"}).status_code == 201


def test_setting_a_default_unsets_the_other(auth, owner):
    first = make_brand(auth, "First", is_default=True)
    second = make_brand(auth, "Second", is_default=True)

    assert Brand.objects.get(id=first["id"]).is_default is False
    assert Brand.objects.get(id=second["id"]).is_default is True
    assert patch_json(auth, first["id"], {"is_default": True}).json()["is_default"] is True
    assert list(Brand.objects.filter(owner=owner, is_default=True).values_list("name", flat=True)) == [
        "First"
    ]


def test_a_change_of_the_look_makes_a_new_version_and_name_or_default_alone_does_not(auth):
    brand = make_brand(auth, accent_color="#000000")

    renamed = patch_json(auth, brand["id"], {"name": "Renamed", "is_default": True}).json()
    same = patch_json(auth, brand["id"], {"accent_color": "#000000", "font": "sans"}).json()
    changed = patch_json(auth, brand["id"], {"accent_color": "#FF0000", "footer": "Thanks!"}).json()
    with_logo = patch_json(auth, brand["id"], {"logo": b64(png_image())}).json()
    without = patch_json(auth, brand["id"], {"logo": None}).json()

    assert [renamed["version"], same["version"], changed["version"]] == [1, 1, 2]
    assert (changed["accent_color"], changed["footer"], changed["name"]) == ("#ff0000", "Thanks!", "Renamed")
    assert (with_logo["version"], without["version"], without["logo"]) == (3, 4, None)
    versions = auth.get(f"{BRANDS}{brand['id']}/versions/").json()
    assert versions["count"] == 4
    assert [v["version"] for v in versions["results"]] == [4, 3, 2, 1]  # newest first
    assert versions["results"][1]["logo"]["sha256"] == with_logo["logo"]["sha256"]
    assert [v["accent_color"] for v in versions["results"]] == ["#ff0000", "#ff0000", "#ff0000", "#000000"]
    assert all(v["layout_version"] == layouts.CURRENT[v["layout"]] for v in versions["results"])


def test_versions_share_one_stored_logo(auth):
    brand = make_brand(auth, logo=b64(png_image()))

    patch_json(auth, brand["id"], {"font": "serif"})

    assert BrandVersion.objects.filter(brand_id=brand["id"]).values("logo").distinct().count() == 1
    assert BrandLogo.objects.count() == 1


def test_put_replaces_every_field_and_takes_defaults_for_the_rest(auth):
    brand = make_brand(auth, is_default=True, layout="compact", font="condensed", logo=b64(png_image()))

    response = put_json(auth, brand["id"], {"name": "Plain", "accent_color": "#123456"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["is_default"], body["layout"], body["font"]) == (
        "Plain",
        False,
        "classic",
        "sans",
    )
    assert (body["accent_color"], body["logo"], body["version"]) == ("#123456", None, 2)
    assert put_json(auth, brand["id"], {"layout": "modern"}).json()["error"]["fields"] == {
        "name": ["This field is required."]
    }


def test_at_most_50_brands_an_account(auth, owner):
    for index in range(MAX_BRANDS_PER_OWNER):
        branding.brand_create(owner, name=f"Brand {index}")

    response = post_json(auth, {"name": "One too many"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "You have 50 brands, the most an account may have."
    assert Brand.objects.filter(owner=owner).count() == MAX_BRANDS_PER_OWNER


def test_an_unused_brand_is_deleted_with_its_versions_and_logo(auth):
    brand = make_brand(auth, logo=b64(png_image()))
    patch_json(auth, brand["id"], {"font": "serif"})

    response = auth.delete(f"{BRANDS}{brand['id']}/")

    assert response.status_code == 204
    assert not Brand.objects.exists()
    assert not BrandVersion.objects.exists()
    assert not BrandLogo.objects.exists()
    assert auth.get(f"{BRANDS}{brand['id']}/").status_code == 404


def test_a_brand_an_invoice_uses_cannot_be_deleted(auth):
    brand = make_brand(auth, "Nuage")
    assert upload(auth, "INV-1", brand="Nuage").status_code == 202

    response = auth.delete(f"{BRANDS}{brand['id']}/")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "brand_in_use",
        "message": "1 issued invoice is rendered with this brand; they keep its look for ever, so it cannot "
        "be deleted. Rename it, or stop making it the default.",
    }
    assert Brand.objects.filter(id=brand["id"]).exists()


def test_a_body_over_the_limit_is_413(auth):
    huge = "A" * (2 * 1_048_576 + 10)

    response = post_json(auth, {"name": "Nuage", "logo": huge})

    assert response.status_code == 413
    assert not Brand.objects.exists()


# --- The brand an upload is issued with --------------------------------------------------------------------


def test_an_upload_naming_a_brand_by_name_or_id_is_issued_with_its_current_version(auth):
    first = make_brand(auth, "First")
    second = make_brand(auth, "Second", layout="modern")

    by_name = upload(auth, "INV-1", brand="First")
    by_id = upload(auth, "INV-2", brand=second["id"])

    assert by_name.status_code == by_id.status_code == 202
    assert Invoice.objects.get(number="INV-1").brand_version == Brand.objects.get(id=first["id"]).current
    assert Invoice.objects.get(number="INV-2").brand_version == Brand.objects.get(id=second["id"]).current


def test_an_upload_naming_no_brand_uses_the_default_or_none(auth):
    assert upload(auth, "INV-0").status_code == 202
    make_brand(auth, "Other")
    default = make_brand(auth, "Default", is_default=True)

    assert upload(auth, "INV-1").status_code == 202

    assert Invoice.objects.get(number="INV-0").brand_version is None
    assert Invoice.objects.get(number="INV-1").brand_version == Brand.objects.get(id=default["id"]).current


@pytest.mark.security
def test_changing_a_brand_after_an_upload_leaves_the_invoice_with_its_version(auth):
    brand = make_brand(auth, "Nuage", accent_color="#000000")
    upload(auth, "INV-1", brand="Nuage")
    issued_with = Invoice.objects.get(number="INV-1").brand_version

    patch_json(auth, brand["id"], {"accent_color": "#ff0000", "layout": "compact", "logo": b64(png_image())})

    invoice = Invoice.objects.get(number="INV-1")
    version = invoice.brand_version
    assert version is not None
    assert version == issued_with
    assert (version.version, version.accent_color, version.layout, version.logo) == (
        1,
        "#000000",
        "classic",
        None,
    )
    assert branding.brand_style(invoice.brand_version_id).accent_color == "#000000"
    assert current_of(brand["id"]).version == 2


# --- The preview -------------------------------------------------------------------------------------------


def test_the_preview_is_a_pdf_of_the_sample_invoice(auth):
    brand = make_brand(auth, logo=b64(png_image()), footer="Nuage SAS")

    response = auth.get(f"{BRANDS}{brand['id']}/preview/")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) >= 1
    text = pdf.pages[0].extract_text()
    assert branding.PREVIEW_NUMBER in text
    assert "Example Customer GmbH" in text


def test_the_preview_takes_another_layout_and_refuses_an_unknown_one(auth):
    brand = make_brand(auth)

    other = auth.get(f"{BRANDS}{brand['id']}/preview/?layout=compact")
    bad = auth.get(f"{BRANDS}{brand['id']}/preview/?layout=fancy")

    assert other.status_code == 200
    assert other.content.startswith(b"%PDF")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {
        "layout": ["Unknown value 'fancy'; allowed: classic, modern, compact."]
    }
    assert current_of(brand["id"]).layout == "classic"  # nothing saved


@pytest.mark.security
def test_the_preview_is_throttled_per_account(auth, mallory, monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "brand_preview": "1/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    brand, theirs = make_brand(auth), make_brand(mallory)

    first = auth.get(f"{BRANDS}{brand['id']}/preview/")
    second = auth.get(f"{BRANDS}{brand['id']}/preview/")
    another_account = mallory.get(f"{BRANDS}{theirs['id']}/preview/")
    cache.clear()

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "throttled"
    assert int(second["Retry-After"]) > 0
    assert another_account.status_code == 200  # per account


@pytest.mark.parametrize("body", ["0", "[]", '"name"'])
def test_a_body_that_is_not_an_object_is_a_400_not_a_500(auth, body):
    brand = auth.post(BRANDS, {"name": "N"}, format="json").json()

    made = auth.post(BRANDS, data=body, content_type="application/json")
    changed = auth.patch(f"{BRANDS}{brand['id']}/", data=body, content_type="application/json")

    for response in (made, changed):
        assert response.status_code == 400
        assert response.json()["error"] == {
            "code": "invalid",
            "message": "Expected a JSON object or a multipart form.",
        }
