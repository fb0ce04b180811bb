"""Quoted table and column names for the few statements written as fixed SQL, taken from a model's metadata.

The hot paths that skip the ORM's per-call compiling (the outbox's mark-sent, the token's user, an upload's
default brand, the ledger's head, a render's claim, an email's locked row) build their SQL once per process;
the names come from here so that they follow the models, and values stay parameters. Each is pinned by
tests/services/test_query_counts.py, and the ORM's cost each one saved is in docs/performance.md.

``insert`` does the same for the rows every upload, file and email adds (the invoice, its renditions, their
outbox rows, the ledger's entries, the ready notification, the email's download links): the ORM's values,
without the ORM's compiling of each INSERT.

``execute`` runs such a statement. On PostgreSQL it is prepared once per connection (``PREPARE``) and then
only executed (``EXECUTE name(values)``): the server parses and plans it once instead of on every call, which
was half of its CPU for these statements (docs/performance.md, "Round four"). Behind a pooler that hands a
session's statements to other server connections (PgBouncer in transaction mode) prepared statements break;
``DATABASE_PREPARED_STATEMENTS=0`` sends the text instead.
"""

import hashlib
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any, cast

from django.conf import settings
from django.db import NotSupportedError, connection, models

# An INSERT of more rows than this is sent as text: its parsing is shared by its rows already, and a
# connection keeping one prepared statement per row count of every batch size would hold hundreds.
PREPARE_MAX_ROWS = 8
# A transaction-level advisory lock on (namespace, key): the ledger's chain and the numbering's owner lock.
ADVISORY_XACT_LOCK = "SELECT pg_advisory_xact_lock(%s, %s)"
_PLACEHOLDER = re.compile(r"%s|%%")
# The text of each prepared statement by its name (the same in every process: a hash of the text).
_TEXTS: dict[str, str] = {}


def field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """The concrete field ``name`` of ``model`` (not a relation's reverse side)."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(field(model, name).column))


def value(model: type[models.Model], name: str, python_value: Any) -> Any:
    """``python_value`` as the database takes it for field ``name`` (SQLite binds no UUID, for one)."""
    return field(model, name).get_db_prep_value(python_value, connection)


def columns(model: type[models.Model], fields: Sequence["models.Field[Any, Any]"]) -> str:
    """``"table"."column", ...`` of ``fields``, for a SELECT that reads several models' rows at once."""
    name = table(model)
    return ", ".join(f"{name}.{connection.ops.quote_name(str(f.column))}" for f in fields)


def instance(
    model: type[models.Model], fields: Sequence["models.Field[Any, Any]"], values: Sequence[Any]
) -> Any:
    """A model instance from the values of ``fields`` read by fixed SQL, converted as the ORM converts them
    (a JSON column arrives as text, for one); the fields not read are deferred, as with ``only()``."""
    return instances(model, fields, [values])[0]


