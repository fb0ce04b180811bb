"""``pdfa.make_facturx`` and ``pdfa.pdfa_problems``: the Factur-X file's PDF/A-3b structure, read back.

The file is our normal PDF of the sample invoice with the hand-written CII XML of the same invoice attached.
Each structural promise is read back with pikepdf, the attachment also with the factur-x package's reader
(which uses pypdf), and every check of ``pdfa_problems`` is shown to fail on a file broken in its way.
"""

import hashlib
import io
from collections.abc import Callable

import pikepdf
import pytest
from facturx import get_facturx_xml_from_pdf, get_xml_from_pdf
from lxml import etree  # type: ignore[import-untyped]
from pikepdf import Array, Dictionary, Name, Pdf, String
from pikepdf.pdfa import validate_written
from reportlab.pdfgen.canvas import Canvas

from invoices.renderers.pdfa import (
    DC,
    FACTURX_NAMESPACE,
    PDFA_SCHEMA,
    PDFAID,
    RDF,
    FacturXError,
    FacturXMetadata,
    attached_xml,
    make_facturx,
    pdfa_problems,
)


def relationship_of(pdf: bytes) -> Name:
    with Pdf.open(io.BytesIO(pdf)) as document:
        return Name(str(pikepdf.NameTree(document.Root.Names.EmbeddedFiles)["factur-x.xml"].AFRelationship))


def xmp(pdf: bytes) -> etree._Element:
    with Pdf.open(io.BytesIO(pdf)) as document:
        return etree.fromstring(document.Root.Metadata.read_bytes())


def xmp_text(root: etree._Element, namespace: str, name: str) -> list[str]:
    return [element.text or "" for element in root.iter(f"{{{namespace}}}{name}")]


# The attachment -------------------------------------------------------------------------------------------


def test_pikepdf_reads_back_the_very_xml(facturx_pdf, sample_xml):
    with Pdf.open(io.BytesIO(facturx_pdf)) as document:
        assert list(document.attachments) == ["factur-x.xml"]
        assert document.attachments["factur-x.xml"].get_file().read_bytes() == sample_xml


def test_attached_xml_reads_back_the_very_xml(facturx_pdf, plain_pdf, sample_xml):
    assert attached_xml(facturx_pdf) == ("factur-x.xml", sample_xml)
    with pytest.raises(ValueError, match="not one invoice XML attached"):
        attached_xml(plain_pdf)


def test_the_factur_x_package_reads_back_the_very_xml(facturx_pdf, sample_xml):
    # An independent reader (pypdf underneath), which also checks the XML against the Factur-X XSD of the
    # level the XML declares: it answers (False, False) for an attachment it does not accept.
    assert get_facturx_xml_from_pdf(io.BytesIO(facturx_pdf)) == ("factur-x.xml", sample_xml)
    assert get_xml_from_pdf(facturx_pdf, check_xsd=True) == ("factur-x.xml", sample_xml)


def test_the_file_specification_is_what_factur_x_asks_for(facturx_pdf, sample_xml):
    with Pdf.open(io.BytesIO(facturx_pdf)) as document:
        filespec = pikepdf.NameTree(document.Root.Names.EmbeddedFiles)["factur-x.xml"]
        assert filespec.Type == Name.Filespec
        assert str(filespec.F) == str(filespec.UF) == "factur-x.xml"
        assert filespec.AFRelationship == Name.Alternative
        assert [item.objgen for item in document.Root.AF] == [filespec.objgen]
        stream = filespec.EF.F
        assert filespec.EF.UF.objgen == stream.objgen
        assert stream.Type == Name.EmbeddedFile
        assert stream.Subtype == Name("/text/xml")
        assert stream.Params.Size == len(sample_xml)
        assert bytes(stream.Params.CheckSum) == hashlib.md5(sample_xml, usedforsecurity=False).digest()
        assert str(stream.Params.ModDate).startswith("D:20")
        # A slash in a PDF name is written escaped (the hex digits' case does not matter).
        assert stream.Subtype.unparse().lower() == b"/text#2fxml"


