"""Brand looks and logos for the branded PDF's tests: logos of one distinctive colour each, so a page's
pixels say where a logo was drawn, and the looks (layout x font) the shared PDF tests run over."""

import io
from typing import Any

from PIL import Image, ImageDraw

from invoices.document.model import BrandStyle
from invoices.renderers.layouts import CURRENT

# Colours no part of our layouts uses: a pixel of them on a page is the logo's.
PNG_COLOUR = (230, 0, 126)  # magenta
SVG_COLOUR = (0, 166, 81)  # green
ACCENT = "#e36414"  # orange, the accent of the looks below
ACCENT_RGB = (0xE3, 0x64, 0x14)
FOOTER = "Example Ltd, 1 Example Street, London\nRegistered in England and Wales, No. 01234567"


def png_logo(width: int = 400, height: int = 120, mode: str = "RGBA") -> bytes:
    """A PNG logo: a magenta rounded bar with a transparent surround and a white disc."""
    image = Image.new(mode, (width, height), (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 6, fill=(*PNG_COLOUR, 255))
    draw.ellipse((height // 6, height // 6, height * 5 // 6, height * 5 // 6), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg_logo() -> bytes:
    image = Image.new("RGB", (300, 100), PNG_COLOUR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100" viewBox="0 0 300 100">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#00a651"/><stop offset="1" '
    b'stop-color="#00a651" stop-opacity="0.9"/></linearGradient></defs>'
    b'<rect x="0" y="0" width="300" height="100" rx="18" fill="url(#g)"/>'
    b'<circle cx="50" cy="50" r="30" fill="#ffffff"/>'
    b'<text x="100" y="62" font-size="34" font-family="Arial" fill="#ffffff">ACME</text></svg>'
)


def style(layout: str = "classic", font: str = "sans", logo: str = "", **fields: Any) -> BrandStyle:
    """A brand's look, in the layout's version a brand version gets today unless ``layout_version`` is
    given: ``logo`` "png", "jpeg", "svg" or "" for none."""
    data, kind = {
        "": (b"", ""),
        "png": (png_logo(), "image/png"),
        "jpeg": (jpeg_logo(), "image/jpeg"),
        "svg": (SVG_LOGO, "image/svg+xml"),
    }[logo]
    values: dict[str, Any] = {
        "version_id": "test",
        "layout": layout,
        "layout_version": CURRENT.get(layout, 1),
        "font": font,
        "accent_color": ACCENT,
        "footer": FOOTER,
        "logo": data,
        "logo_content_type": kind,
        **fields,
    }
    return BrandStyle(**values)


# The text font (regular, bold) each look's Latin is set in, as the PDF names them.
TEXT_FONTS = {
    "sans": ("DejaVuSans", "DejaVuSans-Bold"),
    "serif": ("DejaVuSerif", "DejaVuSerif-Bold"),
    "condensed": ("DejaVuSansCondensed", "DejaVuSansCondensed-Bold"),
}
