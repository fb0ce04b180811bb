"""A brand's logo made safe: ``logo_sanitize(uploaded bytes)`` gives our own re-encoded bytes or refuses.

Nothing of an upload is stored or rendered as it came (docs/security.md case 19):

- PNG and JPEG: the header is read and the pixel count bounded before anything is decoded (a 50,000 x
  50,000 PNG is a few hundred bytes and would take 10 GB once decoded); PNG text chunks are bounded before
  Pillow inflates them and never reach it; EXIF is parsed by us, strictly, and a malformed one refused.
  The pixels are then re-encoded by Pillow with no metadata at all (no EXIF, XMP, ICC or text), fitted into
  ``LOGO_FIT`` pixels a side.
- SVG: parsed without DTD, entities or network; anything that can run code or reach outside the file
  (scripts, event attributes, foreignObject, images, external references, ``@import``) is refused with a
  reason, and a fresh SVG of our own is written from a whitelist of drawing elements and attributes, then
  checked by svglib (the renderer's SVG reader) to be a drawing of bounded size.

A pure function: no database, no file, no network. ``LogoRefused.message`` is meant for a person.
"""

import hashlib
import io
import math
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]
from PIL import Image, ImageOps, UnidentifiedImageError

LOGO_MAX_BYTES = 1_048_576  # as uploaded
LOGO_MAX_PIXELS = 4_000_000  # width x height, checked from the header before decoding
LOGO_MAX_SIDE = 4_000
LOGO_FIT = 1_200  # the stored logo fits in LOGO_FIT x LOGO_FIT
JPEG_QUALITY = 90
# PNG text chunks (tEXt, zTXt, iTXt) are dropped anyway; more than this, compressed, is refused rather than
# inflated (a zTXt of 1 MB can inflate to a gigabyte).
PNG_MAX_TEXT_BYTES = 65_536
# EXIF is parsed by us before Pillow reads it: bounded so a crafted one cannot make us loop or allocate.
EXIF_MAX_IFDS = 8
EXIF_MAX_ENTRIES = 1_000
SVG_MAX_ELEMENTS = 5_000
SVG_MAX_COORDINATE = 1_000_000.0  # any viewBox/width/height number beyond this is refused

PNG = "image/png"
JPEG = "image/jpeg"
SVG = "image/svg+xml"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
# The chunks a PNG's pixels need; everything else (text, ICC, EXIF, time, animation...) is not passed on.
_PNG_KEPT_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
_PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}


class LogoRefused(Exception):
    """The upload is not a logo we accept; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanLogo:
    data: bytes  # our bytes: a PNG or JPEG we encoded, or an SVG we wrote
    content_type: str
    width: int
    height: int
    sha256: str


def logo_sanitize(data: bytes) -> CleanLogo:
    """Our own safe re-encoding of an uploaded logo; LogoRefused with the reason otherwise. The type comes
    from the bytes' signature, never from a file name or a client's content type."""
    if len(data) > LOGO_MAX_BYTES:
        raise LogoRefused(f"The logo is {len(data):,} bytes; at most {LOGO_MAX_BYTES:,} (1 MB) are accepted.")
    if not data:
        raise LogoRefused("The logo is empty.")
    if data.startswith(_PNG_SIGNATURE):
        return _raster(_png_without_extras(data), "PNG")
    if data.startswith(_JPEG_SIGNATURE):
        for exif in _jpeg_exif_blocks(data):  # before Pillow parses any of it
            _check_exif(exif)
        return _raster(data, "JPEG")
    if _looks_like_xml(data):
        return _svg(data)
    raise LogoRefused("The logo must be a PNG, JPEG or SVG image; these bytes are none of them.")


def _done(data: bytes, content_type: str, width: int, height: int) -> CleanLogo:
    return CleanLogo(data, content_type, width, height, hashlib.sha256(data).hexdigest())


# --- PNG and JPEG ------------------------------------------------------------------------------------------


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, whole chunk bytes) of each chunk, checking only that lengths stay inside the file."""
    offset = len(_PNG_SIGNATURE)
    while offset < len(data):
        if offset + 12 > len(data):
            raise LogoRefused("The PNG is truncated.")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data):
            raise LogoRefused("The PNG is truncated: a chunk runs past the end of the file.")
        yield kind, data[offset:end]
        offset = end
        if kind == b"IEND":
            return
    raise LogoRefused("The PNG is truncated: it has no end chunk.")


