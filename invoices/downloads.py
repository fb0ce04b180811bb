"""The one way a stored rendition leaves the service: streamed, with safe headers (API and admin), alone or
in a batch's ZIP."""

from collections.abc import Sequence
from urllib.parse import quote

from django.core.files.storage import storages
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from invoices.batches import ZipEntry, batch_zip_chunks
from invoices.models import InvoiceBatch, Rendition
from invoices.renderers.naming import unicode_download_name


def stored_file_response(rendition: Rendition, number: str) -> FileResponse:
    """Stream a ready rendition's file chunk by chunk; the caller has checked ownership and readiness.

    ``number`` is the invoice's number, for the UTF-8 file name (``content_disposition``).
    """
    response = FileResponse(
        storages["invoices"].open(rendition.file_name, "rb"),
        content_type=rendition.content_type,
        as_attachment=True,  # a safe Content-Disposition filename, from the invoice number
        filename=rendition.download_name,
    )
    response["Content-Length"] = str(rendition.size)
    response["Content-Disposition"] = content_disposition(rendition, number)
    add_file_headers(response, rendition)
    return response


def content_disposition(rendition: Rendition, number: str) -> str:
    """``attachment`` with the ASCII name every client reads, and, when the number has letters ASCII lacks,
    their UTF-8 name as ``filename*`` (RFC 6266 and 5987), which clients that know it prefer.

    Django's own header gives either one or the other, never both: a name with "ö" would reach an old client
    with no name at all. The stored ``download_name`` is already ``[A-Za-z0-9._-]`` (renderers/naming.py),
    safe between quotes; the UTF-8 name is percent-encoded whole.
    """
    header = f'attachment; filename="{rendition.download_name}"'
    full_name = unicode_download_name(number, rendition.format)
    if full_name != rendition.download_name:
        header += f"; filename*=UTF-8''{quote(full_name, safe='')}"
    return header


def add_file_headers(response: HttpResponseBase, rendition: Rendition) -> None:
    """The headers of a file answer, a 304 included: its ETag (the sha256), nosniff, private caching."""
    response["ETag"] = f'"{rendition.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"


def batch_zip_response(batch: InvoiceBatch, entries: Sequence[ZipEntry]) -> StreamingHttpResponse:
    """The ZIP of ``entries`` (not empty), streamed as it is made; the caller has checked ownership or the
    link. Its headers say how many files it holds and whether the batch is still being made."""
    response = StreamingHttpResponse(batch_zip_chunks(entries), content_type="application/zip")
    name = f"batch-{timezone.localdate(batch.created_at):%Y-%m-%d}-{str(batch.id)[:8]}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    # While the batch is processing, the ZIP holds what is ready so far; the header says how many.
    response["X-Batch-Files"] = str(len(entries))
    response["X-Batch-Status"] = "completed" if batch.completed_at else "processing"
    return response
