"""GET a batch (its counts and outcomes), the list of one's batches, and the streamed ZIP of its files."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import StreamingHttpResponse

from invoices import batches, services
from invoices.models import Invoice, InvoiceBatch, Rendition
from tests.batches.conftest import BATCHES, documents, numbered, post_batch


def submit(auth, items) -> tuple[dict, list[Invoice]]:
    body = post_batch(auth, items).json()
    return body, list(Invoice.objects.filter(batch_id=body["id"]).order_by("batch_index"))


def zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content if hasattr(response, "content") else ""
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_status_counts_every_invoice_and_keeps_the_first_answer(auth, local_invoice_storage):
    items = documents(4)
    items[1]["invoice"]["currency"] = "EURO"
    accepted, (first, second, third) = submit(auth, items)
    services.invoice_render(invoice_id=first.id)
    services.invoice_fail(invoice_id=second.id, reason="no")

    processing = auth.get(accepted["links"]["self"]).json()

    assert processing["status"] == "processing"
    assert processing["counts"] == {"queued": 1, "rendering": 0, "ready": 1, "failed": 1}
    assert (processing["accepted"], processing["rejected"]) == (3, 1)
    assert processing["items"] == accepted["items"]
    assert processing["completed_at"] is None
    assert processing["created_at"]

    services.invoice_render(invoice_id=third.id)
    completed = auth.get(accepted["links"]["self"]).json()
    assert completed["status"] == "completed"
    assert completed["completed_at"] is not None
    assert completed["counts"] == {"queued": 0, "rendering": 0, "ready": 2, "failed": 1}


def test_the_status_is_one_query_for_the_counts(auth, django_assert_max_num_queries):
    body, _invoices = submit(auth, documents(50))
    # authentication, the batch, the counts' one aggregate
    with django_assert_max_num_queries(4):
        assert auth.get(body["links"]["self"]).status_code == 200


def test_the_list_is_newest_first_without_items(auth):
    first, _ = submit(auth, documents(2, prefix="A"))
    second, _ = submit(auth, documents(3, prefix="B"))

    page = auth.get(BATCHES).json()

    assert page["count"] == 2
    assert [batch["id"] for batch in page["results"]] == [second["id"], first["id"]]
    assert page["results"][0]["counts"]["queued"] == 3
    assert "items" not in page["results"][0]


def test_the_zip_holds_every_ready_file_under_its_name(auth, local_invoice_storage):
    items = [numbered("Z-1", fmt="pdf"), numbered("Z-2"), numbered("Z-3"), numbered("Z-4")]
    items[1]["formats"] = ["csv", "xlsx"]
    del items[1]["format"]
    body, invoices = submit(auth, items)
    assert body["accepted"] == 4, body
    for invoice in invoices[:3]:
        for fmt in invoice.formats:
            services.invoice_render(invoice_id=invoice.id, fmt=fmt)
    services.invoice_fail(invoice_id=invoices[3].id, reason="no")

    response = auth.get(body["links"]["download"])

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="batch-')
    assert response["Content-Disposition"].endswith(f'-{body["id"][:8]}.zip"')
    archive = zip_of(response)
    ready = Rendition.objects.filter(invoice__batch_id=body["id"], status="ready")
    assert sorted(archive.namelist()) == sorted(r.download_name for r in ready)
    for rendition in ready:
        content = archive.read(rendition.download_name)
        assert hashlib.sha256(content).hexdigest() == rendition.sha256
    infos = {info.filename: info for info in archive.infolist()}
    assert infos["Z-1.pdf"].compress_type == zipfile.ZIP_STORED  # compressed already
    assert infos["Z-2.xlsx"].compress_type == zipfile.ZIP_STORED
    assert infos["Z-2.csv"].compress_type == zipfile.ZIP_DEFLATED  # text: deflated
    assert archive.testzip() is None

    only_pdf = zip_of(auth.get(body["links"]["download"] + "?format=pdf"))
    assert only_pdf.namelist() == ["Z-1.pdf"]


def test_colliding_names_get_a_suffix(auth, local_invoice_storage):
    other_seller = numbered("SAME")
    other_seller["invoice"]["seller"]["name"] = "Another Seller Ltd"
    body, invoices = submit(auth, [numbered("SAME"), other_seller])
    for invoice in invoices:
        services.invoice_render(invoice_id=invoice.id)

    archive = zip_of(auth.get(body["links"]["download"]))

    assert archive.namelist() == ["SAME.csv", "SAME-2.csv"]


def test_nothing_ready_is_409_and_a_processing_batch_gives_what_is_ready(auth, local_invoice_storage):
    body, invoices = submit(auth, documents(2))

    nothing = auth.get(body["links"]["download"])
    assert nothing.status_code == 409
    assert nothing.json()["error"]["code"] == "not_ready"

    services.invoice_render(invoice_id=invoices[0].id)
    partial = auth.get(body["links"]["download"])
    assert partial["X-Batch-Status"] == "processing"
    assert partial["X-Batch-Files"] == "1"
    assert zip_of(partial).namelist() == [f"{invoices[0].number}.csv"]


def test_a_bad_format_is_400(auth):
    body, _ = submit(auth, documents(1))
    response = auth.get(body["links"]["download"] + "?format=docx")
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_the_zip_is_streamed_in_bounded_chunks_read_chunk_by_chunk(local_invoice_storage, monkeypatch, owner):
    """Memory stays bounded: a 3 MB file leaves as many chunks, none larger than a read chunk and the
    entry's header, and the stored file is never read whole."""
    storage = storages["invoices"]
    names = [storage.save(f"big/{n}.pdf", ContentFile(bytes(range(256)) * (12 * 1024))) for n in range(2)]
    entries = [
        batches.ZipEntry(name=f"INV-{n}.pdf", file_name=name, format="pdf", size=storage.size(name))
        for n, name in enumerate(names)
    ]
    reads: list[int] = []
    real_open = storage.open

    class RecordingFile:
        def __init__(self, name, mode):
            self.handle = real_open(name, mode)

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()

    monkeypatch.setattr(storage, "open", RecordingFile)
    chunk_size = 16 * 1024

    chunks = list(batches.batch_zip_chunks(entries, chunk_size=chunk_size))

    assert all(0 < size <= chunk_size for size in reads)  # never a whole-file read
    assert len(chunks) >= 2 * (3 * 1024 * 1024) // chunk_size
    assert max(len(chunk) for chunk in chunks) <= chunk_size + 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.namelist() == ["INV-0.pdf", "INV-1.pdf"]
    assert archive.read("INV-1.pdf") == bytes(range(256)) * (12 * 1024)


@pytest.mark.parametrize("count", [0, 1])
def test_a_batch_without_items_listed_is_not_a_crash(auth, count):
    # An empty list page, and a one-batch page.
    if count:
        submit(auth, documents(1))
    assert auth.get(BATCHES).json()["count"] == count
    assert InvoiceBatch.objects.count() == count
