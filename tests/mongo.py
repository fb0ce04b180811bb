"""Fresh GridFS storages for tests: a database of its own per test on the real server, dropped afterwards.

Small-file uploads slow down as a bucket grows on the MongoDB-compatible server used here, and tests must not
see each other's files, hence one database per test. Register the fixtures with
``pytest_plugins = ["tests.mongo"]`` (in tests/conftest.py, or in a test module), then ask for:

- ``mongo_url``: the server's URL (``MONGODB_URL`` or mongodb://127.0.0.1:27017); when no server answers,
  every test using it fails (never skips) with a message naming ``scripts/services.sh up``.
- ``gridfs_storage``: a ``GridFSStorage`` on a fresh ``test_storage_<uuid>`` database.
- ``invoices_gridfs_storage``: the same database installed as ``STORAGES["invoices"]``, so code that uses
  ``storages["invoices"]`` (the render service, the download view, cleanup_files) writes and reads there.

Outside pytest fixtures, ``with fresh_gridfs_storage() as storage:`` does the same.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.storage import storages
from pymongo.errors import PyMongoError

from invoices.storage import GridFSStorage, mongo_client

DEFAULT_MONGODB_URL = "mongodb://127.0.0.1:27017"


def mongodb_url() -> str:
    return os.environ.get("MONGODB_URL") or DEFAULT_MONGODB_URL


def require_server(url: str) -> None:
    """Fail the test (never skip it) when no server answers at url."""
    try:
        mongo_client(url).admin.command("ping")
    except PyMongoError as error:
        pytest.fail(
            f"No MongoDB-compatible server answers at {url} ({type(error).__name__}: {error}). "
            "Start the services with `scripts/services.sh up`.",
            pytrace=False,
        )


@contextmanager
def fresh_gridfs_storage(url: str | None = None, bucket: str = "invoices") -> Iterator[GridFSStorage]:
    """A GridFSStorage on a database of its own, dropped on exit."""
    url = url or mongodb_url()
    storage = GridFSStorage(url=url, database=f"test_storage_{uuid.uuid4().hex}", bucket=bucket)
    try:
        yield storage
    finally:
        mongo_client(url).drop_database(storage.database_name)


@pytest.fixture(scope="session")
def mongo_url() -> str:
    url = mongodb_url()
    require_server(url)
    return url


@pytest.fixture
def gridfs_storage(mongo_url: str) -> Iterator[GridFSStorage]:
    with fresh_gridfs_storage(mongo_url) as storage:
        yield storage


@pytest.fixture
def invoices_gridfs_storage(gridfs_storage: GridFSStorage, settings) -> GridFSStorage:
    options = {
        "url": gridfs_storage.mongodb_url,
        "database": gridfs_storage.database_name,
        "bucket": gridfs_storage.bucket_name,
    }
    # pytest-django's settings fixture restores STORAGES afterwards, and Django empties its storage cache
    # whenever STORAGES changes, so storages["invoices"] is built from these options.
    settings.STORAGES = {
        **settings.STORAGES,
        "invoices": {"BACKEND": "invoices.storage.GridFSStorage", "OPTIONS": options},
    }
    storage = storages["invoices"]
    assert isinstance(storage, GridFSStorage)
    return storage
