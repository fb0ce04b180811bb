"""manage.py cleanup_files [--older-than-hours 24] [--dry-run]: remove what failed renders left behind.

A render uploads its file first and only then points ``Rendition.file_name`` at it in PostgreSQL, so a file no
invoice references is either an upload whose invoice is about to be committed, or garbage (a crashed worker,
the loser of a race that could not delete its own file). Only age tells them apart: nothing younger than
``--older-than-hours`` is touched. For GridFS it also removes chunks without a files document (a failed
upload or an interrupted delete), judged by the creation time in the chunk's ObjectId.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from invoices.models import Rendition
from invoices.storage import GridFSStorage

BATCH_SIZE = 500

T = TypeVar("T")


@dataclass
class Removed:
    files: int = 0
    chunks: int = 0


class Command(BaseCommand):
    help = "Remove stored invoice files no invoice references, and orphan GridFS chunks, older than an age."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=24.0, help="minimum age (default 24)")
        parser.add_argument("--dry-run", action="store_true", help="only report what would be removed")

    def handle(self, *args: Any, older_than_hours: float, dry_run: bool, **options: Any) -> None:
        if older_than_hours <= 0:
            raise CommandError(
                "--older-than-hours must be positive: a younger file may be an upload in progress."
            )
        self.verbosity = options["verbosity"]
        cutoff = timezone.now() - timedelta(hours=older_than_hours)
        removed = self._clean(storages["invoices"], cutoff, dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {removed.files} unreferenced file(s) and {removed.chunks} orphan chunk(s) "
            f"older than {older_than_hours:g} h."
        )

    def _clean(self, storage: Storage, cutoff: datetime, dry_run: bool) -> Removed:
        if isinstance(storage, GridFSStorage):
            return Removed(
                files=self._clean_gridfs_files(storage, cutoff, dry_run),
                chunks=self._clean_gridfs_chunks(storage, cutoff, dry_run),
            )
        if isinstance(storage, FileSystemStorage):
            return Removed(files=self._clean_directory(storage, cutoff, dry_run))
        raise CommandError(f"cleanup_files does not know how to list a {type(storage).__name__}.")

    def _clean_gridfs_files(self, storage: GridFSStorage, cutoff: datetime, dry_run: bool) -> int:
        removed = 0
        for batch in batched(storage.iter_files(uploaded_before=cutoff), BATCH_SIZE):
            referenced = referenced_names(stored.name for stored in batch)
            garbage = [stored for stored in batch if stored.name not in referenced]
            self._list(stored.name for stored in garbage)
            removed += len(garbage) if dry_run else storage.delete_files(s.file_id for s in garbage)
        return removed

    def _clean_gridfs_chunks(self, storage: GridFSStorage, cutoff: datetime, dry_run: bool) -> int:
        removed = 0
        for orphans in storage.iter_orphan_chunks(created_before=cutoff, batch_size=BATCH_SIZE):
            self._list(f"chunks of upload {files_id} ({count})" for files_id, count in orphans.items())
            removed += sum(orphans.values()) if dry_run else storage.delete_orphan_chunks(orphans, cutoff)
        return removed

    def _clean_directory(self, storage: FileSystemStorage, cutoff: datetime, dry_run: bool) -> int:
        removed = 0
        for batch in batched(files_modified_before(Path(storage.location), cutoff), BATCH_SIZE):
            referenced = referenced_names(batch)
            garbage = [name for name in batch if name not in referenced]
            self._list(garbage)
            if not dry_run:
                for name in garbage:
                    storage.delete(name)
            removed += len(garbage)
        return removed

    def _list(self, items: Iterable[str]) -> None:
        if self.verbosity >= 2:
            for item in items:
                self.stdout.write(f"  {item}")


def referenced_names(names: Iterable[str]) -> set[str]:
    """Those of the names (one batch) that a rendition points at."""
    return set(Rendition.objects.filter(file_name__in=list(names)).values_list("file_name", flat=True))


def files_modified_before(root: Path, cutoff: datetime) -> Iterator[str]:
    """Names (relative to root, with /) of the files under root last modified before the cutoff."""
    for directory, _subdirectories, filenames in os.walk(root):
        for filename in filenames:
            path = Path(directory, filename)
            try:
                modified = path.lstat().st_mtime
            except FileNotFoundError:  # deleted meanwhile, e.g. by the loser of a render race
                continue
            if modified < cutoff.timestamp():
                yield path.relative_to(root).as_posix()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
