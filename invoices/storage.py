"""Rendered invoice files in MongoDB GridFS (docs/reliability.md rule 10), behind Django's Storage API.

A file is written under a fresh ObjectId and a name its caller made unique. GridFS writes the files document
after the last chunk, so a name resolves to a complete file or to nothing; a failed upload leaves only
chunks without a files document, which ``manage.py cleanup_files`` removes. Files are written and read as
the GridFS specification lays them out (chunks, then the files document) with plain pymongo calls, so the
same code runs against real MongoDB and any GridFS reader sees the same files. Server errors
(``PyMongoError``) propagate unchanged: the render worker classifies them as transient and retries.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any, NamedTuple, Self, cast
from urllib.parse import parse_qs, urlsplit

from bson import Binary, ObjectId
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from gridfs import GridFSBucket
from gridfs.errors import CorruptGridFile, NoFile
from pymongo import ASCENDING, MongoClient, ReadPreference, WriteConcern
from pymongo.collection import Collection
from pymongo.cursor import Cursor
from pymongo.database import Database
from pymongo.errors import CursorNotFound, PyMongoError

Document = dict[str, Any]

MAX_NAME_LENGTH = 255  # Invoice.file_name's max_length
CHUNK_SIZE = 255 * 1024  # GridFS's default chunk size
# Chunks fetched per round trip when reading: bounds a download's memory to about 1 MiB.
READ_AHEAD_CHUNKS = 4
# Chunks sent per insert when writing: a small file is one round trip, a large one never over ~1 MiB.
WRITE_BATCH_CHUNKS = 4
# A file counts as written once most of the replica set has it in its journal: a failover cannot lose a
# file whose name PostgreSQL already points at.
WRITE_CONCERN = WriteConcern("majority", j=True)
# Defaults for the client; the same option given in MONGODB_URL wins.
CLIENT_DEFAULTS: dict[str, Any] = {
    "appname": "invoiceapp",
    "serverSelectionTimeoutMS": 5_000,
    "connectTimeoutMS": 5_000,
    "socketTimeoutMS": 30_000,
    "retryWrites": True,
    "retryReads": True,
}


class _ClientCache:
    """One MongoClient per URL and per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._clients: dict[str, MongoClient[Document]] = {}
        self._inherited: list[MongoClient[Document]] = []

    def get(self, url: str) -> MongoClient[Document]:
        with self._lock:
            if self._pid != os.getpid():
                self._forget_parent_clients()
            client = self._clients.get(url)
            if client is None:
                client = self._clients[url] = MongoClient(url, **client_options(url))
            return client

    def _forget_parent_clients(self) -> None:
        # A forked child must not share its parent's client (sockets, monitor threads, sessions). Closing
        # it from here could talk over the parent's connections, so it is only set aside, still referenced
        # so that its finaliser does not warn about an unclosed client.
        self._inherited.extend(self._clients.values())
        self._clients = {}
        self._pid = os.getpid()

    def after_fork_in_child(self) -> None:
        # A thread of the parent may have held the lock at fork time; in the child nobody would release it.
        self._lock = threading.Lock()


_clients = _ClientCache()
# (url, database, bucket) whose GridFS indexes this process has made (GridFSStorage._ensure_indexes).
_indexed_buckets: set[tuple[str, str, str]] = set()
os.register_at_fork(after_in_child=lambda: _clients.after_fork_in_child())


def client_options(url: str) -> dict[str, Any]:
    given = {key.lower() for key in parse_qs(urlsplit(url).query)}
    defaults = {key: value for key, value in CLIENT_DEFAULTS.items() if key.lower() not in given}
    return {**defaults, "tz_aware": True}


def mongo_client(url: str) -> MongoClient[Document]:
    """This process's client for ``url``, created on first use and again after a fork."""
    return _clients.get(url)


def validate_name(name: str, max_length: int | None = None) -> str:
    """Refuse a name that could escape a directory, or that PostgreSQL's Invoice.file_name cannot hold."""
    limit = min(max_length or MAX_NAME_LENGTH, MAX_NAME_LENGTH)
    if not name or "\x00" in name or len(name) > limit:
        raise SuspiciousFileOperation(f"Invalid file name {name[:80]!r}: empty, NUL or over {limit} long.")
    parts = name.replace("\\", "/").split("/")
    if not parts[0] or ".." in parts or parts[-1] in {"", "."}:
        raise SuspiciousFileOperation(f"Invalid file name {name[:80]!r}: absolute, '..' or no base name.")
    return name


