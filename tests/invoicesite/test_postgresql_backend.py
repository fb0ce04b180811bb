"""The PostgreSQL backend's health check: skipped for a connection that just worked, kept otherwise.

Run against the real PostgreSQL (``make test``); the idle-connection case terminates a real backend.
"""

import psycopg2  # type: ignore[import-untyped]  # no stubs in requirements-dev
import pytest
from django import db
from django.db import connection, connections

from invoicesite.postgresql import base


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.fail("these tests need PostgreSQL (DATABASE_URL=postgres://...)", pytrace=False)
    wrapper = connections["default"]  # the wrapper itself, not the thread-local proxy
    assert isinstance(wrapper, base.DatabaseWrapper), type(wrapper)
    yield wrapper
    wrapper.close()


@pytest.fixture
def checks(pg, monkeypatch):
    """Count the health checks (each one is a SELECT 1 round trip)."""
    calls: list[bool] = []
    real = pg.is_usable

    def counting() -> bool:
        usable = real()
        calls.append(usable)
        return usable

    monkeypatch.setattr(pg, "is_usable", counting)
    return calls


def request(sql: str = "SELECT 1") -> None:
    """What Django does around a request (the runner around a job): close old connections, query, close."""
    db.close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute(sql)
    db.close_old_connections()


def test_a_connection_that_just_worked_is_not_checked_again(checks):
    request()  # a new connection: healthy by definition
    request()
    request()
    assert checks == []


def test_an_idle_connection_is_checked(checks, pg):
    request()
    pg._proven_at -= base.PROVEN_SECONDS  # as if it sat idle since
    request()
    assert checks == [True]


def test_a_connection_that_saw_an_error_is_checked_at_the_end_of_its_request(checks, pg):
    request()
    db.close_old_connections()
    with pytest.raises(db.ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    assert pg._proven_at > 0
    proven = pg._proven_at
    db.close_old_connections()  # the end of that request: Django checks the connection now
    assert checks == [True]
    assert pg._proven_at == proven  # an error is not proof; the check that followed it is
    request()
    assert checks == [True]


def test_an_idle_connection_postgresql_closed_is_replaced_without_an_error(pg):
    request()
    old_pid = pg.connection.get_backend_pid()
    pg._proven_at -= base.PROVEN_SECONDS
    # PostgreSQL closes the idle connection (as a restart would) from outside this process.
    params = pg.get_connection_params()
    with psycopg2.connect(**params) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    admin.close()
    db.close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
    db.close_old_connections()