def _png_without_extras(data: bytes) -> bytes:
    """The PNG with only the chunks its pixels need, after bounding its text chunks and its size (IHDR)."""
    kept = [_PNG_SIGNATURE]
    text_bytes = 0
    for index, (kind, chunk) in enumerate(_png_chunks(data)):
        if index == 0:
            if kind != b"IHDR" or len(chunk) != 25:
                raise LogoRefused("The PNG does not start with its header chunk.")
            width, height = struct.unpack(">II", chunk[8:16])
            _check_size(width, height)
        if kind in _PNG_TEXT_CHUNKS:
            text_bytes += len(chunk) - 12
            if text_bytes > PNG_MAX_TEXT_BYTES:
                raise LogoRefused(
                    f"The PNG carries more than {PNG_MAX_TEXT_BYTES:,} bytes of text metadata (tEXt, zTXt or "
                    "iTXt chunks); a logo may not. Save it again without metadata."
                )
        if kind in _PNG_KEPT_CHUNKS:
            kept.append(chunk)
    return b"".join(kept)


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise LogoRefused("The image has no pixels.")
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE or width * height > LOGO_MAX_PIXELS:
        raise LogoRefused(
            f"The image is {width:,} x {height:,} pixels; at most {LOGO_MAX_SIDE:,} a side and "
            f"{LOGO_MAX_PIXELS:,} pixels in all are accepted."
        )


def _raster(data: bytes, kind: str) -> CleanLogo:
    try:
        image = Image.open(io.BytesIO(data), formats=[kind])  # reads the header only
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error) as exc:
        raise LogoRefused(f"The {kind} image could not be read ({_reason(exc)}).") from None
    with image:
        _check_size(*image.size)  # before a single pixel is decoded
        try:
            image.load()  # Pillow's own decompression-bomb guard stays in force
            upright = ImageOps.exif_transpose(image) if kind == "JPEG" else image.copy()
        except (OSError, ValueError, SyntaxError, struct.error, EOFError, zlib.error) as exc:
            raise LogoRefused(f"The {kind} image could not be decoded ({_reason(exc)}).") from None
    try:
        return _reencode(upright)
    except (OSError, ValueError) as exc:  # a pixel format Pillow reads but cannot convert or write
        raise LogoRefused(f"The {kind} image's pixel format is not supported ({_reason(exc)}).") from None


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _reencode(image: Image.Image) -> CleanLogo:
    """The pixels alone, fitted into LOGO_FIT a side: PNG for transparency or a palette, else the smaller
    of JPEG and PNG."""
    transparent = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if transparent:
        clean = image.convert("RGBA")
    elif image.mode in ("P", "1", "L", "RGB"):
        clean = image.copy()
    else:  # CMYK, 16-bit, YCbCr...: as RGB
        clean = image.convert("RGB")
    # Pillow writes an ICC profile or a transparency found here: nothing of the upload is kept.
    clean.info = {}
    clean.thumbnail((LOGO_FIT, LOGO_FIT), Image.Resampling.LANCZOS)
    png = _encode(clean, "PNG", compress_level=9)
    if transparent or clean.mode in ("P", "1"):
        return _done(png, PNG, *clean.size)
    jpeg = _encode(clean, "JPEG", quality=JPEG_QUALITY)
    if len(png) <= len(jpeg):
        return _done(png, PNG, *clean.size)
    return _done(jpeg, JPEG, *clean.size)


def _encode(image: Image.Image, kind: str, **options: int) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _jpeg_exif_blocks(data: bytes) -> Iterator[bytes]:
    """The EXIF (APP1 "Exif") segments of a JPEG's header, up to its first scan."""
    offset = 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker == 0xDA:  # start of scan: no metadata after it that Pillow reads
            return
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if length < 2 or offset + 2 + length > len(data):
            raise LogoRefused("The JPEG is truncated: a header segment runs past the end of the file.")
        segment = data[offset + 4 : offset + 2 + length]
        if marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            yield segment
        offset += 2 + length


