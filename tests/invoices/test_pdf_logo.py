"""The renderer's logo gate (docs/security.md): a logo reaches no network and no file, whatever it holds.

The brands' logo sanitizing rewrites an SVG from a whitelist before it is stored; these tests put hostile
logos straight into a BrandStyle, past it, as the renderer's own gate must stand alone. The evidence is
collected outside the renderer: a real listener on loopback and Python's audit hook for every file open and
socket connect during the render (the one test_pdf_security.py installs).
"""

import dataclasses
import io
from typing import Any

import pytest
from PIL import Image, ImageFile
from reportlab.pdfgen.canvas import Canvas

from invoices.renderers import RenderRefused
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_logo import _draw_raster, _safe_svg_root, decoded_logo
from invoices.renderers.pdf_resources import MAX_IMAGE_PIXELS
from tests.invoices.brand_looks import SVG_COLOUR, SVG_LOGO, jpeg_logo, png_logo, style
from tests.invoices.pdf_tools import build, colour_pixels, page_image
from tests.invoices.test_pdf_security import _AUDIT
from tests.payloads import sample_payload

pytestmark = pytest.mark.security

SVG_HEAD = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
SVG_HEAD += b'width="300" height="100" viewBox="0 0 300 100">'
VISIBLE = b'<rect x="0" y="0" width="300" height="100" fill="#00a651"/>'
# A 1 x 1 PNG as a data: URI, which svglib would decode itself, past the renderer's pixel bound.
DATA_PNG = (
    b"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJ"
    b"RU5ErkJggg=="
)
LAUGHS = b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def hostile_svgs(port: int, outside: str) -> dict[str, bytes]:
    """SVG logos that would fetch or read something, each with a visible green rectangle besides."""
    url = f"http://127.0.0.1:{port}".encode()
    return {
        "image-http": SVG_HEAD + VISIBLE + b'<image href="' + url + b'/x" width="10" height="10"/></svg>',
        "image-file": SVG_HEAD
        + VISIBLE
        + b'<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>',
        "image-data": SVG_HEAD + VISIBLE + b'<image href="' + DATA_PNG + b'" width="10" height="10"/></svg>',
        "use-external": SVG_HEAD + VISIBLE + b'<use xlink:href="' + outside.encode() + b'#a"/></svg>',
        "use-relative": SVG_HEAD + VISIBLE + b'<use href="evil.svg#a"/></svg>',
        "use-http": SVG_HEAD + VISIBLE + b'<use href="' + url + b'/use.svg#a"/></svg>',
        "css-import": SVG_HEAD
        + b"<style>@import url("
        + url
        + b"/css); rect { fill: url("
        + url
        + b"/f) }</style>"
        + VISIBLE
        + b"</svg>",
        "css-attribute": SVG_HEAD
        + b'<rect x="0" y="0" width="300" height="100" fill="#00a651" style="fill: url('
        + url
        + b'/s)"/></svg>',
        "fill-url": SVG_HEAD
        + VISIBLE
        + b'<rect x="0" y="0" width="30" height="30" fill="url('
        + url
        + b'/p)"/></svg>',
        "script": SVG_HEAD + VISIBLE + b"<script>fetch('" + url + b"/js')</script></svg>",
        "foreign-object": SVG_HEAD
        + VISIBLE
        + b'<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="'
        + url
        + b'/f"/></foreignObject></svg>',
    }


def refused_svgs(port: int) -> dict[str, bytes]:
    """SVG logos the renderer refuses outright: entities and DTDs, whatever they would reach."""
    url = f"http://127.0.0.1:{port}".encode()
    return {
        "entity-file": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + SVG_HEAD
        + VISIBLE
        + b"<text>&xxe;</text></svg>",
        "entity-http": b'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "'
        + url
        + b'/e">]>'
        + SVG_HEAD
        + b"<text>&xxe;</text></svg>",
        "external-dtd": b'<!DOCTYPE svg SYSTEM "' + url + b'/dtd">' + SVG_HEAD + VISIBLE + b"</svg>",
        "billion-laughs": LAUGHS + SVG_HEAD + b"<text>&b;&b;&b;</text></svg>",
    }


def render_with_logo(data: bytes, kind: str = "image/svg+xml") -> bytes:
    options, document = build(sample_payload())
    look = dataclasses.replace(style("classic"), logo=data, logo_content_type=kind)
    return render_pdf(document, dataclasses.replace(options, style=look)).content


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Fonts, templates and the logo's libraries are read once per process, before anything is recorded."""
    render_with_logo(SVG_LOGO)


