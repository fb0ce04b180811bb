"""manage.py cleanup_files: only old, unreferenced files and old orphan chunks go (docs/reliability.md
rule 10)."""

import os
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from bson import ObjectId
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from invoices.management.commands import cleanup_files
from invoices.models import Invoice, Rendition
from invoices.storage import CHUNK_SIZE, GridFSStorage

pytest_plugins = ["tests.mongo"]
pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def two_days_ago() -> datetime:
    return timezone.now() - timedelta(days=2)


@pytest.fixture
def reference():
    """Point a new invoice's rendition at a stored file name, as a finished render does."""
    owner = User.objects.create_user("a@example.com", "pw")

    def make(file_name: str) -> Invoice:
        invoice = Invoice.objects.create(
            owner=owner,
            number=f"INV-{Invoice.objects.count() + 1}",
            format="pdf",
            formats=["pdf"],
            input={},
            currency="EUR",
            total_net=Decimal("0"),
            total_tax=Decimal("0"),
            total_gross=Decimal("0"),
        )
        Rendition.objects.create(invoice=invoice, format="pdf", status="ready", file_name=file_name)
        return invoice

    return make


def cleanup(*args: str) -> str:
    out = StringIO()
    call_command("cleanup_files", *args, stdout=out)
    return out.getvalue()


def id_created_at(when: datetime) -> ObjectId:
    """A unique ObjectId whose creation time is `when`, as the client that inserted a chunk then made."""
    return ObjectId(ObjectId.from_datetime(when).binary[:4] + os.urandom(8))


def store_old_file(storage: GridFSStorage, name: str, when: datetime, size: int = 300_000) -> None:
    """A complete GridFS file as an upload at `when` left it: chunk ids and upload date from then."""
    database, file_id, data = storage.database(), ObjectId(), os.urandom(size)
    database["invoices.chunks"].insert_many(
        {"_id": id_created_at(when), "files_id": file_id, "n": n, "data": data[start : start + CHUNK_SIZE]}
        for n, start in enumerate(range(0, size, CHUNK_SIZE))
    )
    database["invoices.files"].insert_one(
        {"_id": file_id, "filename": name, "length": size, "chunkSize": CHUNK_SIZE, "uploadDate": when}
    )


def store_orphan_chunks(storage: GridFSStorage, when: datetime, count: int = 2) -> ObjectId:
    """Chunks written at `when` by an upload that never wrote its files document."""
    files_id = ObjectId()
    storage.database()["invoices.chunks"].insert_many(
        {"_id": id_created_at(when), "files_id": files_id, "n": n, "data": b"x"} for n in range(count)
    )
    return files_id


def chunk_count(storage: GridFSStorage, files_id: ObjectId) -> int:
    return storage.database()["invoices.chunks"].count_documents({"files_id": files_id})


@pytest.fixture
def gridfs_leftovers(invoices_gridfs_storage, reference, two_days_ago):
    storage = invoices_gridfs_storage
    store_old_file(storage, "inv/referenced-old.pdf", two_days_ago)
    reference("inv/referenced-old.pdf")
    store_old_file(storage, "inv/unreferenced-old.pdf", two_days_ago)
    storage.save("inv/unreferenced-new.pdf", ContentFile(b"an upload whose invoice is not committed yet"))
    return {
        "old_orphan": store_orphan_chunks(storage, two_days_ago, count=2),
        "new_orphan": store_orphan_chunks(storage, timezone.now(), count=1),  # an upload in progress
    }


