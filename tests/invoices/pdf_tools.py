"""Reading a rendered PDF back, for the PDF renderer's tests: its text, fonts, page sizes and ink.

The poppler tools (Debian ``poppler-utils``) are required, not optional: a missing tool fails the test
with the command that installs it, so a machine without them can never pass by skipping.
"""

import copy
import dataclasses
import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from PIL import Image, ImageChops
from pypdf import PdfReader
from xhtml2pdf import pisa

from invoices.document.model import DEFAULT_STYLE, BrandStyle, Document, RenderOptions
from invoices.document.validation import read_request
from invoices.renderers.layouts import layout_template
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_build import PDFRenderError
from invoices.renderers.pdf_context import invoice_context
from invoices.renderers.pdf_fonts import register_fonts
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback
from tests.payloads import sample_payload


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed; the PDF tests need poppler-utils: apt-get install -y poppler-utils"
        )
    return path


def _run(tool: str, *args: str, cwd: Path) -> bytes:
    command = [require_tool(tool), *args]
    return subprocess.run(command, capture_output=True, check=True, cwd=cwd, timeout=60).stdout


def _with_file(pdf: bytes, tool: str, *args: str) -> bytes:
    """Run a poppler tool on ``pdf`` written to in.pdf; "{pdf}" in ``args`` stands for that file."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        out = _run(tool, *(str(source) if arg == "{pdf}" else arg for arg in args), cwd=Path(folder))
        pngs = sorted(Path(folder).glob("page*.png"))
        return pngs[0].read_bytes() if pngs else out


def pdf_text(pdf: bytes) -> str:
    return _with_file(pdf, "pdftotext", "-layout", "-enc", "UTF-8", "{pdf}", "-").decode()


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page: pdftotext ends every page with a form feed."""
    return pdf_text(pdf).split("\f")[:-1]


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """The fonts pdffonts lists, without their subset prefix, and whether each is embedded."""
    lines = _with_file(pdf, "pdffonts", "{pdf}").decode().splitlines()[2:]
    fonts: dict[str, bool] = {}
    for line in lines:
        columns = line.split()
        name = columns[0].split("+")[-1]
        embedded = columns[-5] == "yes"  # ... emb sub uni object ID
        fonts[name] = fonts.get(name, False) or embedded
    return fonts


def fonts_drawing(pdf: bytes) -> dict[str, set[str]]:
    """For each visible character (NFKC), the fonts it is drawn in, read from the content streams."""
    drawn: dict[str, set[str]] = defaultdict(set)

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if font is None:
            return
        name = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
        for char in unicodedata.normalize("NFKC", text):
            if not char.isspace():
                drawn[char].add(name)

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return drawn


def drawn_text(pdf: bytes) -> str:
    """All text in the order it is drawn, without whitespace: a cell's wrapped lines are drawn one after
    another, so a long value that wraps is still one substring here."""
    chunks: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=lambda text, *_: chunks.append(text))
    return "".join(nfkc("".join(chunks)).split())


def page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    return [
        (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def ink(pdf: bytes, page: int = 1, dpi: int = 60) -> int:
    """How many pixels of the page, rendered at ``dpi``, are not (nearly) white."""
    png = _with_file(
        pdf, "pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "{pdf}", "page"
    )
    grey = Image.open(io.BytesIO(png)).convert("L")
    return sum(count for value, count in enumerate(grey.histogram()) if value < 200)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def payload_with_lines(descriptions: list[str], **invoice: Any) -> dict[str, Any]:
    """The shared sample, with one line per description (copies of its first line) and no claimed totals."""
    payload = sample_payload()
    body = payload["invoice"]
    body.pop("totals", None)
    body["lines"] = [dict(copy.deepcopy(body["lines"][0]), description=text) for text in descriptions]
    body.update(invoice)
    return payload


# The unbranded look of invoices issued before classic version 2: the template through xhtml2pdf.
CLASSIC_V1 = dataclasses.replace(DEFAULT_STYLE, layout_version=1)


def build(payload: dict[str, Any], style: BrandStyle | None = None) -> tuple[RenderOptions, Document]:
    """The options and document of ``payload``, in ``style`` when given (else today's unbranded look)."""
    options, document = read_request(payload)
    return (dataclasses.replace(options, style=style) if style else options), document


def render_payload(payload: dict[str, Any], style: BrandStyle | None = None) -> bytes:
    options, document = build(payload, style)
    return render_pdf(document, options).content


def render_invoice_html(document: Document, options: RenderOptions) -> str:
    """The HTML the PDF renderer hands to xhtml2pdf, in the layout of ``options.style`` (classic version 1
    unbranded), with the line table's and the logo's blocks left empty."""
    template = layout_template(options.style.layout, options.style.layout_version)
    return render_to_string(template, {**invoice_context(document, options), "line_table": "", "logo": ""})


def html_to_pdf(html: str) -> bytes:
    """Any HTML through xhtml2pdf's own CreatePDF, under the invoice renderer's fonts and resource policy."""
    register_fonts()
    out = io.BytesIO()
    status = pisa.CreatePDF(
        html, dest=out, encoding="utf-8", link_callback=link_callback, resource_policy=RESOURCE_POLICY
    )
    if status.err:
        raise PDFRenderError(f"xhtml2pdf reported {status.err} error(s)")
    return out.getvalue()


def squeezed(text: str) -> str:
    """``text`` without any whitespace: pdftotext's layout mode prints a no-break space inside a number
    ("19 %", "1 350,00") as a space, or not at all where the gap is narrow."""
    return "".join(text.split())


def holds(text: str, value: str) -> bool:
    """Whether the PDF's ``text`` shows ``value`` (a formatted number or phrase), spaces aside."""
    return squeezed(value) in squeezed(text)


def printed_pattern(value: str) -> str:
    """A regular expression for ``value`` as pdftotext's layout mode prints it: each no-break space of a
    CLDR format ("19 %", "1 234,50 €", "CHF 1'250.00") printed as a space or not at all."""
    return "".join(r"\s?" if char in "\xa0\u202f" else re.escape(char) for char in value)


def page_image(pdf: bytes, page: int = 1, dpi: int = 60) -> Image.Image:
    """Page ``page`` of ``pdf`` as pdftoppm draws it at ``dpi``, in RGB."""
    png = _with_file(
        pdf, "pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "{pdf}", "page"
    )
    return Image.open(io.BytesIO(png)).convert("RGB")


def colour_mask(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> Image.Image:
    """A mask of ``image``: 255 where a pixel is ``colour`` give or take ``tolerance`` in each channel
    (anti-aliasing blends a shape's edges), 0 elsewhere."""
    channels = [
        band.point(lambda value, wanted=wanted: 255 if abs(value - wanted) <= tolerance else 0)
        for band, wanted in zip(image.split(), colour, strict=True)
    ]
    mask = ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2])
    return mask


def colour_pixels(
    image: Image.Image, colour: tuple[int, int, int], box: tuple[float, float, float, float] = (0, 0, 1, 1)
) -> int:
    """How many pixels of ``image`` within ``box`` (left, top, right, bottom as shares of the page) are
    ``colour`` (``colour_mask``)."""
    width, height = image.size
    left, top, right, bottom = box
    region = image.crop(
        (round(left * width), round(top * height), round(right * width), round(bottom * height))
    )
    return colour_mask(region, colour).histogram()[255]


def colour_box(image: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom in pixels) of ``image``'s pixels that are ``colour``."""
    return colour_mask(image, colour).getbbox()
