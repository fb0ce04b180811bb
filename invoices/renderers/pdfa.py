"""Our PDF made a Factur-X file: PDF/A-3b with the invoice's CII XML attached as ``factur-x.xml``.

(Or as ``xrechnung.xml``, with the conformance level "XRECHNUNG": ZUGFeRD 2.2 and later's hybrid invoice
carrying an XRechnung CII.)

``make_facturx`` takes the PDF the PDF renderer made and changes its structure, never a page's content:

- each page's empty ``/Trans`` is removed: reportlab writes one, which means nothing, and pikepdf's validator
  does not check page transitions, so it cannot approve a page that has one;
- the XML is attached as PDF/A-3 and Factur-X 1.0 ask: an embedded file stream of type ``text/xml``
  with its size, date and checksum, a file specification with ``/F`` and ``/UF`` and an ``/AFRelationship``,
  listed in the catalog's ``EmbeddedFiles`` name tree and in its ``/AF`` array (an "associated file");
- ``pikepdf.pdfa.prepare`` adds the sRGB output intent (the ICC profile pikepdf ships) and writes the XMP
  metadata from the document information (title, author, subject, dates) with the PDF/A-3B declaration;
- the Factur-X properties (``fx:DocumentType``, ``fx:DocumentFileName``, ``fx:Version``,
  ``fx:ConformanceLevel``) and the PDF/A extension schema that describes them are added to that XMP after
  ``prepare``, which drops every property it does not know;
- the file is written unencrypted, with a document ID, and checked before it is returned.

What the renderer must do for this to hold is embed every font it names: see ``pdf_fonts.BASE_FONT``.

``pdfa_problems`` is the check: pikepdf's PDF/A-3b validator plus checks of our own for what Factur-X
readers rely on. ``make_facturx`` runs it on the file it wrote, all of it or (``full_check=False``, as the
renderer does for speed) our own part; the tests run all of it.
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pikepdf
from lxml import etree  # type: ignore[import-untyped]
from pikepdf import Array, Dictionary, Name, Pdf, Stream, String
from pikepdf.pdfa import prepare as pdfa_prepare
from pikepdf.pdfa import resolve_save_kwargs, validate_written

FLAVOUR = "3b"
FACTURX_FILENAME = "factur-x.xml"
# ZUGFeRD 2.2 and later: an embedded XRechnung CII is named so, and its conformance level is "XRECHNUNG".
XRECHNUNG_FILENAME = "xrechnung.xml"
INVOICE_FILENAMES = frozenset({FACTURX_FILENAME, XRECHNUNG_FILENAME})
FACTURX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
FACTURX_PREFIX = "fx"
# Factur-X 1.0x's names for the profile of the attached XML (fx:ConformanceLevel).
EN16931 = "EN 16931"
XRECHNUNG = "XRECHNUNG"
CONFORMANCE_LEVELS = frozenset({"MINIMUM", "BASIC WL", "BASIC", EN16931, "EXTENDED", XRECHNUNG})
# The XML is the whole invoice (the EN 16931 profile), the same as the pages: Factur-X asks for
# "Alternative" from the BASIC profile up ("Data" is for MINIMUM and BASIC WL, which do not hold the lines).
DEFAULT_RELATIONSHIP = "Alternative"
RELATIONSHIPS = frozenset({"Data", "Alternative", "Source"})

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
CII_ROOT = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
DC = "http://purl.org/dc/elements/1.1/"

# The Factur-X properties and how the extension schema describes each (Factur-X 1.0, section 6.2.2).
_FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML invoice file"),
    ("DocumentType", "The type of the hybrid document: INVOICE"),
    ("Version", "The version of the Factur-X XML schema"),
    ("ConformanceLevel", "The conformance level of the embedded Factur-X data"),
)


class FacturXError(RuntimeError):
    """The Factur-X file made here did not pass ``pdfa_problems``; the message lists why."""


@dataclass(frozen=True)
class FacturXMetadata:
    """What the XMP says about the attached invoice."""

    conformance_level: str = EN16931
    document_type: str = "INVOICE"
    version: str = "1.0"

    @property
    def file_name(self) -> str:
        return xml_file_name(self.conformance_level)


def xml_file_name(conformance_level: str) -> str:
    """The name the invoice XML is attached under, for the conformance level the XMP declares."""
    return XRECHNUNG_FILENAME if conformance_level == XRECHNUNG else FACTURX_FILENAME


def make_facturx(
    pdf: bytes,
    xml: bytes,
    *,
    title: str | None = None,
    author: str | None = None,
    subject: str | None = None,
    relationship: str = DEFAULT_RELATIONSHIP,
    metadata: FacturXMetadata | None = None,
    modified: datetime | None = None,
    full_check: bool = True,
) -> bytes:
    """``pdf`` as a PDF/A-3b Factur-X file with ``xml`` attached, byte for byte, as ``factur-x.xml``
    (``xrechnung.xml`` for the XRECHNUNG level of ZUGFeRD).

    ``title``, ``author`` and ``subject``, when given, replace the PDF's own (our PDF renderer sets all
    three); the XMP is written from them. ``modified`` dates the attachment (now by default).

    FacturXError if the result fails ``pdfa_problems``: all of it, or with ``full_check=False`` only our own
    checks of what this function writes (fonts embedded, output intent, attachment, XMP), which cost under a
    millisecond where pikepdf's validator costs 15-60 ms (it reads every object, content stream and glyph).
    """
    metadata = metadata or FacturXMetadata()
    if metadata.conformance_level not in CONFORMANCE_LEVELS:
        raise ValueError(f"not a Factur-X conformance level: {metadata.conformance_level!r}")
    if relationship not in RELATIONSHIPS:
        raise ValueError(f"AFRelationship must be one of {sorted(RELATIONSHIPS)}, not {relationship!r}")
    _require_cii(xml)
    when = (modified or datetime.now(UTC)).astimezone(UTC)
    with Pdf.open(io.BytesIO(pdf)) as document:
        _remove_empty_transitions(document)
        _set_info(document, title=title, author=author, subject=subject, when=when)
        _attach(document, xml, name=metadata.file_name, relationship=relationship, when=when)
        # Adds the sRGB output intent and rewrites the XMP from the document information, with the
        # PDF/A-3B declaration; it drops properties it does not know, so the Factur-X ones come after.
        pdfa_prepare(document, FLAVOUR, output_intent="sRGB")
        _add_facturx_xmp(document, metadata)
        out = io.BytesIO()
        # The save settings PDF/A needs: no encryption, PDF/A version kept, metadata left as written.
        document.save(out, **resolve_save_kwargs(FLAVOUR))
    result = out.getvalue()
    problems = pdfa_problems(result, full=full_check)
    if problems:
        raise FacturXError("the Factur-X file is not PDF/A-3b: " + "; ".join(problems))
    return result


def _require_cii(xml: bytes) -> None:
    """ValueError unless ``xml`` is a well-formed CII invoice: a Factur-X reader would find nothing else."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise ValueError(f"the Factur-X XML is not well-formed: {error}") from None
    if root.tag != CII_ROOT:
        raise ValueError(f"the Factur-X XML is not a CII invoice: its root is {root.tag}")