def test_an_xrechnung_is_attached_as_xrechnung_xml(plain_pdf, sample_xml):
    # ZUGFeRD 2.2's hybrid XRechnung: the same structure, the XML named xrechnung.xml, the level XRECHNUNG.
    pdf = make_facturx(plain_pdf, sample_xml, metadata=FacturXMetadata(conformance_level="XRECHNUNG"))
    assert pdfa_problems(pdf) == []
    with Pdf.open(io.BytesIO(pdf)) as document:
        assert list(document.attachments) == ["xrechnung.xml"]
        assert document.attachments["xrechnung.xml"].get_file().read_bytes() == sample_xml
    root = xmp(pdf)
    assert xmp_text(root, FACTURX_NAMESPACE, "DocumentFileName") == ["xrechnung.xml"]
    assert xmp_text(root, FACTURX_NAMESPACE, "ConformanceLevel") == ["XRECHNUNG"]


@pytest.mark.parametrize("relationship", ["Data", "Alternative", "Source"])
def test_the_relationship_can_be_chosen(plain_pdf, sample_xml, relationship):
    pdf = make_facturx(plain_pdf, sample_xml, relationship=relationship)
    assert relationship_of(pdf) == Name("/" + relationship)


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<rsm:CrossIndustryInvoice", "not well-formed"),
        (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>", "not a CII invoice"),
    ],
)
def test_xml_that_is_not_a_cii_invoice_is_refused(plain_pdf, xml, reason):
    with pytest.raises(ValueError, match=reason):
        make_facturx(plain_pdf, xml)


def test_bytes_that_are_no_pdf_have_problems():
    assert any("cannot open the PDF" in problem for problem in pdfa_problems(b"%PDF-1.7 nothing"))


def test_an_unknown_relationship_or_level_is_refused(plain_pdf, sample_xml):
    with pytest.raises(ValueError, match="AFRelationship"):
        make_facturx(plain_pdf, sample_xml, relationship="Supplement")
    with pytest.raises(ValueError, match="conformance level"):
        make_facturx(plain_pdf, sample_xml, metadata=FacturXMetadata(conformance_level="COMFORT"))


# The PDF/A structure ---------------------------------------------------------------------------------------


def test_the_file_passes_every_check(facturx_pdf):
    assert pdfa_problems(facturx_pdf) == []


def test_pikepdf_finds_nothing_but_the_extension_schema_it_cannot_read(facturx_pdf):
    # pikepdf's validator does not read PDF/A extension schemas, so it reports the Factur-X properties and
    # the namespaces of their schema description as not permitted; that is all it may report.
    report = validate_written(io.BytesIO(facturx_pdf), "3b")
    assert report.findings
    for finding in report.findings:
        assert finding.rule == "ISO_19005_3:6.6.2.3.1-1", finding
        assert "fx:" in finding.message or "fx=" in finding.message or "pdfa" in finding.message, finding


def test_pikepdf_passes_the_file_without_the_factur_x_metadata(plain_pdf, sample_xml):
    # The same conversion but for the Factur-X XMP: pikepdf's own verdict is a pass.
    def without_facturx_xmp(document: Pdf) -> None:
        root = etree.fromstring(document.Root.Metadata.read_bytes())
        rdf = root.find(f"{{{RDF}}}RDF")
        for description in list(rdf):
            if any(
                child.tag.startswith(("{urn:factur-x", "{http://www.aiim.org/pdfa/ns/ext"))
                for child in description
            ):
                rdf.remove(description)
        document.Root.Metadata.write(etree.tostring(root))

    stripped = mutated(make_facturx(plain_pdf, sample_xml), without_facturx_xmp)
    assert validate_written(io.BytesIO(stripped), "3b").verdict == "pass"


def test_every_font_is_embedded_and_the_output_intent_is_srgb(facturx_pdf):
    with Pdf.open(io.BytesIO(facturx_pdf)) as document:
        for page in document.pages:
            for font in page.Resources.Font.values():
                assert Name.FontFile2 in font.FontDescriptor, font.BaseFont
            assert Name.Trans not in page.obj
        (intent,) = document.Root.OutputIntents
        assert intent.S == Name.GTS_PDFA1
        assert str(intent.OutputConditionIdentifier) == "sRGB"
        assert intent.DestOutputProfile.read_bytes()[16:20] == b"RGB "
        assert not document.is_encrypted
        assert len(document.trailer.ID) == 2
        assert document.pdf_version <= "1.7"


