"""The brand's logo on the PDF: decoded once per process, drawn by our code, never fetched.

The logo never becomes markup. The layout template holds a random placeholder word where the logo goes, and
the renderer puts a ``LogoFlowable`` in its place (``place_logo``), which draws the bytes of the
BrandStyle, already in memory, straight onto the canvas: xhtml2pdf never sees an ``<img>``, ``link_callback``
never sees a logo, and the resource policy still refuses every fetch (docs/security.md).

The bytes are ours (the brands' logo sanitizing re-encodes PNG and JPEG and rewrites SVG from a whitelist),
and are held to the same rules again here, as the renderer's own gate, should anything else ever reach it:

- PNG and JPEG: the header is read first, and an image past the renderer's MAX_IMAGE_PIXELS is refused before
  a single pixel is decoded (RenderRefused, the invoice fails with the reason); a sanitized logo never is.
- SVG: parsed again with a parser that resolves no entity, loads no DTD and reaches no network; a document
  that declares a DTD or entities is refused; every element that could name something outside the file
  (``<image>``, ``<use>``/``<a>``/gradients with a non-local href, ``<style>``, ``<script>``,
  ``<foreignObject>``) is dropped, as is any attribute holding a ``url(...)`` that is not ``url(#id)``;
  svglib then draws what is left, given no file path (so it resolves nothing relative to one) and a font
  map that answers our own fonts only (never fontconfig, never a font file it finds itself).

Decoding is the slow part (a PNG's pixels, an SVG's parse and conversion), so the result is kept per SHA-256
of the bytes (computed here, not taken from the style) in a small LRU: a brand's logo is decoded once per
process, and each render only fits and draws it.
"""

import copy
import hashlib
import io
import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped]
from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFImageXObject, PDFObjectReference
from reportlab.pdfgen.canvas import Canvas, _digester
from reportlab.platypus import Flowable
from svglib.fonts import FontMap
from svglib.svglib import SvgRenderer

from invoices.renderers import RenderRefused
from invoices.renderers.pdf_fonts import TEXT_BOLD, TEXT_FAMILY, register_fonts
from invoices.renderers.pdf_resources import MAX_IMAGE_PIXELS

PNG = "image/png"
JPEG = "image/jpeg"
SVG = "image/svg+xml"
_RASTER_FORMATS = {PNG: "PNG", JPEG: "JPEG"}
# Decoded logos kept per process: a few brands' worth, each at most MAX_IMAGE_PIXELS (16 MB as RGBA).
CACHE_SIZE = 8
# A logo's SVG past this many elements is not a logo (the sanitizer keeps them far smaller); its
# conversion time would grow with it.
MAX_SVG_ELEMENTS = 5000