def _fixed_pieces(content: File[Any], size: int) -> Iterator[bytes]:
    """The content in pieces of exactly ``size`` bytes, but the last: GridFS chunks must be full."""
    pending = b""
    for piece in content.chunks(size):
        pending += piece
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    if pending:
        yield pending


class StoredFile(NamedTuple):
    file_id: Any
    name: str


@deconstructible(path="invoices.storage.GridFSStorage")
class GridFSStorage(Storage):
    """Invoice files in one GridFS bucket. Read-only ``open``; no URLs (downloads go through the app)."""

    def __init__(self, url: str | None = None, database: str | None = None, bucket: str | None = None):
        self.mongodb_url = url or settings.MONGODB_URL
        self.database_name = database or settings.MONGODB_DATABASE
        self.bucket_name = bucket or settings.MONGODB_BUCKET
        if not self.mongodb_url:
            raise ImproperlyConfigured("GridFSStorage needs MONGODB_URL (or the url option).")

    # --- Connection ------------------------------------------------------------------------------------

    def database(self) -> Database[Document]:
        # The write concern goes on the database, not only on GridFSBucket: pymongo's upload streams write
        # through the database's collections and ignore the bucket's write_concern.
        return mongo_client(self.mongodb_url).get_database(
            self.database_name, write_concern=WRITE_CONCERN, read_preference=ReadPreference.PRIMARY
        )

    def ping(self) -> None:
        """Raise a ``PyMongoError`` unless the server answers (for health checks)."""
        self.database().command("ping")

    def _bucket(self) -> GridFSBucket:
        return GridFSBucket(
            self.database(),
            self.bucket_name,
            chunk_size_bytes=CHUNK_SIZE,
            write_concern=WRITE_CONCERN,
            read_preference=ReadPreference.PRIMARY,
        )

    def _files(self) -> Collection[Document]:
        return self.database()[f"{self.bucket_name}.files"]

    def _chunks(self) -> Collection[Document]:
        return self.database()[f"{self.bucket_name}.chunks"]

    # --- Storage API -----------------------------------------------------------------------------------

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # Callers make every name unique (one per render attempt), so no exists() round trip is spent here.
        return validate_name(str(name), max_length)

    def _save(self, name: str, content: File[Any]) -> str:
        self._ensure_indexes()
        file_id = ObjectId()
        digest = hashlib.sha256()
        length = 0
        batch: list[Document] = []
        try:
            for n, piece in enumerate(_fixed_pieces(content, CHUNK_SIZE)):
                batch.append({"_id": ObjectId(), "files_id": file_id, "n": n, "data": Binary(piece)})
                digest.update(piece)
                length += len(piece)
                if len(batch) == WRITE_BATCH_CHUNKS:
                    self._chunks().insert_many(batch)
                    batch = []
            if batch:
                self._chunks().insert_many(batch)
            # The files document goes last (GridFS's rule): until it exists, no reader sees the file.
            self._files().insert_one(self._files_document(file_id, name, length, digest, content))
        except BaseException:
            self._abandon_chunks(file_id)
            raise
        return name

    @staticmethod
    def _files_document(file_id: ObjectId, name: str, length: int, digest: Any, content: Any) -> Document:
        metadata: Document = {"sha256": digest.hexdigest()}
        content_type = getattr(content, "content_type", None)
        if content_type:
            metadata["content_type"] = content_type
        return {
            "_id": file_id,
            "length": length,
            "chunkSize": CHUNK_SIZE,
            "uploadDate": timezone.now(),
            "filename": name,
            "metadata": metadata,
        }

    def _abandon_chunks(self, file_id: ObjectId) -> None:
        # Best effort, as pymongo's GridIn.abort(): what is left (the server went away) is an orphan that
        # cleanup_files removes, never a visible partial file.
        with contextlib.suppress(PyMongoError):
            self._chunks().delete_many({"files_id": file_id})

    def _ensure_indexes(self) -> None:
        """The GridFS spec's two indexes, made once per process and bucket.

        pymongo's upload stream checks for them on every upload (two extra round trips per file); a
        file is written with two (chunks, then the files document) once this process has made them.
        """
        key = (self.mongodb_url, self.database_name, self.bucket_name)
        if key in _indexed_buckets:
            return
        self._files().create_index([("filename", ASCENDING), ("uploadDate", ASCENDING)])
        self._chunks().create_index([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)
        _indexed_buckets.add(key)

    def _open(self, name: str, mode: str = "rb") -> GridFSFile:
        if mode != "rb":
            raise ValueError(f"GridFSStorage opens files read-only ('rb'), not {mode!r}.")
        document = self._newest(name)
        return GridFSFile(GridFSReader(self._chunks(), document), document)

    def exists(self, name: str) -> bool:
        return self._files().find_one({"filename": name}, {"_id": 1}) is not None

    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete the file.")
        # Files documents go first, then chunks: a crash in between leaves orphan chunks for cleanup_files,
        # never a file whose chunks are missing.
        with contextlib.suppress(NoFile):
            self._bucket().delete_by_name(name)

    def size(self, name: str) -> int:
        return int(self._newest(name)["length"])

    def get_modified_time(self, name: str) -> datetime:
        uploaded: datetime = self._newest(name)["uploadDate"]
        return uploaded if settings.USE_TZ else timezone.make_naive(uploaded)

    def get_created_time(self, name: str) -> datetime:
        return self.get_modified_time(name)  # a GridFS file is never modified after upload

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        query = {"filename": {"$regex": f"^{re.escape(prefix)}"}} if prefix else {}
        directories: set[str] = set()
        files: set[str] = set()
        for document in self._files().find(query, {"filename": 1}):
            head, separator, _ = document["filename"][len(prefix) :].partition("/")
            (directories if separator else files).add(head)
        return sorted(directories), sorted(files)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Invoice files are served by the app's authenticated download view.")

    def _newest(self, name: str) -> Document:
        document = self._files().find_one({"filename": name}, sort=[("uploadDate", -1), ("_id", -1)])
        if document is None:
            raise FileNotFoundError(f"No stored file named {name!r}.")
        return document

    # --- For cleanup_files -------------------------------------------------------------------------------

    def iter_files(self, uploaded_before: datetime) -> Iterator[StoredFile]:
        """Every complete file uploaded before the given time (a cursor, not a list)."""
        for document in self._files().find({"uploadDate": {"$lt": uploaded_before}}, {"filename": 1}):
            yield StoredFile(document["_id"], document["filename"])

    def delete_files(self, file_ids: Iterable[Any]) -> int:
        """Delete files by id; return how many files documents were deleted."""
        ids = list(file_ids)
        if not ids:
            return 0
        deleted = self._files().delete_many({"_id": {"$in": ids}}).deleted_count
        self._chunks().delete_many({"files_id": {"$in": ids}})
        return deleted

    def iter_orphan_chunks(self, created_before: datetime, batch_size: int) -> Iterator[dict[Any, int]]:
        """Batches of ``{files_id: number of chunks}`` for chunks created before the given time whose
        files document does not exist: the remains of failed uploads and interrupted deletes."""
        old = {"_id": {"$lt": ObjectId.from_datetime(created_before)}}
        counts: Counter[Any] = Counter()
        for chunk in self._chunks().find(old, {"files_id": 1, "_id": 0}):
            counts[chunk["files_id"]] += 1
            if len(counts) >= batch_size:
                yield from self._orphans_among(counts)
                counts = Counter()
        yield from self._orphans_among(counts)

    def delete_orphan_chunks(self, files_ids: Iterable[Any], created_before: datetime) -> int:
        """Delete those files' chunks created before the given time; return how many were deleted."""
        # The age bound again: a chunk younger than that may belong to an upload still being written.
        query = {"files_id": {"$in": list(files_ids)}, "_id": {"$lt": ObjectId.from_datetime(created_before)}}
        return self._chunks().delete_many(query).deleted_count

    def _orphans_among(self, counts: Counter[Any]) -> Iterator[dict[Any, int]]:
        if not counts:
            return
        existing = {doc["_id"] for doc in self._files().find({"_id": {"$in": list(counts)}}, {"_id": 1})}
        orphans = {files_id: n for files_id, n in counts.items() if files_id not in existing}
        if orphans:
            yield orphans


class GridFSReader(io.RawIOBase):
    """One stored file, read chunk by chunk with a few chunks fetched per round trip.

    pymongo's GridOut reads through a cursor with the server's default batch (up to 16 MiB), which holds a
    whole invoice in memory per download; a small batch size bounds it to READ_AHEAD_CHUNKS chunks.
    """

    mode = "rb"

    def __init__(self, chunks: Collection[Document], file_document: Document) -> None:
        super().__init__()
        self._chunks = chunks
        self._file_id = file_document["_id"]
        self.size = int(file_document["length"])
        self.chunk_size = int(file_document["chunkSize"])
        self._position = 0
        self._cursor: Cursor[Document] | None = None
        self._cursor_next = 0  # the n of the chunk the open cursor returns next
        self._chunk_n = -1
        self._chunk = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        bases = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}
        if whence not in bases or bases[whence] + offset < 0:
            raise ValueError(f"Invalid seek: offset {offset}, whence {whence}.")
        self._position = bases[whence] + offset  # no I/O: the next read fetches from the new chunk
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        end = self.size if size is None or size < 0 else min(self.size, self._position + size)
        pieces = []
        while self._position < end:
            n, offset = divmod(self._position, self.chunk_size)
            piece = self._load(n)[offset : offset + end - self._position]
            pieces.append(piece)
            self._position += len(piece)
        return b"".join(pieces)

    def readall(self) -> bytes:
        return self.read()

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        super().close()

    def __del__(self) -> None:
        # IOBase's finaliser would call close(), and closing a live cursor is network I/O, which must not
        # run inside the garbage collector; the cursor's own finaliser schedules its cleanup instead.
        self._cursor = None

    def _load(self, n: int) -> bytes:
        if n != self._chunk_n:
            self._chunk, self._chunk_n = self._fetch(n), n
        return self._chunk

    def _fetch(self, n: int) -> bytes:
        cursor = self._cursor if self._cursor is not None and self._cursor_next == n else self._open_cursor(n)
        try:
            document = next(cursor, None)
        except CursorNotFound:
            # The server drops a cursor idle for 10 minutes; a slow client can take that long.
            document = next(self._open_cursor(n), None)
        self._cursor_next = n + 1
        return self._checked(n, document)

    def _open_cursor(self, n: int) -> Cursor[Document]:
        if self._cursor is not None:
            self._cursor.close()
        self._cursor = self._chunks.find(
            {"files_id": self._file_id, "n": {"$gte": n}},
            {"_id": 0, "n": 1, "data": 1},
            sort=[("n", 1)],
            batch_size=READ_AHEAD_CHUNKS,
        )
        return self._cursor

    def _checked(self, n: int, document: Document | None) -> bytes:
        if document is None or document["n"] != n:
            raise CorruptGridFile(f"File {self._file_id}: chunk {n} is missing.")
        data = bytes(document["data"])
        expected = min(self.chunk_size, self.size - n * self.chunk_size)
        if len(data) != expected:
            raise CorruptGridFile(f"File {self._file_id}: chunk {n} has {len(data)} bytes, not {expected}.")
        return data


class GridFSFile(File):
    """What ``GridFSStorage.open`` returns: a read-only, seekable, streaming Django File."""

    def __init__(self, reader: GridFSReader, file_document: Document) -> None:
        super().__init__(cast("IO[bytes]", reader), name=file_document["filename"])
        self.file_id = file_document["_id"]
        self.uploaded_at: datetime = file_document["uploadDate"]
        metadata = file_document.get("metadata") or {}
        self.content_type: str = metadata.get("content_type", "")
        self.sha256: str = metadata.get("sha256", "")
        self._chunk_size = reader.chunk_size

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        # Stored-chunk-sized pieces hand out the chunks as fetched, without slicing or joining.
        return super().chunks(chunk_size or self._chunk_size)

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> Self:
        # File.open() would reopen a closed file from a local path of the same name: never that here.
        if self.closed:
            raise ValueError("A closed GridFS file cannot be reopened; open it again from the storage.")
        self.seek(0)
        return self
