import pytest
from django.db import connection

from tests.amqp import amqp_namespace, amqp_url  # noqa: F401 - pytest fixtures
from tests.workers import fake_consumers


@pytest.fixture(autouse=True)
def _fresh_records():
    fake_consumers.reset()


@pytest.fixture
def postgres(transactional_db):
    """Row locks (SKIP LOCKED) need the real PostgreSQL, never SQLite."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "these tests need PostgreSQL: set DATABASE_URL=postgres://invoiceapp:invoiceapp@127.0.0.1:5432/invoiceapp",
            pytrace=False,
        )