Align = Literal["left", "right"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Elements that name or carry something other than shapes: dropped with everything inside them.
_DROPPED = frozenset({"image", "style", "script", "foreignObject", "iframe", "feImage", "audio", "video"})
_LOCAL_URL = re.compile(r"url\(\s*['\"]?#[^)'\"]*['\"]?\s*\)")


@dataclass(frozen=True)
class Logo:
    """A decoded logo: a raster ``image`` or a vector ``drawing``, and its natural size in points (or
    pixels, for a raster: only the aspect ratio matters, the layout's box sets the size)."""

    width: float
    height: float
    image: ImageReader | None = None
    drawing: Drawing | None = None


class LogoFlowable(Flowable):
    """The logo fitted into a ``box_width`` x ``box_height`` pt box, aspect ratio kept, at the ``align``
    side of the width it is given (the cell of the layout that holds it)."""

    def __init__(
        self, logo: Logo, box_width: float, box_height: float, align: Align, space_after: float
    ) -> None:
        super().__init__()
        self.space_after = space_after  # pt under the logo, inside the flowable (a cell ignores spaceAfter)
        self.logo = logo
        self.box_width = box_width
        self.box_height = box_height
        self.align = align
        self.avail = box_width
        self.drawn_width = self.drawn_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        width = min(self.box_width, availWidth)
        scale = min(width / self.logo.width, self.box_height / self.logo.height)
        self.drawn_width, self.drawn_height = self.logo.width * scale, self.logo.height * scale
        self.avail = availWidth
        return availWidth, self.drawn_height + self.space_after

    def draw(self) -> None:
        x = 0.0 if self.align == "left" else self.avail - self.drawn_width
        canvas = self.canv
        if self.logo.image is not None:
            width, height = self.drawn_width, self.drawn_height
            _draw_raster(canvas, self.logo, self.logo.image, x, self.space_after, width, height)
        elif self.logo.drawing is not None:
            drawing = self.logo.drawing
            canvas.saveState()
            canvas.translate(x, self.space_after)
            canvas.scale(self.drawn_width / drawing.width, self.drawn_height / drawing.height)
            renderPDF.draw(drawing, canvas, 0, 0, showBoundary=False)
            canvas.restoreState()


def _draw_raster(
    canvas: Canvas, logo: Logo, image: ImageReader, x: float, y: float, width: float, height: float
) -> None:
    """What ``canvas.drawImage(image, x, y, width, height, mask="auto")`` does (``image`` is ``logo.image``),
    the same objects and operators written, with the image's XObject (its pixels compressed, and their soft
    mask) made once per logo and process and copied into each document: reportlab digests and compresses
    the pixels again for every document, about 4 ms of a 600 x 180 logo, most of what a brand added to a
    render (docs/performance.md)."""
    name, made = _xobject(logo, image)
    doc = canvas._doc
    registered = doc.getXObjectName(name)
    if doc.idToObject.get(registered) is None:
        placed = copy.copy(made)
        canvas._setXObjects(placed)  # the document's own forms so far, as drawImage sets them
        doc.Reference(placed, registered)
        doc.addForm(name, placed)
        smask = getattr(made, "_smask", None)
        if smask is not None:
            del placed._smask
            mask_name = doc.getXObjectName(smask.name)
            if doc.idToObject.get(mask_name) is None:
                mask = copy.copy(smask)
                canvas._setXObjects(mask)
                placed.smask = doc.Reference(mask, mask_name)
            else:
                placed.smask = PDFObjectReference(mask_name)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)


_xobjects: "weakref.WeakKeyDictionary[Logo, tuple[str, PDFImageXObject]]" = weakref.WeakKeyDictionary()


def _xobject(logo: Logo, image: ImageReader) -> tuple[str, PDFImageXObject]:
    """The name drawImage gives the logo's image (a digest of its pixels and soft mask) and its XObject, made
    once per decoded logo. Never written itself: each document writes a copy."""
    with _cache_lock:
        found = _xobjects.get(logo)
    if found is not None:
        return found
    pixels = image.getRGBData()  # sets _dataA, the alpha channel's reader (None without one)
    smask = image._dataA
    name = _digester(pixels + (smask.getRGBData() if smask else b"auto"))
    made = PDFImageXObject(name, image, mask="auto")
    made.name = name
    with _cache_lock:
        _xobjects[logo] = (name, made)
    return name, made


_cache: "OrderedDict[str, Logo]" = OrderedDict()
_cache_lock = threading.Lock()


def decoded_logo(data: bytes, content_type: str) -> Logo:
    """The logo of ``data`` (``content_type`` PNG, JPEG or our SVG), decoded once per process.
    RenderRefused, with the reason, for a logo the renderer will not draw."""
    key = f"{content_type}:{hashlib.sha256(data).hexdigest()}"
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    logo = _decode(data, content_type)
    with _cache_lock:
        _cache[key] = logo
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return logo


def _decode(data: bytes, content_type: str) -> Logo:
    if content_type in _RASTER_FORMATS:
        return _raster(data, _RASTER_FORMATS[content_type])
    if content_type == SVG:
        return _vector(data)
    raise RenderRefused(f"The brand's logo is of a type the renderer does not draw ({content_type[:60]!r}).")


