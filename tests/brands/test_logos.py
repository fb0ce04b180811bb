"""invoices/logos.py, the pure function: bombs and traps refused with a reason a person understands, good
logos re-encoded by us with no metadata (docs/security.md case 19)."""

import io

import pytest
from lxml import etree  # type: ignore[import-untyped]
from PIL import Image

from invoices.logos import (
    JPEG,
    LOGO_FIT,
    LOGO_MAX_BYTES,
    PNG,
    SVG,
    LogoRefused,
    logo_sanitize,
)
from tests.brands.logo_files import (
    GOOD_SVG,
    SVG_TRAPS,
    jpeg_with_exif,
    jpeg_with_malicious_exif,
    png_header_only,
    png_image,
    png_with_huge_ztxt,
    png_with_metadata,
)

pytestmark = pytest.mark.security


def refusal(data: bytes) -> str:
    with pytest.raises(LogoRefused) as refused:
        logo_sanitize(data)
    return refused.value.message


def test_a_50000_by_50000_png_is_refused_from_its_header():
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 1_000  # a few hundred bytes claiming 2.5 billion pixels

    assert refusal(bomb) == (
        "The image is 50,000 x 50,000 pixels; at most 4,000 a side and 4,000,000 pixels in all are accepted."
    )


@pytest.mark.parametrize(("width", "height"), [(4_001, 10), (10, 4_001), (2_001, 2_000)])
def test_a_side_over_4000_or_more_than_4_million_pixels_is_refused(width, height):
    assert "pixels" in refusal(png_header_only(width, height))


def test_a_png_with_a_huge_ztxt_chunk_is_refused_before_it_is_inflated():
    assert refusal(png_with_huge_ztxt()) == (
        "The PNG carries more than 65,536 bytes of text metadata (tEXt, zTXt or iTXt chunks); a logo may "
        "not. Save it again without metadata."
    )


def test_a_jpeg_with_a_malicious_exif_is_refused():
    message = refusal(jpeg_with_malicious_exif())

    assert message.startswith("The JPEG's EXIF metadata is malformed")


def test_more_than_1_mb_is_refused_before_anything_is_read():
    assert refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * LOGO_MAX_BYTES) == (
        f"The logo is {LOGO_MAX_BYTES + 8:,} bytes; at most 1,048,576 (1 MB) are accepted."
    )


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00\x01\x00", b"%PDF-1.7", b"just text", b"\x00\x01\x02"],
    ids=["gif", "pdf", "text", "binary"],
)
def test_anything_but_png_jpeg_or_svg_is_refused_by_its_bytes(data):
    assert refusal(data) == "The logo must be a PNG, JPEG or SVG image; these bytes are none of them."


def test_a_truncated_png_is_refused():
    assert refusal(png_image()[:60]).startswith("The PNG is truncated")


@pytest.mark.parametrize("trap", sorted(SVG_TRAPS))
def test_svg_traps_are_refused_with_their_reason(trap):
    svg, message = SVG_TRAPS[trap]

    assert refusal(svg.encode()) == message


def test_a_transparent_png_is_re_encoded_as_png_without_metadata():
    clean = logo_sanitize(png_with_metadata())

    assert clean.content_type == PNG
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "PNG"
    assert image.size == (200, 80)
    assert set(image.info) <= {"dpi"}  # no text, no icc_profile, no exif
    assert not image.getexif()
    for leftover in (b"Secret", b"iCCP", b"tEXt", b"eXIf"):
        assert leftover not in clean.data


def test_a_jpeg_loses_its_exif_after_its_orientation_is_applied_and_is_fitted():
    upload = jpeg_with_exif(1_600, 800, orientation=6)  # to be turned a quarter: 800 x 1,600 upright
    clean = logo_sanitize(upload)

    image = Image.open(io.BytesIO(clean.data))
    assert clean.content_type == JPEG
    assert image.format == "JPEG"
    assert image.size == (clean.width, clean.height) == (600, LOGO_FIT)
    assert not image.getexif()
    assert "exif" not in image.info
    assert "icc_profile" not in image.info
    assert b"SecretCam" not in clean.data
    # JFIF only: no EXIF, XMP or ICC segment.
    assert [marker for marker, _ in image.applist] == ["APP0"]  # type: ignore[attr-defined]


def test_an_opaque_flat_image_is_stored_as_png_when_that_is_smaller():
    clean = logo_sanitize(png_image(400, 100, mode="RGB"))

    assert clean.content_type == PNG
    assert Image.open(io.BytesIO(clean.data)).size == (400, 100)


def test_the_same_logo_gives_the_same_bytes_and_hash():
    first, second = logo_sanitize(png_image()), logo_sanitize(png_image())

    assert first.data == second.data
    assert first.sha256 == second.sha256


def test_a_good_svg_is_rewritten_from_the_whitelist_and_drawn():
    clean = logo_sanitize(GOOD_SVG)

    assert clean.content_type == SVG
    root = etree.fromstring(clean.data)
    names = {etree.QName(element).localname for element in root.iter()}
    assert names == {"svg", "defs", "linearGradient", "stop", "rect", "circle", "text"}  # no metadata
    assert (clean.width, clean.height) == (200, 100)
    assert root.get("viewBox") == "0 0 200 100"
    assert b"editor" not in clean.data


def test_a_huge_svg_canvas_is_drawn_smaller():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 50000 25000"><rect width="1" height="1"/>'
    svg += b"</svg>"
    clean = logo_sanitize(svg)

    assert (clean.width, clean.height) == (LOGO_FIT, LOGO_FIT // 2)


def test_an_svg_without_a_size_or_not_an_svg_is_refused():
    assert refusal(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>') == (
        "The SVG has no size: give it a viewBox, or a width and a height."
    )
    assert (
        refusal(b"<html><body/></html>")
        == "The file is XML but not an SVG image (its root element is not <svg>)."
    )
    assert refusal(b"<svg").startswith("The SVG is not well-formed XML")


@pytest.mark.parametrize(
    ("mode", "kind", "stored"),
    [("I;16", "PNG", PNG), ("LA", "PNG", PNG), ("P", "PNG", PNG), ("1", "PNG", PNG), ("CMYK", "JPEG", PNG)],
)
def test_other_pixel_formats_are_re_encoded_too(mode, kind, stored):
    out = io.BytesIO()
    Image.new(mode, (40, 20)).save(out, kind)

    clean = logo_sanitize(out.getvalue())

    assert (clean.content_type, clean.width, clean.height) == (stored, 40, 20)
    assert Image.open(io.BytesIO(clean.data)).mode in ("RGB", "RGBA", "L", "P", "1")