def test_the_xmp_declares_pdfa_3b_and_factur_x(facturx_pdf):
    root = xmp(facturx_pdf)
    assert xmp_text(root, PDFAID, "part") == ["3"]
    assert xmp_text(root, PDFAID, "conformance") == ["B"]
    assert xmp_text(root, FACTURX_NAMESPACE, "DocumentType") == ["INVOICE"]
    assert xmp_text(root, FACTURX_NAMESPACE, "DocumentFileName") == ["factur-x.xml"]
    assert xmp_text(root, FACTURX_NAMESPACE, "Version") == ["1.0"]
    assert xmp_text(root, FACTURX_NAMESPACE, "ConformanceLevel") == ["EN 16931"]
    assert xmp_text(root, PDFA_SCHEMA, "namespaceURI") == [FACTURX_NAMESPACE]
    assert xmp_text(root, PDFA_SCHEMA, "prefix") == ["fx"]
    names = {element.text for element in root.iter("{http://www.aiim.org/pdfa/ns/property#}name")}
    assert names == {"DocumentType", "DocumentFileName", "Version", "ConformanceLevel"}
    # The PDF's own title, author and subject (the invoice template's) carried into the XMP.
    (title,) = root.iter(f"{{{DC}}}title")
    assert "".join(title.itertext()).strip() == "Invoice INV-2026-0042"
    assert "Nuage Informatique SAS" in "".join(next(root.iter(f"{{{DC}}}creator")).itertext())


def test_a_title_given_replaces_the_pdfs_own(plain_pdf, sample_xml):
    pdf = make_facturx(plain_pdf, sample_xml, title="Rechnung INV-2026-0042", author="Nuage", subject="S")
    with Pdf.open(io.BytesIO(pdf)) as document:
        assert str(document.docinfo.Title) == "Rechnung INV-2026-0042"
        assert str(document.docinfo.Author) == "Nuage"
        assert "Rechnung INV-2026-0042" in document.Root.Metadata.read_bytes().decode()


# Each check fails on a file broken in its way -------------------------------------------------------------


def mutated(pdf: bytes, change: Callable[[Pdf], None], **save: object) -> bytes:
    with Pdf.open(io.BytesIO(pdf)) as document:
        change(document)
        out = io.BytesIO()
        document.save(out, **save)  # type: ignore[arg-type]
        return out.getvalue()


def unchanged(document: Pdf) -> None:
    pass


def no_attachment(document: Pdf) -> None:
    del document.Root.Names[Name.EmbeddedFiles]
    del document.Root[Name.AF]


def no_relationship(document: Pdf) -> None:
    del document.Root.AF[0][Name.AFRelationship]


def not_associated(document: Pdf) -> None:
    del document.Root[Name.AF]


def no_mime_type(document: Pdf) -> None:
    del document.Root.AF[0].EF.F[Name.Subtype]


def wrong_size(document: Pdf) -> None:
    document.Root.AF[0].EF.F.Params.Size = 1


def other_name(document: Pdf) -> None:
    document.Root.Names.EmbeddedFiles.Names[0] = String("invoice.xml")


def attached_as_xrechnung(document: Pdf) -> None:
    filespec = document.Root.AF[0]
    filespec.F = filespec.UF = String("xrechnung.xml")
    document.Root.Names.EmbeddedFiles.Names[0] = String("xrechnung.xml")


def level_xrechnung(document: Pdf) -> None:
    _edit_xmp(document, b">EN 16931<", b">XRECHNUNG<")


def two_invoices(document: Pdf) -> None:
    names = document.Root.Names.EmbeddedFiles.Names
    document.Root.Names.EmbeddedFiles.Names = Array([*names, String("xrechnung.xml"), names[1]])


def no_unicode_name(document: Pdf) -> None:
    del document.Root.AF[0][Name.UF]


def no_output_intent(document: Pdf) -> None:
    del document.Root[Name.OutputIntents]


def helvetica_in_a_form_xobject(document: Pdf) -> None:
    # A font that is not embedded, reached through a form XObject drawn on the page.
    helvetica = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    form = pikepdf.Stream(document, b"BT /H 9 Tf 10 10 Td (x) Tj ET")
    form.Type, form.Subtype, form.BBox = Name.XObject, Name.Form, Array([0, 0, 20, 20])
    form.Resources = Dictionary(Font=Dictionary(H=helvetica))
    page = document.pages[0]
    page.Resources[Name.XObject] = Dictionary(Fx=document.make_indirect(form))
    page.contents_add(pikepdf.Stream(document, b"q /Fx Do Q"))


def font_program_removed(document: Pdf) -> None:
    for font in document.pages[0].Resources.Font.values():
        del font.FontDescriptor[Name.FontFile2]