def _check_exif(exif: bytes) -> None:
    """Refuse an EXIF block that is not a well-formed TIFF structure: every offset inside the block, no IFD
    visited twice, bounded counts. A benign one (camera, GPS) passes and is dropped on re-encoding."""
    if not exif:
        return
    body = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    if body[:4] == b"II*\x00":
        order = "<"
    elif body[:4] == b"MM\x00*":
        order = ">"
    else:
        raise LogoRefused("The JPEG's EXIF metadata is malformed (no TIFF header); save it again without it.")
    pending = [_exif_offset(body, order, 4)]
    seen: set[int] = set()
    entries = 0
    while pending:
        offset = pending.pop()
        if offset == 0:
            continue
        if offset in seen or len(seen) >= EXIF_MAX_IFDS:
            raise LogoRefused("The JPEG's EXIF metadata is malformed (its directories loop or are too many).")
        seen.add(offset)
        count = _exif_unpack(body, order, "H", offset)
        entries += count
        if entries > EXIF_MAX_ENTRIES or offset + 2 + count * 12 + 4 > len(body):
            raise LogoRefused("The JPEG's EXIF metadata is malformed (a directory runs past its end).")
        for index in range(count):
            pending.extend(_exif_entry(body, order, offset + 2 + index * 12))
        pending.append(_exif_offset(body, order, offset + 2 + count * 12))


_EXIF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_EXIF_SUB_IFDS = {0x8769, 0x8825, 0xA005}  # the Exif, GPS and interoperability directories


def _exif_entry(body: bytes, order: str, at: int) -> list[int]:
    """Check one 12-byte entry; the offset of the sub-directory it points to, if it is one."""
    tag, kind, count = struct.unpack(order + "HHI", body[at : at + 8])
    size = _EXIF_TYPE_SIZES.get(kind)
    if size is None:
        raise LogoRefused(f"The JPEG's EXIF metadata is malformed (tag {tag:#06x} has unknown type {kind}).")
    if size * count > 4:
        value_at = _exif_offset(body, order, at + 8)
        if value_at + size * count > len(body):
            raise LogoRefused("The JPEG's EXIF metadata is malformed (a value lies outside the block).")
    if tag in _EXIF_SUB_IFDS:
        return [_exif_offset(body, order, at + 8)]
    return []


def _exif_unpack(body: bytes, order: str, fmt: str, at: int) -> int:
    size = struct.calcsize(fmt)
    if at < 0 or at + size > len(body):
        raise LogoRefused("The JPEG's EXIF metadata is malformed (an offset points outside the block).")
    (value,) = struct.unpack(order + fmt, body[at : at + size])
    return int(value)


def _exif_offset(body: bytes, order: str, at: int) -> int:
    offset = _exif_unpack(body, order, "I", at)
    if offset and offset + 2 > len(body):
        raise LogoRefused("The JPEG's EXIF metadata is malformed (an offset points outside the block).")
    return offset


# --- SVG ---------------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_XLINK_HREF = f"{{{XLINK_NS}}}href"

