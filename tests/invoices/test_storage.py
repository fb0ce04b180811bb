"""GridFSStorage against the real MongoDB-compatible server (docs/reliability.md rules 10 and 11)."""

import hashlib
import io
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, cast

import pytest
from bson import ObjectId
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from gridfs import GridFSBucket
from gridfs.errors import CorruptGridFile
from pymongo import ReadPreference, WriteConcern, monitoring
from pymongo.errors import ServerSelectionTimeoutError

from invoices import storage as storage_module
from invoices.storage import CHUNK_SIZE, GridFSStorage, client_options, mongo_client

pytest_plugins = ["tests.mongo"]
pytestmark = pytest.mark.services

MB = 1024 * 1024
UNREACHABLE = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300&connectTimeoutMS=300"


class GeneratedBytes(io.RawIOBase):
    """`size` pseudo-random bytes made as they are read, never held whole; not seekable, like a pipe."""

    def __init__(self, size: int, seed: int = 7) -> None:
        super().__init__()
        self._remaining = size
        self._random = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._random.randbytes(min(len(buffer), self._remaining))
        buffer[: len(data)] = data
        self._remaining -= len(data)
        self.sha256.update(data)
        return len(data)


class CommandLog(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[dict] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands.append({"name": event.command_name, **event.command})

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def named(self, name: str) -> list[dict]:
        return [command for command in self.commands if command["name"] == name]


@contextmanager
def own_clients(**options) -> Iterator[None]:
    """A client cache of the caller's own (its clients made with extra options), closed on exit.

    Restored here rather than with monkeypatch: pytest-django's autouse fixtures set monkeypatch up first,
    so it would undo this only after gridfs_storage's teardown had used the closed clients.
    """
    saved_cache, saved_defaults = storage_module._clients, dict(storage_module.CLIENT_DEFAULTS)
    cache = storage_module._clients = storage_module._ClientCache()
    storage_module.CLIENT_DEFAULTS.update(options)
    try:
        yield
    finally:
        storage_module._clients = saved_cache
        storage_module.CLIENT_DEFAULTS.clear()
        storage_module.CLIENT_DEFAULTS.update(saved_defaults)
        for client in [*cache._clients.values(), *cache._inherited]:
            client.close()


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    with own_clients():
        yield


@pytest.fixture
def command_log() -> Iterator[CommandLog]:
    """Every command the storage sends from now on."""
    log = CommandLog()
    with own_clients(event_listeners=[log]):
        yield log


def save_random(storage: GridFSStorage, name: str, size: int) -> bytes:
    data = random.Random(size).randbytes(size)  # noqa: S311
    storage.save(name, ContentFile(data))
    return data


def test_a_5_mb_file_streams_in_and_reads_back_chunk_by_chunk(gridfs_storage):
    source = GeneratedBytes(5 * MB)

    name = gridfs_storage.save("inv/big.pdf", File(cast("IO[bytes]", source), name="big.pdf"))

    read_back = hashlib.sha256()
    pieces = 0
    with gridfs_storage.open(name) as stored:
        for piece in stored.chunks():
            assert len(piece) <= CHUNK_SIZE
            read_back.update(piece)
            pieces += 1
        assert stored.size == 5 * MB
        assert stored.sha256 == source.sha256.hexdigest()
    assert name == "inv/big.pdf"
    assert pieces > 1
    assert read_back.hexdigest() == source.sha256.hexdigest()


def test_reading_fetches_a_few_chunks_per_round_trip_not_the_whole_file(gridfs_storage, command_log):
    save_random(gridfs_storage, "inv/big.pdf", 5 * MB)
    command_log.commands.clear()

    with gridfs_storage.open("inv/big.pdf") as stored:
        for _piece in stored.chunks():
            pass

    chunk_finds = [c for c in command_log.named("find") if c["find"].endswith(".chunks")]
    assert [c["batchSize"] for c in chunk_finds] == [storage_module.READ_AHEAD_CHUNKS]
    assert len(command_log.named("getMore")) >= 4  # 21 chunks, 4 per round trip


def test_read_n_returns_partial_reads_across_chunk_boundaries(gridfs_storage):
    data = save_random(gridfs_storage, "inv/a.pdf", 600_000)

    with gridfs_storage.open("inv/a.pdf") as stored:
        assert stored.read(10) == data[:10]
        assert stored.read(300_000) == data[10:300_010]  # crosses the first chunk boundary
        assert stored.tell() == 300_010
        stored.seek(-5, io.SEEK_END)
        assert stored.read(100) == data[-5:]
        assert stored.read(100) == b""
        stored.seek(CHUNK_SIZE - 1)
        assert stored.read(2) == data[CHUNK_SIZE - 1 : CHUNK_SIZE + 1]
        stored.seek(0)
        assert stored.read() == data


def test_an_empty_file_round_trips(gridfs_storage):
    gridfs_storage.save("inv/empty.csv", ContentFile(b""))

    with gridfs_storage.open("inv/empty.csv") as stored:
        assert stored.size == 0
        assert stored.read() == b""


def test_opening_a_missing_file_raises_file_not_found(gridfs_storage):
    with pytest.raises(FileNotFoundError):
        gridfs_storage.open("inv/missing.pdf")


@pytest.mark.parametrize("mode", ["wb", "ab", "r+b", "w", "r"])
def test_open_refuses_every_mode_but_read_binary(gridfs_storage, mode):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"x"))

    with pytest.raises(ValueError, match="read-only"):
        gridfs_storage.open("inv/a.pdf", mode)