def _remove_empty_transitions(document: Pdf) -> None:
    for page in document.pages:
        if Name.Trans in page.obj:
            del page.obj[Name.Trans]


def _pdf_date(when: datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


def _set_info(
    document: Pdf, *, title: str | None, author: str | None, subject: str | None, when: datetime
) -> None:
    info = document.docinfo
    if title is not None:
        info[Name.Title] = String(title)
    if author is not None:
        info[Name.Author] = String(author)
    if subject is not None:
        info[Name.Subject] = String(subject)
    info[Name.ModDate] = String(_pdf_date(when))


def _attach(document: Pdf, xml: bytes, *, name: str, relationship: str, when: datetime) -> None:
    """Attach ``xml`` as ``name``, the only embedded file and the catalog's only associated file."""
    stream = document.make_indirect(Stream(document, xml))
    stream[Name.Type] = Name.EmbeddedFile
    stream[Name.Subtype] = Name("/text/xml")  # written as /text#2Fxml
    stream[Name.Params] = Dictionary(
        Size=len(xml),
        ModDate=String(_pdf_date(when)),
        CheckSum=String(hashlib.md5(xml, usedforsecurity=False).digest()),
    )
    filespec = document.make_indirect(
        Dictionary(
            Type=Name.Filespec,
            F=String(name),
            UF=String(name),
            Desc=String("Factur-X invoice (UN/CEFACT CII, EN 16931)"),
            AFRelationship=Name("/" + relationship),
            EF=Dictionary(F=stream, UF=stream),
        )
    )
    root = document.Root
    if Name.Names not in root:
        root[Name.Names] = Dictionary()
    root.Names[Name.EmbeddedFiles] = Dictionary(Names=Array([String(name), filespec]))
    root[Name.AF] = Array([filespec])


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _add_facturx_xmp(document: Pdf, metadata: FacturXMetadata) -> None:
    """Add the Factur-X properties and their PDF/A extension schema description to the XMP packet."""
    packet = document.Root.Metadata.read_bytes()
    root = etree.fromstring(packet, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    rdf = root if root.tag == _q(RDF, "RDF") else root.find(_q(RDF, "RDF"))
    if rdf is None:
        raise FacturXError("the XMP packet pikepdf wrote has no rdf:RDF")

    values = rdf.makeelement(
        _q(RDF, "Description"), {_q(RDF, "about"): ""}, nsmap={FACTURX_PREFIX: FACTURX_NAMESPACE}
    )
    for name, value in (
        ("DocumentType", metadata.document_type),
        ("DocumentFileName", metadata.file_name),
        ("Version", metadata.version),
        ("ConformanceLevel", metadata.conformance_level),
    ):
        etree.SubElement(values, _q(FACTURX_NAMESPACE, name)).text = value
    rdf.append(values)

    nsmap = {"pdfaExtension": PDFA_EXTENSION, "pdfaSchema": PDFA_SCHEMA, "pdfaProperty": PDFA_PROPERTY}
    extension = rdf.makeelement(_q(RDF, "Description"), {_q(RDF, "about"): ""}, nsmap=nsmap)
    bag = etree.SubElement(etree.SubElement(extension, _q(PDFA_EXTENSION, "schemas")), _q(RDF, "Bag"))
    schema = etree.SubElement(bag, _q(RDF, "li"), {_q(RDF, "parseType"): "Resource"})
    etree.SubElement(schema, _q(PDFA_SCHEMA, "schema")).text = "Factur-X PDFA Extension Schema"
    etree.SubElement(schema, _q(PDFA_SCHEMA, "namespaceURI")).text = FACTURX_NAMESPACE
    etree.SubElement(schema, _q(PDFA_SCHEMA, "prefix")).text = FACTURX_PREFIX
    seq = etree.SubElement(etree.SubElement(schema, _q(PDFA_SCHEMA, "property")), _q(RDF, "Seq"))
    for name, description in _FX_PROPERTIES:
        item = etree.SubElement(seq, _q(RDF, "li"), {_q(RDF, "parseType"): "Resource"})
        etree.SubElement(item, _q(PDFA_PROPERTY, "name")).text = name
        etree.SubElement(item, _q(PDFA_PROPERTY, "valueType")).text = "Text"
        etree.SubElement(item, _q(PDFA_PROPERTY, "category")).text = "external"
        etree.SubElement(item, _q(PDFA_PROPERTY, "description")).text = description
    rdf.append(extension)

    body = etree.tostring(root, encoding="unicode")
    # The packet wrapper PDF/A asks for (ISO 19005-3, 6.6.2.1): no encoding or bytes attribute.
    text = f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n{body}\n<?xpacket end="w"?>'
    document.Root.Metadata.write(text.encode("utf-8"))


def attached_xml(pdf: bytes) -> tuple[str, bytes]:
    """The invoice XML a Factur-X file carries, with the name it is attached under (``factur-x.xml`` or
    ``xrechnung.xml``), e.g. to run the official rules on it. ValueError if there is not exactly one."""
    with Pdf.open(io.BytesIO(pdf)) as document:
        names = document.Root.get(Name.Names)
        tree = names.get(Name.EmbeddedFiles) if isinstance(names, Dictionary) else None
        files = pikepdf.NameTree(tree) if isinstance(tree, Dictionary) else {}
        found = [name for name in sorted(INVOICE_FILENAMES) if name in files]
        if len(found) != 1:
            raise ValueError(f"not one invoice XML attached ({sorted(INVOICE_FILENAMES)}): {found}")
        return found[0], files[found[0]].EF.F.read_bytes()


def pdfa_problems(pdf: bytes, *, full: bool = True) -> list[str]:
    """Why ``pdf`` is not a PDF/A-3b Factur-X file, or [] when it is: pikepdf's PDF/A-3b validator (unless
    ``full`` is False) and our own checks of fonts, output intent, attachment, XMP, encryption and ID."""
    problems = [str(finding) for finding in _validator_findings(pdf)] if full else []
    try:
        with Pdf.open(io.BytesIO(pdf)) as document:
            problems += _own_problems(document)
    except pikepdf.PdfError as error:
        problems.append(f"cannot open the PDF: {error}")
    return problems


def _accepted_findings() -> frozenset[tuple[str, str]]:
    """The (rule, message) pairs pikepdf reports for the Factur-X extension schema, word for word.

    pikepdf's validator reads XMP against its own list of PDF/A's predefined schemas and does not read PDF/A
    extension schemas (ISO 19005-3, 6.6.2.3), so it reports as not permitted the namespaces an extension
    schema brings (the Factur-X one and the three its description is written in) and the Factur-X
    properties. These findings, for these names only, are the ones it cannot judge; anything else it finds is
    a problem. Our own checks (``_xmp_problems``) then look at the properties and their description."""
    rule = "ISO_19005_3:6.6.2.3.1-1"
    prefixes = {
        FACTURX_PREFIX: FACTURX_NAMESPACE,
        "pdfaExtension": PDFA_EXTENSION,
        "pdfaSchema": PDFA_SCHEMA,
        "pdfaProperty": PDFA_PROPERTY,
    }
    messages = {f"XMP namespace {prefix}={uri} is not permitted" for prefix, uri in prefixes.items()}
    messages |= {f"XMP property {FACTURX_PREFIX}:{name} is not permitted" for name, _ in _FX_PROPERTIES}
    messages.add("XMP property pdfaExtension:schemas is not permitted")
    return frozenset((rule, message) for message in messages)


_ACCEPTED = _accepted_findings()


# pikepdf's validator does not judge shadings (a brand's SVG logo with a gradient draws one) and says so;
# PDF/A-3 permits them, and what it asks of them, a colour space the output intent covers, is checked by
# ``_shading_problems`` instead.
_UNJUDGED = frozenset(
    {
        ("pikepdf:shading", "shadings (sh) are not supported"),
        ("pikepdf:schema-Resources", "shadings are not supported"),
    }
)


def _validator_findings(pdf: bytes) -> list[pikepdf.pdfa.Finding]:
    report = validate_written(io.BytesIO(pdf), FLAVOUR)
    return [
        finding
        for finding in report.findings
        if (finding.rule, finding.message) not in _ACCEPTED
        and (finding.rule, finding.message) not in _UNJUDGED
    ]


def _own_problems(document: Pdf) -> list[str]:
    attachment, attached = _attachment_problems(document)
    return [
        *_encryption_and_id_problems(document),
        *_font_problems(document),
        *_shading_problems(document),
        *_output_intent_problems(document),
        *attachment,
        *_xmp_problems(document, attached),
    ]


def _encryption_and_id_problems(document: Pdf) -> list[str]:
    problems = []
    if document.is_encrypted:
        problems.append("the file is encrypted")
    ids = document.trailer.get(Name.ID)
    if not isinstance(ids, Array) or len(ids) != 2:
        problems.append("the trailer has no document /ID")
    for number, page in enumerate(document.pages, 1):
        if Name.Trans in page.obj:
            problems.append(f"page {number} has a /Trans (page transition)")
    return problems


# The colour spaces the sRGB output intent covers (ISO 19005-3, 6.2.4.3): a shading in any other is refused.
_INTENT_COVERED = frozenset({"/DeviceRGB", "/DeviceGray"})


def _shading_problems(document: Pdf) -> list[str]:
    """Every shading a page or its form XObjects name (a gradient of a brand's SVG logo) is of a type PDF
    defines (1 to 7) in a colour space the output intent covers: what PDF/A asks of a shading, which
    pikepdf's validator leaves unjudged."""
    problems: list[str] = []
    visited: set[tuple[int, int]] = set()

    def walk(resources: object, where: str) -> None:
        if not isinstance(resources, Dictionary):
            return
        shadings = resources.get(Name.Shading)
        if isinstance(shadings, Dictionary):
            for key, shading in shadings.items():
                space = shading.get(Name.ColorSpace) if isinstance(shading, Dictionary | Stream) else None
                kind = shading.get(Name.ShadingType) if isinstance(shading, Dictionary | Stream) else None
                if str(space) not in _INTENT_COVERED or int(kind or 0) not in range(1, 8):
                    problems.append(f"{where}: shading {key} in {space} (type {kind}) is not PDF/A")
        xobjects = resources.get(Name.XObject)
        if isinstance(xobjects, Dictionary):
            for key, xobject in xobjects.items():
                if isinstance(xobject, Stream) and xobject.get(Name.Subtype) == Name.Form:
                    ident = xobject.objgen
                    if ident not in visited:
                        visited.add(ident)
                        walk(xobject.get(Name.Resources), f"{where} form {key}")

    for number, page in enumerate(document.pages, 1):
        walk(page.obj.get(Name.Resources), f"page {number}")
    return problems


def _font_problems(document: Pdf) -> list[str]:
    """Every font named in a resource dictionary a page can reach (its own, its form XObjects', its
    annotations' appearances', patterns' and Type 3 glyphs', at any depth) has its font program embedded."""
    problems: list[str] = []
    visited: set[tuple[int, int]] = set()

    def walk(resources: object, where: str) -> None:
        if not isinstance(resources, Dictionary):
            return
        if resources.is_indirect:
            if resources.objgen in visited:
                return
            visited.add(resources.objgen)
        fonts = resources.get(Name.Font)
        for name, font in fonts.items() if isinstance(fonts, Dictionary) else []:
            if not isinstance(font, Dictionary):
                problems.append(f"{where}: font {name} is not a font dictionary")
            elif not _font_embedded(font):
                problems.append(f"{where}: font {name} ({font.get(Name.BaseFont)}) is not embedded")
            elif font.get(Name.Subtype) == Name.Type3:
                walk(font.get(Name.Resources), f"{where}, Type 3 font {name}")
        for group in (Name.XObject, Name.Pattern):
            entries = resources.get(group)
            for name, entry in entries.items() if isinstance(entries, Dictionary) else []:
                if isinstance(entry, Stream | Dictionary):
                    walk(entry.get(Name.Resources), f"{where}, {group} {name}")

    for number, page in enumerate(document.pages, 1):
        where = f"page {number}"
        walk(page.obj.get(Name.Resources), where)
        annotations = page.obj.get(Name.Annots)
        for annotation in annotations if isinstance(annotations, Array) else []:
            appearances = annotation.get(Name.AP) if isinstance(annotation, Dictionary) else None
            for state in appearances.values() if isinstance(appearances, Dictionary) else []:
                streams = (
                    state.values()
                    if isinstance(state, Dictionary) and not isinstance(state, Stream)
                    else [state]
                )
                for stream in streams:
                    if isinstance(stream, Stream):
                        walk(stream.get(Name.Resources), f"{where}, annotation appearance")
    return problems


def _font_embedded(font: Dictionary) -> bool:
    subtype = font.get(Name.Subtype)
    if subtype == Name.Type3:
        return True  # its glyphs are content streams in the file
    if subtype == Name.Type0:
        descendants = font.get(Name.DescendantFonts)
        if not isinstance(descendants, Array) or len(descendants) != 1:
            return False
        descendant = descendants[0]
        descriptor = descendant.get(Name.FontDescriptor) if isinstance(descendant, Dictionary) else None
    else:
        descriptor = font.get(Name.FontDescriptor)
    return isinstance(descriptor, Dictionary) and any(
        isinstance(descriptor.get(key), Stream) for key in (Name.FontFile, Name.FontFile2, Name.FontFile3)
    )


def _output_intent_problems(document: Pdf) -> list[str]:
    intents = document.Root.get(Name.OutputIntents)
    for intent in intents if isinstance(intents, Array) else []:
        profile = intent.get(Name.DestOutputProfile) if isinstance(intent, Dictionary) else None
        if intent.get(Name.S) == Name.GTS_PDFA1 and isinstance(profile, Stream):
            # The ICC header names the profile's colour space at bytes 16-19.
            if profile.read_bytes()[16:20] == b"RGB ":
                return []
            return ["the PDF/A output intent's ICC profile is not an RGB profile"]
    return ["no PDF/A output intent (/OutputIntents with /S /GTS_PDFA1 and an ICC profile)"]


def _attachment_problems(document: Pdf) -> tuple[list[str], str | None]:
    """The problems of the invoice XML's attachment, and the name it is attached under (None if none)."""
    names = document.Root.get(Name.Names)
    tree = names.get(Name.EmbeddedFiles) if isinstance(names, Dictionary) else None
    if not isinstance(tree, Dictionary):
        return ["no embedded files (/Names /EmbeddedFiles)"], None
    files = pikepdf.NameTree(tree)
    found = sorted(name for name in INVOICE_FILENAMES if name in files)
    if len(found) != 1:
        return [f"not one invoice XML among the embedded files ({sorted(INVOICE_FILENAMES)}): {found}"], None
    name = found[0]
    filespec = files[name]
    problems = []
    if filespec.get(Name.Type) != Name.Filespec:
        problems.append(f"{name}: the file specification has no /Type /Filespec")
    for key in (Name.F, Name.UF):
        if str(filespec.get(key, "")) != name:
            problems.append(f"{name}: the file specification's {key} is not {name}")
    relationship = filespec.get(Name.AFRelationship)
    if relationship is None or str(relationship)[1:] not in RELATIONSHIPS:
        problems.append(f"{name}: /AFRelationship is {relationship}, not one of {sorted(RELATIONSHIPS)}")
    associated = document.Root.get(Name.AF)
    if not isinstance(associated, Array) or not any(
        item.is_indirect and item.objgen == filespec.objgen for item in associated
    ):
        problems.append(f"{name}: the file specification is not in the catalog's /AF array")
    embedded = filespec.get(Name.EF)
    stream = embedded.get(Name.F) if isinstance(embedded, Dictionary) else None
    if not isinstance(stream, Stream):
        return [*problems, f"{name}: the file specification has no embedded file (/EF /F)"], name
    if stream.get(Name.Subtype) != Name("/text/xml"):
        problems.append(f"{name}: the embedded file's /Subtype is not text/xml")
    params = stream.get(Name.Params)
    if not isinstance(params, Dictionary) or Name.ModDate not in params:
        problems.append(f"{name}: the embedded file has no /Params /ModDate")
    elif params.get(Name.Size) != len(stream.read_bytes()):
        problems.append(f"{name}: the embedded file's /Params /Size is not its length")
    return problems, name


def _xmp_problems(document: Pdf, attached: str | None) -> list[str]:
    """The XMP's PDF/A and Factur-X properties and the Factur-X extension schema; ``attached`` is the name
    the invoice XML is attached under, which fx:DocumentFileName must name."""
    metadata = document.Root.get(Name.Metadata)
    if not isinstance(metadata, Stream):
        return ["no XMP metadata stream"]
    try:
        root = etree.fromstring(
            metadata.read_bytes(), parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as error:
        return [f"the XMP metadata is not XML: {error}"]
    expected = {
        (PDFAID, "part"): {"3"},
        (PDFAID, "conformance"): {"B"},
        (FACTURX_NAMESPACE, "DocumentType"): {"INVOICE"},
        (FACTURX_NAMESPACE, "Version"): {"1.0"},
        (FACTURX_NAMESPACE, "ConformanceLevel"): CONFORMANCE_LEVELS,
    }
    problems = []
    for (namespace, name), values in expected.items():
        found = _xmp_values(root, namespace, name)
        if len(found) != 1 or found[0] not in values:
            problems.append(f"XMP {namespace}{name} is {found or 'missing'}, not one of {sorted(values)}")
    levels = _xmp_values(root, FACTURX_NAMESPACE, "ConformanceLevel")
    file_names = _xmp_values(root, FACTURX_NAMESPACE, "DocumentFileName")
    if len(levels) == 1 and file_names != [xml_file_name(levels[0])]:
        problems.append(
            f"XMP fx:DocumentFileName is {file_names}, not {xml_file_name(levels[0])} ({levels[0]})"
        )
    if attached is not None and file_names != [attached]:
        problems.append(f"XMP fx:DocumentFileName is {file_names}, but the XML is attached as {attached}")
    if not any("".join(title.itertext()).strip() for title in root.iter(_q(DC, "title"))):
        problems.append("XMP has no dc:title")
    schemas = [
        item
        for item in root.iter(_q(RDF, "li"))
        if item.findtext(_q(PDFA_SCHEMA, "namespaceURI")) == FACTURX_NAMESPACE
    ]
    if len(schemas) != 1:
        return [*problems, "XMP has no PDF/A extension schema for the Factur-X namespace"]
    schema = schemas[0]
    if schema.findtext(_q(PDFA_SCHEMA, "prefix")) != FACTURX_PREFIX:
        problems.append(f"the Factur-X extension schema's prefix is not {FACTURX_PREFIX!r}")
    described = {item.findtext(_q(PDFA_PROPERTY, "name")) for item in schema.iter(_q(RDF, "li"))}
    missing = sorted({name for name, _ in _FX_PROPERTIES} - described)
    if missing:
        problems.append(f"the Factur-X extension schema does not describe {missing}")
    return problems


def _xmp_values(root: etree._Element, namespace: str, name: str) -> list[str]:
    """The values of a simple XMP property, written as an element or as an attribute of rdf:Description."""
    values = [element.text or "" for element in root.iter(_q(namespace, name))]
    values += [
        description.get(_q(namespace, name), "")
        for description in root.iter(_q(RDF, "Description"))
        if _q(namespace, name) in description.attrib
    ]
    return values
