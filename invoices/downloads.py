"""The one way a stored invoice file leaves the service: streamed, with safe headers (API and admin)."""

from django.core.files.storage import storages
from django.http import FileResponse, HttpResponseBase

from invoices.models import Invoice


def stored_file_response(invoice: Invoice) -> FileResponse:
    """Stream a ready invoice's file chunk by chunk; the caller has checked ownership and readiness."""
    response = FileResponse(
        storages["invoices"].open(invoice.file_name, "rb"),
        content_type=invoice.content_type,
        as_attachment=True,  # a safe Content-Disposition filename, from the invoice number
        filename=invoice.download_name,
    )
    response["Content-Length"] = str(invoice.size)
    add_file_headers(response, invoice)
    return response


def add_file_headers(response: HttpResponseBase, invoice: Invoice) -> None:
    """The headers of a file answer, a 304 included: its ETag (the sha256), nosniff, private caching."""
    response["ETag"] = f'"{invoice.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