def test_open_returns_the_newest_file_of_a_name(gridfs_storage):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"first"))
    gridfs_storage.save("inv/a.pdf", ContentFile(b"second"))

    with gridfs_storage.open("inv/a.pdf") as stored:
        assert stored.read() == b"second"


def test_content_type_and_sha256_are_recorded(gridfs_storage):
    content = SimpleUploadedFile("a.pdf", b"%PDF-1.7", content_type="application/pdf")

    gridfs_storage.save("inv/a.pdf", content)

    with gridfs_storage.open("inv/a.pdf") as stored:
        assert stored.content_type == "application/pdf"
        assert stored.sha256 == hashlib.sha256(b"%PDF-1.7").hexdigest()


def test_a_missing_chunk_is_reported_as_corruption_not_short_data(gridfs_storage):
    save_random(gridfs_storage, "inv/a.pdf", 600_000)
    gridfs_storage.database()["invoices.chunks"].delete_one({"n": 1})

    with gridfs_storage.open("inv/a.pdf") as stored, pytest.raises(CorruptGridFile, match="chunk 1"):
        stored.read()


def test_delete_removes_every_file_of_the_name_and_its_chunks(gridfs_storage):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"one"))
    gridfs_storage.save("inv/a.pdf", ContentFile(b"two"))
    gridfs_storage.save("inv/b.pdf", ContentFile(b"other"))

    gridfs_storage.delete("inv/a.pdf")

    assert not gridfs_storage.exists("inv/a.pdf")
    assert gridfs_storage.exists("inv/b.pdf")
    assert gridfs_storage.database()["invoices.chunks"].count_documents({}) == 1


def test_deleting_a_missing_file_is_not_an_error(gridfs_storage):
    gridfs_storage.delete("inv/missing.pdf")


def test_exists(gridfs_storage):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"x"))

    assert gridfs_storage.exists("inv/a.pdf")
    assert not gridfs_storage.exists("inv/b.pdf")
    assert not gridfs_storage.exists("inv")


def test_size_and_upload_time(gridfs_storage):
    before = time.time()
    save_random(gridfs_storage, "inv/a.pdf", 30_000)

    modified = gridfs_storage.get_modified_time("inv/a.pdf")
    assert gridfs_storage.size("inv/a.pdf") == 30_000
    assert modified.tzinfo is not None
    assert before - 1 <= modified.timestamp() <= time.time() + 1
    assert gridfs_storage.get_created_time("inv/a.pdf") == modified
    with pytest.raises(FileNotFoundError):
        gridfs_storage.size("inv/missing.pdf")


def test_listdir_lists_directories_and_files_under_a_path(gridfs_storage):
    for name in ("one/a.pdf", "one/b.pdf", "two/c.pdf", "top.csv"):
        gridfs_storage.save(name, ContentFile(b"x"))

    assert gridfs_storage.listdir("") == (["one", "two"], ["top.csv"])
    assert gridfs_storage.listdir("one") == ([], ["a.pdf", "b.pdf"])
    assert gridfs_storage.listdir("one/") == ([], ["a.pdf", "b.pdf"])