def instances(
    model: type[models.Model], fields: Sequence["models.Field[Any, Any]"], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """``instance`` for each row, with the converters the ORM's compiler would apply."""
    converters, names = _converters(connection.ops, model, tuple(fields))
    made = []
    for row in rows:
        converted = []
        for (column, functions), value in zip(converters, row, strict=True):
            for converter in functions:
                value = converter(value, column, connection)
            converted.append(value)
        made.append(model.from_db(connection.alias, names, converted))
    return made


@lru_cache(maxsize=256)
def _converters(
    ops: Any, model: type[models.Model], fields: tuple["models.Field[Any, Any]", ...]
) -> tuple[list[tuple[Any, list[Any]]], list[str]]:
    """Each field's column and converters, and the fields' attribute names: looked up once per connection
    (``ops`` is its operations object) and set of fields, not on every read (half of a one-row read's CPU)."""
    converters = []
    for one in fields:
        column = one.get_col(model._meta.db_table)
        converters.append((column, [*ops.get_db_converters(column), *one.get_db_converters(ops.connection)]))
    return converters, [one.attname for one in fields]


def execute(cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
    """Run the fixed statement ``sql`` (``%s`` placeholders) on ``cursor``, prepared on PostgreSQL."""
    execute_together(cursor, [(sql, params)])


def execute_together(cursor: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Run fixed statements in one message, in order, each with its own snapshot (PostgreSQL; a database
    that takes one statement at a time gets a list of one). The cursor holds the last one's result."""
    values = [value for _sql, params in statements for value in params]
    if not _prepares():
        cursor.execute("; ".join(sql for sql, _params in statements), values)
        return
    prepared, stale = _prepared_here()
    calls, names = [], []
    for sql, _params in statements:
        name, count = _statement(sql)
        if name not in prepared:
            # On the driver's own cursor: preparing is not a query of the request's, and keeps the query
            # counts the tests pin the same whether this connection prepared the statement before or not.
            if name in stale:
                cursor.cursor.execute(f"DEALLOCATE {name}")
                stale.discard(name)
            cursor.cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
            prepared.add(name)
        names.append(name)
        calls.append(f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}")
    try:
        cursor.execute("; ".join(calls), values)
    except NotSupportedError:
        # "cached plan must not change result type": a migration changed the type of a column a prepared
        # statement returns. This transaction is lost (the job or request is retried), but the statements are
        # prepared afresh on their next run instead of failing on this connection until it is replaced.
        prepared.difference_update(names)
        stale.update(names)
        raise


def prepared_text(name: str) -> str | None:
    """The SQL a prepared statement of ``execute`` runs, by its name (for tests that read the statements)."""
    return _TEXTS.get(name)


def _prepares() -> bool:
    return connection.vendor == "postgresql" and bool(settings.DATABASE_PREPARED_STATEMENTS)


def _prepared_here() -> tuple[set[str], set[str]]:
    """The statements prepared on this thread's connection, and those to prepare again: a session's own,
    gone with it (a reconnect starts empty). PREPARE is not undone by a rollback, so a name stays once its
    PREPARE succeeded."""
    raw = connection.connection
    state = getattr(connection, "_sqlnames_prepared", None)
    if state is None or state[0] is not raw:
        state = (raw, set(), set())
        connection._sqlnames_prepared = state  # type: ignore[attr-defined]
    return cast("tuple[set[str], set[str]]", state[1:])


@lru_cache(maxsize=512)
def _statement(sql: str) -> tuple[str, int]:
    name = "sqlnames_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
    _TEXTS[name] = sql
    return name, sql.count("%s")


def _numbered(sql: str) -> str:
    """``%s`` as ``$1``, ``$2``, ..., and ``%%`` as ``%``: the text PREPARE takes."""
    count = 0

    def number(match: "re.Match[str]") -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def insert(objs: Sequence[models.Model]) -> None:
    """INSERT ``objs``, new instances of one model, as ``bulk_create`` would: every concrete field's value as
    the ORM saves it (``pre_save``, so ``auto_now`` and ``auto_now_add`` times are set on the instances;
    ``get_db_prep_save``), and a primary key the database assigns read back into each instance.

    One statement for all of them, or as few as the database's limit on parameters allows (SQLite's), each
    built once per model and row count. Only for models without multi-table inheritance and for plain values
    (no expressions), which is what the callers insert; tests/services/test_fixed_sql_writes.py proves the
    rows equal the ORM's."""
    if not objs:
        return
    model = type(objs[0])
    fields, returning = _insert_fields(model)
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs)  # a database that cannot say which keys it gave
        return
    size = max(1, connection.ops.bulk_batch_size(fields, objs))  # SQLite's limit on parameters
    for start in range(0, len(objs), size):
        _insert_rows(model, objs[start : start + size], fields, returning)


def _insert_rows(
    model: type[models.Model],
    objs: Sequence[models.Model],
    fields: list["models.Field[Any, Any]"],
    returning: list["models.Field[Any, Any]"],
) -> None:
    params: list[Any] = []
    for obj in objs:
        params += [one.get_db_prep_save(one.pre_save(obj, True), connection) for one in fields]
    sql = _insert_sql(model, len(objs), connection.vendor)
    with connection.cursor() as cursor:
        if len(objs) <= PREPARE_MAX_ROWS:
            execute(cursor, sql, params)
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall() if returning else []
    for index, obj in enumerate(objs):
        if returning:
            for one, value in zip(returning, rows[index], strict=True):
                setattr(obj, one.attname, value)
        obj._state.adding = False
        obj._state.db = connection.alias


@cache
def _insert_fields(
    model: type[models.Model],
) -> tuple[list["models.Field[Any, Any]"], list["models.Field[Any, Any]"]]:
    """(the fields an INSERT gives values for, the fields the database assigns and RETURNING reads)."""
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{model.__name__}: insert() takes no multi-table inheritance")
    returning: list[models.Field[Any, Any]] = [
        one for one in meta.db_returning_fields if one is meta.auto_field
    ]
    given = [one for one in meta.local_concrete_fields if one not in returning and not one.generated]
    if any(hasattr(one, "get_placeholder") for one in given):
        raise TypeError(f"{model.__name__}: a field with a placeholder of its own needs the ORM's INSERT")
    return given, returning


@lru_cache(maxsize=64)  # one upload's few shapes, and the last batches' sizes
def _insert_sql(model: type[models.Model], rows: int, vendor: str) -> str:
    """The INSERT of ``rows`` rows of ``model`` (per vendor: each quotes names by its own rules)."""
    fields, returning = _insert_fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(column(model, one.name) for one in fields)}) "  # noqa: S608  # nosec B608
        f"VALUES {', '.join([row] * rows)}"
    )
    if returning:
        sql += f" RETURNING {', '.join(column(model, one.name) for one in returning)}"
    return sql
