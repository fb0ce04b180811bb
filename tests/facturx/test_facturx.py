"""``render_facturx``: the invoice's Factur-X file, read back as a buyer's tools would read it.

It must carry the ``cii`` rendition's XML byte for byte (``factur-x.xml``, or ``xrechnung.xml`` for the
XRechnung profile), say and show what the normal PDF does, open in pypdf, qpdf and poppler, and pass
``pdfa_problems``; the PDF/A part must hold for any invoice the PDF renderer draws (long ones, every script,
both page sizes).
"""

import dataclasses
import io
from typing import Any

import pikepdf
import pytest
from facturx import get_xml_from_pdf
from lxml import etree  # type: ignore[import-untyped]
from pypdf import PdfReader

from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.renderers import content_types, facturx, render
from invoices.renderers.cii import cii_xml
from invoices.renderers.facturx import render_facturx
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdfa import FACTURX_NAMESPACE, make_facturx, pdfa_problems
from tests.facturx.conftest import as_format
from tests.facturx.tools import png_pages, poppler, same_pixels
from tests.invoices.pdf_tools import build, payload_with_lines, pdf_fonts, pdf_text

SCRIPTS = "Crème brûlée Ελληνικά Русский العربية עברית 中文 日本語 한국어"
# What each CII profile is attached as, and the conformance level the XMP declares for it.
ATTACHED = {"factur-x": ("factur-x.xml", "EN 16931"), "xrechnung": ("xrechnung.xml", "XRECHNUNG")}


@pytest.fixture(scope="module")
def rendered(einvoice) -> RenderedFile:
    options, document = einvoice
    return render_facturx(document, options)


def test_the_rendition_is_a_pdf_named_like_the_invoice(rendered):
    assert rendered.filename == "RE-2026-1001-facturx.pdf"
    assert rendered.content_type == content_types.FACTURX == "application/pdf"
    assert rendered.content.startswith(b"%PDF-1.")


def test_the_attached_xml_is_the_cii_rendition_byte_for_byte(rendered, einvoice):
    options, document = einvoice
    # The cii rendition as it is stored: through the dispatcher, which also runs the official rules on it.
    expected = render(document, as_format(options, "cii")).content
    name, level = ATTACHED[options.cii_profile]
    # The factur-x package's reader (pypdf underneath), which also checks the XML against the Factur-X XSD.
    assert get_xml_from_pdf(rendered.content, check_xsd=True, filenames=[name]) == (name, expected)
    assert PdfReader(io.BytesIO(rendered.content)).attachments == {name: [expected]}
    with pikepdf.Pdf.open(io.BytesIO(rendered.content)) as pdf:
        assert pdf.attachments[name].get_file().read_bytes() == expected
        xmp = etree.fromstring(pdf.Root.Metadata.read_bytes())
    assert [element.text for element in xmp.iter(f"{{{FACTURX_NAMESPACE}}}ConformanceLevel")] == [level]
    assert [element.text for element in xmp.iter(f"{{{FACTURX_NAMESPACE}}}DocumentFileName")] == [name]


def test_the_rendition_passes_the_pdfa_checks(rendered):
    assert pdfa_problems(rendered.content) == []


def test_it_says_and_shows_what_the_normal_pdf_does(rendered, einvoice):
    options, document = einvoice
    plain = render_pdf(document, as_format(options, "pdf")).content
    assert pdf_text(rendered.content) == pdf_text(plain)
    ours, theirs = png_pages(rendered.content), png_pages(plain)
    assert len(ours) == len(theirs) >= 1
    assert all(same_pixels(a, b) for a, b in zip(ours, theirs, strict=True))


def test_pypdf_opens_it(rendered):
    reader = PdfReader(io.BytesIO(rendered.content), strict=True)
    assert "RE-2026-1001" in reader.pages[0].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Rechnung RE-2026-1001"
    assert not reader.is_encrypted


def test_qpdf_finds_no_syntax_problem(rendered):
    with pikepdf.Pdf.open(io.BytesIO(rendered.content)) as document:
        assert document.check_pdf_syntax() == []


def test_pdfinfo_reports_it_fine(rendered, einvoice):
    result = poppler("pdfinfo", rendered.content)
    assert result.returncode == 0
    assert result.stderr == b""
    info = {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in result.stdout.decode().splitlines())
    }
    assert int(info["Pages"]) >= 1
    assert info["Encrypted"] == "no"
    assert info["Metadata Stream"] == "yes"
    assert info["Title"] == "Rechnung RE-2026-1001"
    assert info["PDF version"] in {"1.4", "1.5", "1.6", "1.7"}
    name, _ = ATTACHED[einvoice[0].cii_profile]
    assert poppler("pdfdetach", rendered.content, "-list").stdout.decode().split("\n")[1] == f"1: {name}"


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
    # The PDF/A part alone, with the hand-written XML: every page, every font (the CJK collection included).
    options, document = build(payload)
    plain = render_pdf(document, options).content
    pdf = make_facturx(plain, sample_xml)
    assert pdfa_problems(pdf) == []
    assert all(pdf_fonts(pdf).values())
    assert pdf_text(pdf) == pdf_text(plain)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(PdfReader(io.BytesIO(plain)).pages)


def test_it_asks_for_a_pdf_and_for_the_invoices_cii(einvoice, monkeypatch):
    # The PDF on the invoice's page size, the CII in the invoice's profile: the cii rendition's very input.
    from invoices.renderers import cii

    asked: dict[str, RenderOptions] = {}

    def pdf_spy(document: Document, options: RenderOptions) -> RenderedFile:
        asked["pdf"] = options
        return render_pdf(document, options)

    def cii_spy(document: Document, options: RenderOptions) -> bytes:
        asked["cii"] = options
        return cii_xml(document, options)

    monkeypatch.setattr(facturx, "render_pdf", pdf_spy)
    monkeypatch.setattr(cii, "cii_xml", cii_spy)
    options, document = einvoice
    options = dataclasses.replace(options, page_size="letter")
    render_facturx(document, options)
    assert asked["pdf"] == dataclasses.replace(options, format="pdf")
    assert asked["cii"] == dataclasses.replace(options, format="cii")


def test_an_invoice_with_characters_no_font_has_is_still_pdfa(einvoice):
    options, document = einvoice
    data = document.data
    first = dataclasses.replace(
        document.lines[0], line=dataclasses.replace(document.lines[0].line, description="नमस्ते")
    )
    document = dataclasses.replace(
        document,
        data=dataclasses.replace(data, seller=dataclasses.replace(data.seller, name="Pizza 🍕 GmbH")),
        lines=(first, *document.lines[1:]),
    )
    rendered = render_facturx(document, options)
    assert pdfa_problems(rendered.content) == []
    assert "Pizza \ufffd GmbH" in pdf_text(rendered.content)
    # The XML is the CII writer's for the document as it is, the characters kept.
    name, _ = ATTACHED[options.cii_profile]
    expected = cii_xml(document, as_format(options, "cii"))
    assert "Pizza 🍕 GmbH".encode() in expected
    assert PdfReader(io.BytesIO(rendered.content)).attachments == {name: [expected]}