def _raster(data: bytes, kind: str) -> Logo:
    try:
        # Image.open reads the header only: the size is known before any pixel is decoded.
        image: Image.Image = Image.open(io.BytesIO(data), formats=[kind])
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise RenderRefused(f"The brand's logo is not a readable {kind} image.") from error
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
        raise RenderRefused(
            f"The brand's logo is {width:,} x {height:,} pixels, more than the renderer draws "
            f"({MAX_IMAGE_PIXELS:,} pixels)."
        )
    try:
        image.load()
    except (OSError, ValueError) as error:
        raise RenderRefused(f"The brand's logo is not a readable {kind} image.") from error
    # reportlab writes RGB (with a soft mask for alpha) or greyscale; a palette or CMYK image is converted
    # once here, so every page draws the same colours and PDF/A sees DeviceRGB under its sRGB intent.
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    return Logo(width=float(width), height=float(height), image=ImageReader(image))


class _OurFonts(FontMap):
    """svglib's font lookup answering our own text fonts only: never a font file svglib would find by
    name, never fontconfig, never one of PDF's standard fonts (not embedded, which PDF/A refuses)."""

    def __init__(self) -> None:  # no default registrations: find_font below answers everything
        pass

    def find_font(self, font_name: str, weight: str = "normal", style: str = "normal") -> tuple[str, bool]:
        bold = str(weight).lower() in {"bold", "bolder", "600", "700", "800", "900"}
        return (TEXT_BOLD if bold else TEXT_FAMILY), True


def _vector(data: bytes) -> Logo:
    root = _safe_svg_root(data)
    register_fonts()
    try:
        # The source is a stream, not a path: svglib resolves no reference relative to it (none is left).
        drawing = SvgRenderer(io.BytesIO(data), font_map=_OurFonts()).render(root)
    except Exception as error:  # svglib raises whatever its converters meet; the reason is ours to give
        raise RenderRefused("The brand's SVG logo could not be drawn.") from error
    if not drawing.width or not drawing.height or drawing.width <= 0 or drawing.height <= 0:
        raise RenderRefused("The brand's SVG logo has no size (width, height or viewBox).")
    # reportlab's drawing starts in Helvetica, a font PDF/A (the Factur-X rendition) refuses unembedded:
    # ours instead. svglib's text already names ours (_OurFonts).
    drawing.initialFontName = TEXT_FAMILY
    return Logo(width=float(drawing.width), height=float(drawing.height), drawing=drawing)


def _safe_svg_root(data: bytes) -> Any:
    """The SVG's root element with everything that could reach outside the file taken out."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as error:
        raise RenderRefused("The brand's SVG logo is not well-formed XML.") from error
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise RenderRefused("The brand's SVG logo declares a DTD or entities, which the renderer refuses.")
    root = tree.getroot()
    if etree.QName(root).localname != "svg":
        raise RenderRefused("The brand's logo is not an SVG document.")
    elements = list(root.iter())
    if len(elements) > MAX_SVG_ELEMENTS:
        raise RenderRefused(f"The brand's SVG logo has more than {MAX_SVG_ELEMENTS:,} elements.")
    for element in elements:
        if not isinstance(element.tag, str):  # an entity reference left unresolved: dropped
            _remove(element)
            continue
        if etree.QName(element).localname in _DROPPED or _names_outside(element):
            _remove(element)
            continue
        for name, value in list(element.attrib.items()):
            if "url(" in value.replace(" ", "").lower() and not _only_local_urls(value):
                del element.attrib[name]
    return root


def _names_outside(element: Any) -> bool:
    """Whether ``element`` refers to anything but an element of this document (``href="#id"``)."""
    for name in (XLINK_HREF, "href"):
        value = element.get(name)
        if value is not None and not value.strip().startswith("#"):
            return True
    return False


def _only_local_urls(value: str) -> bool:
    """Whether every ``url(...)`` in ``value`` names an element of this document: ``url(#gradient)``."""
    return "url(" not in _LOCAL_URL.sub("", value.replace(" ", "").lower())


def _remove(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def logo_flowable(
    data: bytes, content_type: str, box: tuple[float, float], align: Align, space_after: float = 0.0
) -> LogoFlowable:
    """The logo of ``data`` fitted into ``box`` (width, height in pt) at the ``align`` side, ``space_after``
    pt above what follows it."""
    return LogoFlowable(decoded_logo(data, content_type), box[0], box[1], align, space_after)