def test_gridfs_old_unreferenced_files_and_old_orphan_chunks_are_removed(
    invoices_gridfs_storage, gridfs_leftovers
):
    storage = invoices_gridfs_storage

    output = cleanup()

    assert "Removed 1 unreferenced file(s) and 2 orphan chunk(s)" in output
    assert not storage.exists("inv/unreferenced-old.pdf")
    assert chunk_count(storage, gridfs_leftovers["old_orphan"]) == 0
    # What stays: the referenced file whole, the young file, the young chunks.
    with storage.open("inv/referenced-old.pdf") as kept:
        assert len(kept.read()) == 300_000
    assert storage.exists("inv/unreferenced-new.pdf")
    assert chunk_count(storage, gridfs_leftovers["new_orphan"]) == 1
    assert storage.database()["invoices.chunks"].count_documents({}) == 2 + 1 + 1


def test_gridfs_dry_run_reports_and_removes_nothing(invoices_gridfs_storage, gridfs_leftovers):
    storage = invoices_gridfs_storage
    chunks_before = storage.database()["invoices.chunks"].count_documents({})

    output = cleanup("--dry-run", "-v", "2")

    assert "Would remove 1 unreferenced file(s) and 2 orphan chunk(s)" in output
    assert "inv/unreferenced-old.pdf" in output
    assert storage.exists("inv/unreferenced-old.pdf")
    assert storage.database()["invoices.chunks"].count_documents({}) == chunks_before


def test_gridfs_a_longer_age_spares_younger_leftovers(invoices_gridfs_storage, gridfs_leftovers):
    output = cleanup("--older-than-hours", "72")

    assert "Removed 0 unreferenced file(s) and 0 orphan chunk(s)" in output
    assert invoices_gridfs_storage.exists("inv/unreferenced-old.pdf")


def test_gridfs_works_through_many_batches(invoices_gridfs_storage, reference, two_days_ago, monkeypatch):
    monkeypatch.setattr(cleanup_files, "BATCH_SIZE", 2)
    storage = invoices_gridfs_storage
    for i in range(5):
        store_old_file(storage, f"inv/old-{i}.pdf", two_days_ago, size=10)
    reference("inv/old-2.pdf")
    orphans = [store_orphan_chunks(storage, two_days_ago, count=3) for _ in range(3)]

    output = cleanup()

    assert "Removed 4 unreferenced file(s) and 9 orphan chunk(s)" in output
    assert storage.listdir("inv") == ([], ["old-2.pdf"])
    assert all(chunk_count(storage, files_id) == 0 for files_id in orphans)


@pytest.fixture
def files_dir(local_invoice_storage):
    return local_invoice_storage


@pytest.fixture
def disk_leftovers(files_dir, reference, two_days_ago):
    storage = storages["invoices"]
    for name in ("inv1/referenced-old.pdf", "inv2/unreferenced-old.pdf", "inv3/unreferenced-new.pdf"):
        storage.save(name, ContentFile(b"x"))
    for name in ("inv1/referenced-old.pdf", "inv2/unreferenced-old.pdf"):
        os.utime(files_dir / name, (two_days_ago.timestamp(), two_days_ago.timestamp()))
    reference("inv1/referenced-old.pdf")
    return files_dir


def test_filesystem_old_unreferenced_files_are_removed(disk_leftovers):
    output = cleanup()

    assert "Removed 1 unreferenced file(s) and 0 orphan chunk(s)" in output
    assert not (disk_leftovers / "inv2/unreferenced-old.pdf").exists()
    assert (disk_leftovers / "inv1/referenced-old.pdf").exists()
    assert (disk_leftovers / "inv3/unreferenced-new.pdf").exists()


def test_filesystem_dry_run_removes_nothing(disk_leftovers):
    output = cleanup("--dry-run")

    assert "Would remove 1 unreferenced file(s)" in output
    assert (disk_leftovers / "inv2/unreferenced-old.pdf").exists()


def test_an_empty_or_missing_files_directory_is_fine(files_dir):
    files_dir.rmdir()

    assert "Removed 0 unreferenced file(s)" in cleanup()


@pytest.mark.parametrize("hours", ["0", "-1"])
def test_the_age_must_be_positive(files_dir, hours):
    with pytest.raises(CommandError, match="must be positive"):
        cleanup("--older-than-hours", hours)