@pytest.mark.parametrize(
    "name",
    ["../a.pdf", "inv/../../a.pdf", "inv\\..\\a.pdf", "/etc/a.pdf", "inv/a\x00.pdf", "a" * 256, "inv/", ""],
)
def test_dangerous_or_overlong_names_are_refused(gridfs_storage, name):
    with pytest.raises(SuspiciousFileOperation):
        gridfs_storage.save(name, ContentFile(b"x"))
    with pytest.raises(SuspiciousFileOperation):
        gridfs_storage.get_available_name(name)


def test_save_keeps_the_callers_name_without_an_existence_check(gridfs_storage, command_log):
    gridfs_storage.save("inv/first.pdf", ContentFile(b"x"))  # the first upload also creates the indexes
    command_log.commands.clear()

    name = gridfs_storage.save("inv/second.pdf", ContentFile(b"y" * 30_000))

    assert name == "inv/second.pdf"
    assert not any("filename" in c.get("filter", {}) for c in command_log.named("find"))
    assert [c["insert"] for c in command_log.named("insert")] == ["invoices.chunks", "invoices.files"]


def test_a_small_file_is_written_in_two_round_trips_once_the_indexes_exist(gridfs_storage, command_log):
    gridfs_storage.save("inv/first.pdf", ContentFile(b"x"))
    command_log.commands.clear()

    gridfs_storage.save("inv/second.pdf", ContentFile(b"y" * 30_000))

    assert [(c["name"], c.get("insert")) for c in command_log.commands] == [
        ("insert", "invoices.chunks"),
        ("insert", "invoices.files"),
    ]


def test_a_large_file_is_chunked_as_gridfs_readers_expect(gridfs_storage):
    data = bytes(range(256)) * (CHUNK_SIZE * 9 // 256) + b"tail"  # 9 full chunks and a short one

    gridfs_storage.save("inv/big.pdf", ContentFile(data))

    bucket = GridFSBucket(gridfs_storage.database(), "invoices")
    assert bucket.open_download_stream_by_name("inv/big.pdf").read() == data
    chunks = list(gridfs_storage._chunks().find({}, {"n": 1, "data": 1}).sort("n", 1))
    assert [c["n"] for c in chunks] == list(range(10))
    assert {len(c["data"]) for c in chunks[:-1]} == {CHUNK_SIZE}


def test_the_first_save_makes_the_gridfs_indexes(gridfs_storage):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"x"))

    files = gridfs_storage._files().index_information()
    chunks = gridfs_storage._chunks().index_information()
    assert [("filename", 1), ("uploadDate", 1)] in [index["key"] for index in files.values()]
    chunk_index = [("files_id", 1), ("n", 1)]
    assert any(index["key"] == chunk_index and index.get("unique") for index in chunks.values())


def test_the_bucket_collections_write_with_majority_and_journal(gridfs_storage):
    database = gridfs_storage.database()

    for collection in (database["invoices.files"], database["invoices.chunks"]):
        assert collection.write_concern == WriteConcern("majority", j=True)
        assert collection.read_preference == ReadPreference.PRIMARY


def test_uploads_and_deletes_are_sent_with_majority_and_journal(gridfs_storage, command_log):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"x" * 300_000))
    gridfs_storage.delete("inv/a.pdf")

    writes = command_log.named("insert") + command_log.named("delete")
    assert len(writes) == 4
    assert all(c["writeConcern"] == {"w": "majority", "j": True} for c in writes)


def test_file_response_streams_the_file_in_pieces(gridfs_storage):
    data = save_random(gridfs_storage, "inv/a.pdf", 1 * MB)

    stored = gridfs_storage.open("inv/a.pdf")
    response = FileResponse(stored, content_type="application/pdf")
    pieces = list(cast(Iterator[bytes], response.streaming_content))
    stored.close()  # response.close() would also end a request, which touches the database

    assert len(pieces) > 1
    assert b"".join(pieces) == data
    assert response["Content-Length"] == str(len(data))


def test_a_closed_file_is_not_reopened(gridfs_storage):
    gridfs_storage.save("inv/a.pdf", ContentFile(b"abc"))
    stored = gridfs_storage.open("inv/a.pdf")
    stored.read(2)

    assert stored.open().read() == b"abc"  # open() on an open file rewinds
    stored.close()
    with pytest.raises(ValueError, match="cannot be reopened"):
        stored.open()