@pytest.mark.parametrize(
    "name",
    [
        "image-http",
        "image-file",
        "image-data",
        "use-external",
        "use-relative",
        "use-http",
        "css-import",
        "css-attribute",
        "fill-url",
        "script",
        "foreign-object",
    ],
)
def test_a_hostile_svg_logo_is_drawn_without_its_references(listener, tmp_path, name):
    port, connections = listener
    outside = tmp_path / "evil.svg"
    outside.write_bytes(SVG_HEAD + b'<g id="a"><rect width="300" height="100" fill="#ff0000"/></g></svg>')
    with _AUDIT.recording() as events:
        pdf = render_with_logo(hostile_svgs(port, str(outside))[name])
    assert events == []
    assert connections == []
    image = page_image(pdf)
    assert colour_pixels(image, SVG_COLOUR, (0, 0, 0.5, 0.16)) > 150  # the rest of the logo is drawn
    assert colour_pixels(image, (255, 0, 0)) == 0  # the external file's red never is


@pytest.mark.parametrize("name", ["entity-file", "entity-http", "external-dtd", "billion-laughs"])
def test_an_svg_logo_with_entities_or_a_dtd_fails_the_render_with_the_reason(listener, name):
    port, connections = listener
    with _AUDIT.recording() as events, pytest.raises(RenderRefused, match="DTD or entities"):
        render_with_logo(refused_svgs(port)[name])
    assert events == []
    assert connections == []


def test_the_svg_gate_keeps_local_references_and_drops_every_other():
    root = _safe_svg_root(
        SVG_HEAD
        + b'<defs><linearGradient id="g"/></defs><rect fill="url(#g)" style="fill: url(#g)"/>'
        + b'<use href="#g"/><use href="x.svg#g"/><a href="http://example.com/"><rect/></a></svg>'
    )
    kept = [element.tag.split("}")[1] for element in root.iter()]
    assert kept == ["svg", "defs", "linearGradient", "rect", "use"]
    rect = root.find("{http://www.w3.org/2000/svg}rect")
    assert rect.get("fill") == "url(#g)"
    assert rect.get("style") == "fill: url(#g)"


@pytest.mark.parametrize("text", [b"not xml at all", b"<html><body/></html>"])
def test_a_logo_that_is_not_svg_fails_the_render_with_the_reason(text):
    with pytest.raises(RenderRefused, match="SVG"):
        render_with_logo(text)


def test_a_png_past_max_image_pixels_is_refused_before_a_pixel_is_decoded(monkeypatch):
    side = int(MAX_IMAGE_PIXELS**0.5) + 1
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")  # a few kB on disk, 4 million pixels decoded
    decoded: list[object] = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    with pytest.raises(RenderRefused, match=f"{side:,} x {side:,} pixels"):
        render_with_logo(out.getvalue(), "image/png")
    assert decoded == []


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"\x89PNG\r\n\x1a\nbroken", "image/png"), (b"GIF89a....", "image/gif"), (SVG_LOGO, "image/png")],
)
def test_a_logo_the_renderer_cannot_read_fails_with_the_reason(data, kind):
    with pytest.raises(RenderRefused, match="logo"):
        render_with_logo(data, kind)


def test_a_logo_is_decoded_once_per_process():
    first = decoded_logo(SVG_LOGO, "image/svg+xml")
    assert decoded_logo(bytes(SVG_LOGO), "image/svg+xml") is first
    assert decoded_logo(SVG_LOGO + b" ", "image/svg+xml") is not first  # the key is the bytes' hash


@pytest.mark.parametrize("kind", ["RGBA", "RGB", "L", "jpeg"])
def test_a_raster_logo_is_written_as_draw_image_writes_it(kind):
    # The XObject made once per logo (pdf_logo._draw_raster) must write what reportlab's drawImage would:
    # two documents each (the second from the cache), two pages each (the image already in the document).
    if kind == "L":
        grey = io.BytesIO()
        Image.linear_gradient("L").resize((300, 90)).save(grey, format="PNG")
        data, content_type = grey.getvalue(), "image/png"
    elif kind == "jpeg":
        data, content_type = jpeg_logo(), "image/jpeg"
    else:
        data, content_type = png_logo(mode=kind), "image/png"
    logo = decoded_logo(data, content_type)

    def document(draw: Any) -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        for _ in range(2):
            draw(canvas)
            canvas.showPage()
        canvas.save()
        return out.getvalue()

    assert logo.image is not None
    for _ in range(2):
        ours = document(lambda canvas: _draw_raster(canvas, logo, logo.image, 10, 20, 120, 36))
        theirs = document(lambda canvas: canvas.drawImage(logo.image, 10, 20, 120, 36, mask="auto"))
        assert ours == theirs
