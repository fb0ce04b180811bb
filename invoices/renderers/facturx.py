"""The Factur-X rendition: the invoice's PDF made PDF/A-3b, with its CII XML attached.

Factur-X (ZUGFeRD 2 in Germany) is one file for people and machines: the pages are our normal PDF, and the
attached XML is the EN 16931 invoice a buyer's system reads. The XML is the very bytes of the invoice's
``cii`` rendition, so the two can never disagree: in the Factur-X EN 16931 profile it is ``factur-x.xml``
with the conformance level "EN 16931"; in the XRechnung profile (``cii_profile``) it is ``xrechnung.xml``
with "XRECHNUNG", ZUGFeRD 2.2's hybrid XRechnung. ``pdfa.make_facturx`` does the PDF/A part and checks it.
"""

import dataclasses
from typing import Any

from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.einvoice.profiles import facturx_conformance_level
from invoices.renderers import content_types
from invoices.renderers.naming import rendition_filename
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_fonts import undrawable
from invoices.renderers.pdfa import FacturXMetadata, make_facturx

CONTENT_TYPE = content_types.FACTURX
# What the pages show for a character none of the invoice's fonts has (U+FFFD, which DejaVu Sans draws).
REPLACEMENT = "\ufffd"

__all__ = ["CONTENT_TYPE", "render_facturx"]


def render_facturx(document: Document, options: RenderOptions) -> RenderedFile:
    """The invoice as a Factur-X PDF (PDF/A-3b), named like the PDF: ``INV-2026-0042.pdf``."""
    # Imported here, as the dispatcher imports renderers: a Factur-X worker loads the XML writer, a PDF one
    # never does.
    from invoices.renderers.cii import cii_xml

    pdf = render_pdf(drawable(document), dataclasses.replace(options, format="pdf"))
    xml = cii_xml(document, dataclasses.replace(options, format="cii"))
    metadata = FacturXMetadata(conformance_level=facturx_conformance_level(options.cii_profile))
    # Our own structural checks only, not pikepdf's full validator: that would cost more than the rest of the
    # conversion together (about 20 ms for a 20-line invoice whose PDF takes 45 ms) on every file.
    # What the validator would judge is fixed by the template and this code, and the tests run it on every
    # kind of page the template makes; the one thing user text could break, a glyph our fonts lack, is
    # handled by ``drawable`` above.
    content = make_facturx(pdf.content, xml, metadata=metadata, full_check=False)
    return RenderedFile(
        filename=rendition_filename(document.data.number, "facturx"),
        content_type=CONTENT_TYPE,
        content=content,
    )


def drawable(document: Document) -> Document:
    """``document`` with each character the PDF has no glyph for (an emoji, a script our fonts lack) replaced
    by U+FFFD, for the Factur-X pages only.

    The normal PDF draws such a character as the font's "missing glyph" box; PDF/A forbids that, so a
    Factur-X file would not be PDF/A. The pages show a replacement mark instead, where the normal PDF shows a
    box, and nothing is lost: the attached XML, the invoice a machine reads, keeps every character.
    """
    result: Document = _replaced(document, {})
    return result


def _replaced(value: Any, seen: dict[int, Any]) -> Any:
    """``value`` with undrawable characters replaced in every string it holds; the very same object when
    there are none, so the common case copies nothing. ``seen`` maps each dataclass already walked (by id) to
    its result: the lines are both in the input and in their amounts, and stay one object each."""
    if id(value) in seen:
        return seen[id(value)]
    result: Any = value
    if isinstance(value, str):
        missing = undrawable(value)
        if missing:
            result = "".join(REPLACEMENT if char in missing else char for char in value)
        return result
    if isinstance(value, tuple):
        items = tuple(_replaced(item, seen) for item in value)
        if any(new is not old for new, old in zip(items, value, strict=True)):
            result = items
        return result
    names = _field_names(type(value))
    if names:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = _replaced(old, seen)
            if new is not old:
                changes[name] = new
        if changes:
            result = dataclasses.replace(value, **changes)
        seen[id(value)] = result
    return result


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass type, () for any other type (amounts, dates, ids, None)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        names = _FIELD_NAMES[cls] = tuple(field.name for field in fields)
    return names
