"""The benchmark's own corner of the real services, made before a run and removed after it.

- PostgreSQL: a database ``<name>_bench_<hex>`` next to the one DATABASE_URL names (the role has CREATEDB,
  as for pytest's test database), migrated with its cache table; dropped after. A name per run, so two
  engineers benchmarking at once on one server never drop each other's database.
- RabbitMQ: a namespace ``bench-<hex>`` (AMQP_NAMESPACE); its queues and exchanges are deleted after.
- MongoDB: a database ``bench_<hex>`` for the pipeline's files; dropped after.
- SMTP: a server of the run's own in this process, taking every email and keeping none (bench/mail_sink.py).

Everything is applied to ``os.environ`` before Django starts, so this process, the spawned render
processes and the gunicorn and worker subprocesses all see the same settings.
"""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2  # type: ignore[import-untyped]  # no stubs in requirements-dev
from psycopg2 import sql

from bench import mail_sink, storage_server

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_MONGODB_URL = "mongodb://127.0.0.1:27017"


@dataclass(frozen=True)
class BenchEnv:
    database_url: str
    admin_database_url: str  # the database we connect to in order to create and drop the bench one
    amqp_url: str
    amqp_namespace: str
    mongodb_url: str
    mongodb_database: str
    work_dir: Path  # logs, password file, wrk script, Prometheus files
    private_storage: bool = False  # a fresh SecantusDB of the run's own (bench/storage_server.py)

    @property
    def database_name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    def variables(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "AMQP_URL": self.amqp_url,
            "AMQP_NAMESPACE": self.amqp_namespace,
            "MONGODB_URL": self.mongodb_url,
            "MONGODB_DATABASE": self.mongodb_database,
            "ALLOWED_HOSTS": "127.0.0.1",
            "WORKER_HEARTBEAT_FILE": str(self.work_dir / "worker-heartbeat"),
            "BENCH_WORK_DIR": str(self.work_dir),
            "BENCH_PRIVATE_STORAGE": "1" if self.private_storage else "",
            "PYTHONUNBUFFERED": "1",
        }


def bench_database_url(url: str, run_id: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"the benchmark needs PostgreSQL in DATABASE_URL (as `make test` uses), not {url!r}")
    name = parts.path.lstrip("/") or "invoiceapp"
    return urlunsplit(parts._replace(path=f"/{name}_bench_{run_id}"))


def from_environment() -> BenchEnv:
    source = os.environ.get("DATABASE_URL", "")
    if not source:
        raise SystemExit(
            "set DATABASE_URL to the PostgreSQL of `make test` (the Makefile's TEST_DATABASE_URL)"
        )
    run_id = uuid.uuid4().hex[:10]
    return BenchEnv(
        database_url=bench_database_url(source, run_id),
        admin_database_url=source,
        amqp_url=os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL,
        amqp_namespace=f"bench-{run_id}",
        mongodb_url=os.environ.get("MONGODB_URL") or DEFAULT_MONGODB_URL,
        mongodb_database=f"bench_{run_id}",
        work_dir=Path(tempfile.mkdtemp(prefix=f"bench-{run_id}-")),
    )


def _admin_execute(env: BenchEnv, statement: sql.Composable) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    connection = psycopg2.connect(env.admin_database_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(env: BenchEnv) -> None:
    _admin_execute(env, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(env.database_name)))


def drop_database(env: BenchEnv) -> None:
    _admin_execute(
        env, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(env.database_name))
    )


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def delete_amqp_namespace() -> None:
    import pika

    from workers import topology

    layout = topology.current()
    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    try:
        topology.delete(connection.channel(), layout)
    finally:
        connection.close()


def drop_mongo_database(env: BenchEnv) -> None:
    from invoices.storage import mongo_client

    mongo_client(env.mongodb_url).drop_database(env.mongodb_database)


@contextmanager
def prepared(keep: bool = False) -> Iterator[BenchEnv]:
    """The bench environment, applied to os.environ and Django started on it; removed on exit."""
    env = from_environment()
    with ExitStack() as stack:
        if storage_server.wanted():
            url = stack.enter_context(storage_server.private_server(env.work_dir / "mongo-run"))
            env = replace(env, mongodb_url=url, private_storage=True)
        create_database(env)
        try:
            os.environ.update(env.variables())
            os.environ.update(stack.enter_context(mail_sink.running()))
            from bench.django_setup import setup

            setup()
            migrate()
            yield env
        finally:
            if not keep:
                cleanup(env)


def cleanup(env: BenchEnv) -> None:
    from django.db import connections

    # Each step on its own: one failing (a service gone) must not leave the others behind.
    for step in (delete_amqp_namespace, lambda: drop_mongo_database(env)):
        try:
            step()
        except Exception as exc:
            print(f"  clean-up: {exc!r}")
    connections.close_all()
    drop_database(env)
