"""Real logo files made by the tests: good images, and the bombs and traps of docs/security.md case 19.

Every file is built byte by byte (or with Pillow) here, so a test shows exactly what it sends."""

import io
import struct
import zlib

from PIL import Image, TiffImagePlugin

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int, extra: bytes = b"") -> bytes:
    """A real, valid-CRC PNG claiming width x height RGB pixels, with a few hundred bytes of compressed
    image data: the header a decompression bomb starts with."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return (
        PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + extra + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


def png_with_huge_ztxt() -> bytes:
    """A small, valid PNG with a zTXt chunk of about 100 KB that inflates to 100 MB."""
    ztxt = b"Comment\x00\x00" + zlib.compress(b"A" * 100_000_000, 9)
    image = png_image(20, 10)
    # The chunk goes right after IHDR (8 + 25 bytes).
    return image[:33] + png_chunk(b"zTXt", ztxt) + image[33:]


def png_image(width: int = 300, height: int = 100, mode: str = "RGBA", **save: object) -> bytes:
    colour = (20, 120, 200, 128) if mode == "RGBA" else (20, 120, 200)
    image = Image.new(mode, (width, height), colour)
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return out.getvalue()


def png_with_metadata() -> bytes:
    """An opaque PNG with a tEXt comment, an ICC profile and an eXIf chunk."""
    from PIL import ImageCms, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Person <secret@example.com>")
    info.add_text("Comment", "internal path /home/secret/logo.psd")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    image = Image.new("RGBA", (200, 80), (200, 30, 30, 255))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, icc_profile=icc, exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_exif(width: int = 1600, height: int = 800, orientation: int = 6) -> bytes:
    """A photo-like JPEG with a benign EXIF: camera make and model, GPS position, an orientation."""
    bands = [Image.linear_gradient("L"), Image.radial_gradient("L"), Image.linear_gradient("L").rotate(90)]
    image = Image.merge("RGB", [band.resize((width, height)) for band in bands])
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x0110] = "Model 7"
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (
        TiffImagePlugin.IFDRational(48),
        TiffImagePlugin.IFDRational(51),
        TiffImagePlugin.IFDRational(24),
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_malicious_exif() -> bytes:
    """A valid JPEG whose APP1 EXIF block is a trap: IFD0 claims 65,535 entries and points at itself, with
    an Exif sub-IFD pointer far outside the block."""
    tiff = b"II*\x00" + struct.pack("<I", 8)
    # IFD0: 2 entries: ExifIFD pointer -> 0x7FFFFFF0 (outside), Make with a value offset outside the block.
    entries = struct.pack("<HHII", 0x8769, 4, 1, 0x7FFFFFF0) + struct.pack(
        "<HHII", 0x010F, 2, 4096, 0x6FFFFFF0
    )
    ifd0 = struct.pack("<H", 2) + entries + struct.pack("<I", 8)  # next IFD: itself (a loop)
    exif = b"Exif\x00\x00" + tiff + ifd0
    image = Image.new("RGB", (64, 64), (10, 200, 10))
    plain = io.BytesIO()
    image.save(plain, "JPEG")
    data = plain.getvalue()
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    return data[:2] + app1 + data[2:]


SVG_HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 200 100">'
)

GOOD_SVG = (
    SVG_HEAD + "<metadata><rdf>made with an editor</rdf></metadata>"
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#1f4e79"/><stop offset="1" stop-color="#fff"/>'
    "</linearGradient></defs>"
    '<rect x="0" y="0" width="200" height="100" fill="url(#g)"/>'
    '<circle cx="50" cy="50" r="30" style="fill:#c00;stroke:#000;stroke-width:2"/>'
    '<text x="100" y="60" font-size="24">Acme</text></svg>'
).encode()

SVG_TRAPS = {
    "script": (
        SVG_HEAD + '<script>fetch("http://127.0.0.1/steal")</script><rect width="10" height="10"/></svg>',
        "The SVG contains a script; logos may not run code.",
    ),
    "xlink file": (
        SVG_HEAD + '<use xlink:href="file:///etc/passwd"/></svg>',
        "The SVG refers to 'file:///etc/passwd'; a logo may refer only to its own parts (#id), never to a "
        "file, an address or embedded data.",
    ),
    "http image": (
        SVG_HEAD + '<image xlink:href="http://127.0.0.1:9/x.png" width="10" height="10"/></svg>',
        "The SVG embeds an image; a logo must be drawn with shapes (upload a PNG or JPEG instead).",
    ),
    "http use": (
        SVG_HEAD + '<use href="http://127.0.0.1:9/sprite.svg#a"/></svg>',
        "The SVG refers to 'http://127.0.0.1:9/sprite.svg#a'; a logo may refer only to its own parts "
        "(#id), never to a file, an address or embedded data.",
    ),
    "http fill": (
        SVG_HEAD + '<rect width="10" height="10" fill="url(http://127.0.0.1:9/p.svg#x)"/></svg>',
        "The SVG refers to 'http://127.0.0.1:9/p.svg#x' in url(...); a logo may refer only to its own parts "
        "(url(#id)).",
    ),
    "data uri": (
        SVG_HEAD + '<use xlink:href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>',
        "The SVG refers to 'data:image/svg+xml;base64,PHN2Zy8+'; a logo may refer only to its own parts "
        "(#id), never to a file, an address or embedded data.",
    ),
    "billion laughs": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
        '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
        '<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>' + SVG_HEAD + "<text>&i;</text></svg>",
        "The SVG declares a document type or entities; logos may not (entity expansion is refused).",
    ),
    "external entity": (
        '<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://127.0.0.1:9/svg.dtd">' + SVG_HEAD + "</svg>",
        "The SVG declares a document type or entities; logos may not (entity expansion is refused).",
    ),
    "event attribute": (
        SVG_HEAD + '<rect width="10" height="10" onload="alert(1)"/></svg>',
        "The SVG has an event attribute (onload); logos may not run code.",
    ),
    "foreignObject": (
        SVG_HEAD
        + '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://x/"/></foreignObject></svg>',
        "The SVG contains a foreignObject (embedded HTML); logos may not.",
    ),
    "import": (
        SVG_HEAD + "<style>@import url(http://127.0.0.1:9/x.css);</style></svg>",
        "The SVG imports a style sheet (@import); logos may not refer to other files.",
    ),
    "style url": (
        SVG_HEAD + '<rect width="10" height="10" style="fill:url(\'file:///etc/passwd\')"/></svg>',
        "The SVG refers to 'file:///etc/passwd' in url(...); a logo may refer only to its own parts "
        "(url(#id)).",
    ),
    "link": (
        SVG_HEAD + '<a href="javascript:alert(1)"><rect width="10" height="10"/></a></svg>',
        "The SVG contains a link; logos may not.",
    ),
}
