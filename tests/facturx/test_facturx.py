"""``render_facturx``: the invoice's Factur-X file, read back as a buyer's tools would read it.

It must say what the normal PDF says, look the same, carry the CII rendition's XML byte for byte, open in
pypdf and poppler, and pass ``pdfa_problems``, for any invoice the PDF renderer draws (long ones, every
script, both page sizes).
"""

import dataclasses
import io
import sys
from typing import Any

import pikepdf
import pytest
from facturx import get_facturx_xml_from_pdf
from pypdf import PdfReader

from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.renderers import content_types
from invoices.renderers.facturx import render_facturx
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdfa import make_facturx, pdfa_problems
from tests.facturx.tools import cii_options, png_pages, poppler, same_pixels
from tests.invoices.pdf_tools import build, payload_with_lines, pdf_fonts, pdf_text

SCRIPTS = "Crème brûlée Ελληνικά Русский العربية עברית 中文 日本語 한국어"


@pytest.fixture
def rendered(sample, cii_writer):
    options, document = sample
    return render_facturx(document, options)


def test_the_rendition_is_a_pdf_named_like_the_invoice(rendered):
    assert rendered.filename == "INV-2026-0042.pdf"
    assert rendered.content_type == content_types.FACTURX == "application/pdf"
    assert rendered.content.startswith(b"%PDF-1.")


def test_the_attached_xml_is_the_cii_renditions(rendered, sample, cii_writer):
    options, document = sample
    expected = cii_writer(document, cii_options(options))
    assert get_facturx_xml_from_pdf(io.BytesIO(rendered.content)) == ("factur-x.xml", expected)
    attachments = PdfReader(io.BytesIO(rendered.content)).attachments
    assert attachments == {"factur-x.xml": [expected]}


def test_the_rendition_passes_the_pdfa_checks(rendered):
    assert pdfa_problems(rendered.content) == []


def test_it_says_and_shows_what_the_normal_pdf_does(rendered, plain_pdf):
    assert pdf_text(rendered.content) == pdf_text(plain_pdf)
    ours, theirs = png_pages(rendered.content), png_pages(plain_pdf)
    assert len(ours) == len(theirs) == 1
    assert same_pixels(ours[0], theirs[0])


def test_pypdf_opens_it(rendered):
    reader = PdfReader(io.BytesIO(rendered.content), strict=True)
    assert len(reader.pages) == 1
    assert "INV-2026-0042" in reader.pages[0].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Invoice INV-2026-0042"
    assert not reader.is_encrypted


def test_qpdf_finds_no_syntax_problem(rendered):
    with pikepdf.Pdf.open(io.BytesIO(rendered.content)) as document:
        assert document.check_pdf_syntax() == []


def test_pdfinfo_reports_it_fine(rendered):
    result = poppler("pdfinfo", rendered.content)
    assert result.returncode == 0
    assert result.stderr == b""
    info = {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in result.stdout.decode().splitlines())
    }
    assert info["Pages"] == "1"
    assert info["Encrypted"] == "no"
    assert info["Metadata Stream"] == "yes"
    assert info["Title"] == "Invoice INV-2026-0042"
    assert info["PDF version"] in {"1.4", "1.5", "1.6", "1.7"}
    assert poppler("pdfdetach", rendered.content, "-list").stdout.decode().split("\n")[1] == "1: factur-x.xml"


def letter(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "page_size": "letter"}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(payload_with_lines([f"Line {n:03d} of a long invoice" for n in range(120)]), id="long"),
        pytest.param(letter(payload_with_lines(SCRIPTS.split())), id="scripts-letter"),
    ],
)
def test_any_invoice_the_pdf_renderer_draws_becomes_pdfa(payload, sample_xml):
    # The PDF/A part alone, with the sample's XML: every page, every font (the CJK collection included).
    options, document = build(payload)
    plain = render_pdf(document, options).content
    pdf = make_facturx(plain, sample_xml)
    assert pdfa_problems(pdf) == []
    assert all(pdf_fonts(pdf).values())
    assert pdf_text(pdf) == pdf_text(plain)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(PdfReader(io.BytesIO(plain)).pages)


def test_it_asks_for_a_pdf_and_for_factur_x_cii(sample, cii_writer, monkeypatch):
    # Whatever the invoice's own cii rendition is (XRechnung here), the file carries Factur-X CII; the PDF is
    # drawn on the invoice's page size.
    from invoices.renderers import facturx

    asked: dict[str, RenderOptions] = {}

    def pdf_spy(document: Document, options: RenderOptions) -> RenderedFile:
        asked["pdf"] = options
        return render_pdf(document, options)

    def cii_spy(document: Document, options: RenderOptions) -> bytes:
        asked["cii"] = options
        return cii_writer(document, options)

    monkeypatch.setattr(facturx, "render_pdf", pdf_spy)
    monkeypatch.setattr(sys.modules["invoices.renderers.cii"], "cii_xml", cii_spy)
    options, document = sample
    options = dataclasses.replace(options, page_size="letter", cii_profile="xrechnung")
    rendered = render_facturx(document, options)
    assert (asked["pdf"].format, asked["pdf"].page_size) == ("pdf", "letter")
    assert (asked["cii"].format, asked["cii"].cii_profile) == ("cii", "factur-x")
    assert asked["cii"].page_size == "letter"
    assert pdfa_problems(rendered.content) == []


def test_an_invoice_with_characters_no_font_has_is_still_pdfa(sample, cii_writer):
    options, document = sample
    data = document.data
    first = dataclasses.replace(
        document.lines[0], line=dataclasses.replace(document.lines[0].line, description="नमस्ते")
    )
    document = dataclasses.replace(
        document,
        data=dataclasses.replace(data, seller=dataclasses.replace(data.seller, name="Pizza 🍕 SAS")),
        lines=(first, *document.lines[1:]),
    )
    rendered = render_facturx(document, options)
    assert pdfa_problems(rendered.content) == []
    assert "Pizza \ufffd SAS" in pdf_text(rendered.content)
    # The XML is the CII writer's for the document as it is, the characters kept.
    expected = cii_writer(document, cii_options(options))
    assert get_facturx_xml_from_pdf(io.BytesIO(rendered.content)) == ("factur-x.xml", expected)