def test_one_client_per_process_and_a_new_one_after_a_fork(fresh_clients, mongo_url, monkeypatch):
    parent = mongo_client(mongo_url)
    assert mongo_client(mongo_url) is parent

    child_pid = os.getpid() + 1
    monkeypatch.setattr(os, "getpid", lambda: child_pid)

    child = mongo_client(mongo_url)
    assert child is not parent
    assert mongo_client(mongo_url) is child


def test_a_forked_process_uses_the_storage_with_its_own_client(gridfs_storage):
    gridfs_storage.save("inv/parent.pdf", ContentFile(b"parent"))  # the parent's client is in use
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        code = 1
        try:
            gridfs_storage.save("inv/child.pdf", ContentFile(b"child"))
            code = 0 if gridfs_storage.open("inv/parent.pdf").read() == b"parent" else 2
        finally:
            os._exit(code)

    assert wait_for_exit(pid, timeout=30) == 0
    assert gridfs_storage.open("inv/child.pdf").read() == b"child"


def wait_for_exit(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung")


def test_server_errors_propagate_for_the_worker_to_retry(fresh_clients):
    unreachable = GridFSStorage(url=UNREACHABLE, database="unused")

    with pytest.raises(ServerSelectionTimeoutError):
        unreachable.save(f"inv/{ObjectId()}.pdf", ContentFile(b"x"))
    with pytest.raises(ServerSelectionTimeoutError):
        unreachable.open("inv/a.pdf")
    with pytest.raises(ServerSelectionTimeoutError):
        unreachable.ping()


def test_ping_answers_when_the_server_is_up(gridfs_storage):
    gridfs_storage.ping()


def test_an_unreachable_server_fails_the_tests_naming_the_services_script(fresh_clients):
    from tests.mongo import require_server  # imported here so that pytest_plugins imports it first

    with pytest.raises(pytest.fail.Exception, match=r"scripts/services\.sh up"):
        require_server(UNREACHABLE)


def test_url_options_win_over_the_client_defaults():
    options = client_options("mongodb://db.example:27017/?socketTimeoutMS=1000&replicaSet=rs0")

    assert "socketTimeoutMS" not in options
    assert options["serverSelectionTimeoutMS"] == 5_000
    assert options["retryWrites"] is True
    assert options["tz_aware"] is True


def test_urls_are_not_offered(gridfs_storage):
    with pytest.raises(NotImplementedError):
        gridfs_storage.url("inv/a.pdf")


def test_the_storage_needs_a_url(settings):
    settings.MONGODB_URL = ""

    with pytest.raises(ImproperlyConfigured):
        GridFSStorage()


def test_settings_are_the_defaults_and_deconstruction_keeps_only_given_options(settings):
    settings.MONGODB_URL = "mongodb://db.example:27017"
    settings.MONGODB_DATABASE = "invoiceapp"
    settings.MONGODB_BUCKET = "invoices"

    storage = GridFSStorage(database="other")

    assert (storage.mongodb_url, storage.database_name, storage.bucket_name) == (
        "mongodb://db.example:27017",
        "other",
        "invoices",
    )
    deconstructed = storage.deconstruct()  # type: ignore[attr-defined]  # added by @deconstructible
    assert deconstructed == ("invoices.storage.GridFSStorage", (), {"database": "other"})


def test_a_download_outlives_its_server_cursor(gridfs_storage, command_log):
    # The server drops a cursor left idle for 10 minutes (a slow client); killing it does the same.
    data = save_random(gridfs_storage, "inv/big.pdf", 3 * MB)

    with gridfs_storage.open("inv/big.pdf") as stored:
        first = stored.read(CHUNK_SIZE)
        cursor_id = stored.file._cursor.cursor_id
        killed = gridfs_storage.database().command("killCursors", "invoices.chunks", cursors=[cursor_id])
        rest = stored.read()

    assert killed["cursorsKilled"] == [cursor_id]
    assert first + rest == data
    reads = [c["filter"] for c in command_log.named("find") if "files_id" in c["filter"]]
    assert [read["n"] for read in reads] == [{"$gte": 0}, {"$gte": 4}]  # resumed after the 4 chunks fetched
