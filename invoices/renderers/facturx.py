"""The Factur-X rendition: the invoice's PDF made PDF/A-3b, with its CII XML attached as ``factur-x.xml``.

Factur-X (ZUGFeRD 2 in Germany) is one file for people and machines: the pages are our normal PDF, unchanged,
and the attached XML is the EN 16931 invoice a buyer's system reads. The XML is the very bytes of the ``cii``
rendition in the Factur-X profile, so the two can never disagree; ``pdfa.make_facturx`` does the PDF/A part
and checks the result.
"""

import dataclasses

from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.renderers import content_types
from invoices.renderers.naming import invoice_filename
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdfa import EN16931, FacturXMetadata, make_facturx

CONTENT_TYPE = content_types.FACTURX
# The XMP's fx:ConformanceLevel: the attached XML is Factur-X's EN 16931 profile.
CONFORMANCE_LEVEL = EN16931

__all__ = ["CONTENT_TYPE", "render_facturx"]


def render_facturx(document: Document, options: RenderOptions) -> RenderedFile:
    """The invoice as a Factur-X PDF (PDF/A-3b), named like the PDF: ``INV-2026-0042.pdf``."""
    # Imported here, as the dispatcher imports renderers: a Factur-X worker loads the XML writer, a PDF one
    # never does.
    # (The ignore is for this branch, made before the CII writer was merged.)
    from invoices.renderers.cii import cii_xml  # type: ignore[import-not-found, unused-ignore]

    pdf = render_pdf(document, dataclasses.replace(options, format="pdf"))
    # A Factur-X file carries the Factur-X profile of CII whatever the invoice's ``cii_profile`` says for its
    # own ``cii`` rendition: an XRechnung CII is not what fx:ConformanceLevel "EN 16931" declares.
    xml = cii_xml(document, dataclasses.replace(options, format="cii", cii_profile="factur-x"))
    content = make_facturx(pdf.content, xml, metadata=FacturXMetadata(conformance_level=CONFORMANCE_LEVEL))
    return RenderedFile(
        filename=invoice_filename(document, "pdf"),
        content_type=CONTENT_TYPE,
        content=content,
    )