def transition(document: Pdf) -> None:
    document.pages[0].obj[Name.Trans] = Dictionary()


def _edit_xmp(document: Pdf, old: bytes, new: bytes) -> None:
    packet = document.Root.Metadata.read_bytes()
    assert old in packet
    document.Root.Metadata.write(packet.replace(old, new))


def pdfa_part_2(document: Pdf) -> None:
    _edit_xmp(document, b"<pdfaid:part>3</pdfaid:part>", b"<pdfaid:part>2</pdfaid:part>")


def no_conformance_level(document: Pdf) -> None:
    _edit_xmp(document, b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>", b"")


def no_extension_schema(document: Pdf) -> None:
    _edit_xmp(
        document,
        FACTURX_NAMESPACE.encode() + b"</pdfaSchema:namespaceURI>",
        b"urn:x</pdfaSchema:namespaceURI>",
    )


def no_metadata(document: Pdf) -> None:
    del document.Root[Name.Metadata]


BREAKAGES = [
    (no_attachment, "no embedded files"),
    (no_relationship, "/AFRelationship is None"),
    (not_associated, "not in the catalog's /AF array"),
    (no_mime_type, "/Subtype is not text/xml"),
    (wrong_size, "/Params /Size is not its length"),
    (other_name, "not one invoice XML among the embedded files"),
    (
        attached_as_xrechnung,
        "XMP fx:DocumentFileName is ['factur-x.xml'], but the XML is attached as xrechnung.xml",
    ),
    (level_xrechnung, "XMP fx:DocumentFileName is ['factur-x.xml'], not xrechnung.xml (XRECHNUNG)"),
    (two_invoices, "not one invoice XML among the embedded files"),
    (no_unicode_name, "file specification's /UF is not factur-x.xml"),
    (no_output_intent, "no PDF/A output intent"),
    (helvetica_in_a_form_xobject, "page 1, /XObject /Fx: font /H (/Helvetica) is not embedded"),
    (font_program_removed, "is not embedded"),
    (transition, "page 1 has a /Trans"),
    (pdfa_part_2, "XMP http://www.aiim.org/pdfa/ns/id/part is ['2']"),
    (no_conformance_level, "ConformanceLevel is missing"),
    (no_extension_schema, "no PDF/A extension schema for the Factur-X namespace"),
    (no_metadata, "no XMP metadata stream"),
]


def test_the_file_saved_again_unchanged_still_passes(facturx_pdf):
    # The control for the breakages below: saving through pikepdf is not what they detect.
    assert pdfa_problems(mutated(facturx_pdf, unchanged)) == []


@pytest.mark.parametrize(("breakage", "problem"), BREAKAGES, ids=[b.__name__ for b, _ in BREAKAGES])
def test_each_check_fails_on_a_file_broken_in_its_way(facturx_pdf, breakage, problem):
    problems = pdfa_problems(mutated(facturx_pdf, breakage))
    assert any(problem in text for text in problems), problems


def test_an_encrypted_file_fails(facturx_pdf):
    encrypted = mutated(facturx_pdf, unchanged, encryption=pikepdf.Encryption(owner="o", user=""))
    assert "the file is encrypted" in pdfa_problems(encrypted)


def test_the_plain_pdf_fails(plain_pdf):
    problems = pdfa_problems(plain_pdf)
    for expected in ("no PDF/A output intent", "no embedded files", "no XMP metadata stream", "/Trans"):
        assert any(expected in text for text in problems), (expected, problems)


@pytest.mark.parametrize("full_check", [True, False])
def test_a_pdf_with_a_font_that_is_not_embedded_is_refused(sample_xml, full_check):
    # reportlab's default: Helvetica, named but not embedded. make_facturx checks what it made and refuses,
    # with our own checks alone too.
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "Invoice")
    canvas.save()
    with pytest.raises(FacturXError, match=r"font /F1 \(/Helvetica\) is not embedded"):
        make_facturx(out.getvalue(), sample_xml, title="Invoice", full_check=full_check)


def test_our_own_checks_alone_leave_out_pikepdfs(plain_pdf):
    # Without the validator, the plain PDF fails only our checks (its /Trans, no metadata, no attachment...).
    problems = pdfa_problems(plain_pdf, full=False)
    assert problems
    assert not any(text.startswith("[") for text in problems)
    assert any(text.startswith("[") for text in pdfa_problems(plain_pdf))