# The drawing elements a logo may use (svglib draws them all); anything else that cannot run code or reach
# out (metadata, an editor's own elements) is left out of our copy.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "linearGradient", "radialGradient", "stop", "clipPath", "title", "desc", "text", "tspan", "use",
    }
)  # fmt: skip
_TEXT_ELEMENTS = {"text", "tspan", "title", "desc"}
# Elements refused outright, with the reason: they run code, embed other content or reach outside the file.
_SVG_REFUSED = {
    "script": "The SVG contains a script; logos may not run code.",
    "foreignObject": "The SVG contains a foreignObject (embedded HTML); logos may not.",
    "image": "The SVG embeds an image; a logo must be drawn with shapes (upload a PNG or JPEG instead).",
    "iframe": "The SVG embeds a frame; logos may not.",
    "a": "The SVG contains a link; logos may not.",
    "handler": "The SVG contains an event handler; logos may not run code.",
    "listener": "The SVG contains an event listener; logos may not run code.",
}
# Presentation and geometry attributes kept (style="..." is rebuilt from the same names).
SVG_ATTRIBUTES = frozenset(
    {
        "id", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy",
        "width", "height", "points", "viewBox", "preserveAspectRatio", "transform", "fill", "fill-opacity",
        "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
        "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity", "clip-path", "clip-rule",
        "clipPathUnits", "gradientUnits", "gradientTransform", "spreadMethod", "offset", "stop-color",
        "stop-opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor", "color",
        "visibility", "display",
    }
)  # fmt: skip
_STYLE_PROPERTIES = SVG_ATTRIBUTES - {"id", "d", "points", "viewBox", "transform", "preserveAspectRatio"}
_FRAGMENT = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]{0,99}")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_NUMBER = re.compile(r"\s*([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*(px|pt|mm|cm|in|)\s*")
_UNIT_PX = {"": 1.0, "px": 1.0, "pt": 4 / 3, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _svg(data: bytes) -> CleanLogo:
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise LogoRefused(
            "The SVG declares a document type or entities; logos may not (entity expansion is refused)."
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)  # no DTD, entities or network: see the parser
    except etree.XMLSyntaxError as exc:
        raise LogoRefused(f"The SVG is not well-formed XML ({exc.msg}).") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise LogoRefused("The SVG declares a document type; logos may not (entity expansion is refused).")
    if _local(root) != "svg" or _namespace(root) not in (SVG_NS, ""):
        raise LogoRefused("The file is XML but not an SVG image (its root element is not <svg>).")
    count = sum(1 for _ in root.iter())
    if count > SVG_MAX_ELEMENTS:
        raise LogoRefused(f"The SVG has {count:,} elements; at most {SVG_MAX_ELEMENTS:,} are accepted.")
    clean = _copy(root)
    if clean is None:  # cannot happen: the root is <svg>, a kept element
        raise LogoRefused("The file is XML but not an SVG image.")
    width, height = _fit(root, clean)
    written = etree.tostring(clean, xml_declaration=True, encoding="utf-8")
    _check_drawable(written)
    return _done(written, SVG, width, height)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _namespace(element: etree._Element) -> str:
    return (etree.QName(element).namespace or "") if isinstance(element.tag, str) else ""


def _copy(element: etree._Element) -> etree._Element | None:
    """Our own element for ``element`` and its kept children, refusing what may not be in a logo."""
    if isinstance(element, etree._Entity):
        raise LogoRefused("The SVG refers to an entity; logos may not (entity expansion is refused).")
    if not isinstance(element.tag, str):
        return None  # a comment or processing instruction (the parser drops them already)
    name = _local(element)
    if name in _SVG_REFUSED:
        raise LogoRefused(_SVG_REFUSED[name])
    _check_attributes(element)
    if _namespace(element) not in (SVG_NS, "") or name not in SVG_ELEMENTS:
        return None  # metadata, an editor's own elements, <style>...: not part of our drawing
    copy = etree.Element(f"{{{SVG_NS}}}{name}", nsmap={None: SVG_NS, "xlink": XLINK_NS})
    for key, value in _kept_attributes(element):
        copy.set(key, value)
    if name in _TEXT_ELEMENTS and element.text:
        copy.text = element.text
    for child in element:
        kept = _copy(child)
        if kept is not None:
            copy.append(kept)
            if _local(element) in _TEXT_ELEMENTS and child.tail:
                kept.tail = child.tail
    return copy


def _check_attributes(element: etree._Element) -> None:
    """Refuse event attributes, references outside the file and ``@import``, on any element (also those
    left out of our copy: a refusal says what was wrong rather than dropping it silently)."""
    if _local(element) == "style":
        _check_css(element.text or "")
    for key, value in element.attrib.items():
        local = etree.QName(key).localname
        if local.lower().startswith("on"):
            raise LogoRefused(f"The SVG has an event attribute ({local}); logos may not run code.")
        if local == "href" and not _FRAGMENT.fullmatch(value.strip()):
            raise LogoRefused(
                f"The SVG refers to {_shown(value)}; a logo may refer only to its own parts (#id), never to "
                "a file, an address or embedded data."
            )
        _check_css(value)


def _check_css(text: str) -> None:
    if "@import" in text.lower():
        raise LogoRefused("The SVG imports a style sheet (@import); logos may not refer to other files.")
    if "\\" in text and "url" in text.lower().replace("\\", ""):
        raise LogoRefused("The SVG hides a reference behind CSS escapes; logos may not.")
    for match in _URL.finditer(text):
        target = match.group(2).strip()
        if not _FRAGMENT.fullmatch(target):
            raise LogoRefused(
                f"The SVG refers to {_shown(target)} in url(...); a logo may refer only to its own parts "
                "(url(#id))."
            )


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _kept_attributes(element: etree._Element) -> Iterator[tuple[str, str]]:
    for key, value in element.attrib.items():
        name = etree.QName(key)
        if name.localname == "href" and name.namespace in (None, XLINK_NS):
            yield _XLINK_HREF, value.strip()
        elif name.namespace is None and name.localname in SVG_ATTRIBUTES:
            yield name.localname, value
        elif name.namespace is None and name.localname == "style":
            style = _clean_style(value)
            if style:
                yield "style", style


def _clean_style(style: str) -> str:
    """style="..." with only the presentation properties we keep (checked for url() and @import already)."""
    kept = []
    for declaration in style.split(";"):
        prop, colon, value = declaration.partition(":")
        if colon and prop.strip().lower() in _STYLE_PROPERTIES and value.strip():
            kept.append(f"{prop.strip().lower()}:{value.strip()}")
    return ";".join(kept)


def _fit(source: etree._Element, clean: etree._Element) -> tuple[int, int]:
    """The logo's size in user units (px): width/height, else the viewBox's, bounded; written onto our copy
    so the renderer never guesses."""
    view_box = _view_box(source.get("viewBox"))
    width = _length(source.get("width"))
    height = _length(source.get("height"))
    if (width is None or height is None) and view_box is not None:
        ratio = view_box[3] / view_box[2]
        if width is None and height is None:
            width, height = view_box[2], view_box[3]
        elif width is None:
            width = height / ratio  # type: ignore[operator]
        else:
            height = width * ratio
    if width is None or height is None:
        raise LogoRefused("The SVG has no size: give it a viewBox, or a width and a height.")
    if not (0 < width <= SVG_MAX_COORDINATE and 0 < height <= SVG_MAX_COORDINATE):
        raise LogoRefused("The SVG's width and height must be positive and at most 1,000,000.")
    scale = min(1.0, LOGO_FIT / max(width, height))  # a huge canvas is drawn smaller, never refused for it
    shown_width, shown_height = max(1, round(width * scale)), max(1, round(height * scale))
    if view_box is None:
        clean.set("viewBox", f"0 0 {_number(width)} {_number(height)}")
    clean.set("width", str(shown_width))
    clean.set("height", str(shown_height))
    return shown_width, shown_height


def _view_box(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = text.replace(",", " ").split()
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise LogoRefused(f"The SVG's viewBox {_shown(text)} is not four numbers.") from None
    if len(numbers) != 4 or not all(math.isfinite(n) and abs(n) <= SVG_MAX_COORDINATE for n in numbers):
        raise LogoRefused(f"The SVG's viewBox {_shown(text)} is not four numbers up to 1,000,000.")
    if numbers[2] <= 0 or numbers[3] <= 0:
        raise LogoRefused("The SVG's viewBox has no area (its width and height must be positive).")
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _length(text: str | None) -> float | None:
    """A width or height in px; None when absent or relative (100%: the viewBox says)."""
    if text is None or text.strip().endswith("%"):
        return None
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise LogoRefused(f"The SVG's width or height {_shown(text)} is not a length.")
    value = float(match.group(1)) * _UNIT_PX[match.group(2)]
    if not math.isfinite(value):
        raise LogoRefused(f"The SVG's width or height {_shown(text)} is not a finite length.")
    return value


def _number(value: float) -> str:
    return f"{value:.6g}"


def _check_drawable(svg: bytes) -> None:
    """svglib (what the PDF renderer draws SVG logos with) must make a drawing of it."""
    from svglib.svglib import svg2rlg  # imported here: reportlab is heavy, and only SVG logos need it

    try:
        drawing = svg2rlg(io.BytesIO(svg), resolve_entities=False)
    except Exception as exc:  # svglib raises whatever its parts raise; any of them means "cannot draw"
        raise LogoRefused(f"The SVG cannot be drawn ({_reason(exc)}).") from None
    if drawing is None or not drawing.width or not drawing.height:
        raise LogoRefused("The SVG cannot be drawn (it has no size once cleaned).")
