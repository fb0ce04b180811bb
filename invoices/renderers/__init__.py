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
    raise ValueError(f"unknown format {fmt!r}")


def render(document: Document, options: RenderOptions) -> RenderedFile:
    return _renderer(options.format)(document, options)
