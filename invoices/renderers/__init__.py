"""One interface for every output format: ``render(document, options) -> RenderedFile``.

Storage, email and the API never care about the format; they call ``render`` and store the bytes.
"""

from collections.abc import Callable

from invoices.document.model import Document, RenderedFile, RenderOptions


class RenderRefused(Exception):
    """A valid document that a renderer will not make, past one of its limits (the PDF's page count).

    The message is for the invoice's owner, read on the failed invoice; rendering again cannot help.
    """


def _renderer(fmt: str) -> Callable[[Document, RenderOptions], RenderedFile]:
    # Imported on demand so a CSV worker never pays for loading reportlab and the fonts.
    if fmt == "pdf":
        from invoices.renderers.pdf import render_pdf

        return render_pdf
    if fmt == "xlsx":
        from invoices.renderers.xlsx import render_xlsx

        return render_xlsx
    if fmt == "csv":
        from invoices.renderers.csv import render_csv

        return render_csv
    if fmt == "ubl":
        from invoices.renderers.ubl import render_ubl

        return render_ubl
    if fmt == "cii":
        from invoices.renderers.cii import render_cii

        return render_cii
    if fmt == "facturx":
        from invoices.renderers.facturx import render_facturx

        return render_facturx
    raise ValueError(f"unknown format {fmt!r}")


def render(document: Document, options: RenderOptions) -> RenderedFile:
    rendered = _renderer(options.format)(document, options)
    if options.format in ("ubl", "cii"):
        check_einvoice(options.format, rendered.content)
    elif options.format == "facturx":
        # The XML it carries, as a buyer's system extracts it (the PDF/A structure is checked as it is made).
        from invoices.renderers.pdfa import attached_xml

        check_einvoice("facturx", attached_xml(rendered.content)[1])
    return rendered


def check_einvoice(fmt: str, xml: bytes) -> None:
    """Every XML rendition passes its XSD and the official EN 16931 schematron before it is stored: a file a
    buyer's system would reject is a failed rendition with the rules it broke, never a ready one. Input
    validation names what a format needs, so this finding a fault means a fault of ours."""
    from invoices.einvoice.validate import fatal_findings, validate_einvoice

    fatal = fatal_findings(validate_einvoice(fmt, xml))
    if fatal:
        broken = "; ".join(f"{finding.rule}: {finding.text}" for finding in fatal[:5])
        raise RenderRefused(f"The {fmt} file does not pass the official EN 16931 rules ({broken}).")
