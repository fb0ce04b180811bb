"""Quoted table and column names for the few statements written as fixed SQL, taken from a model's metadata.

The hot paths that skip the ORM's per-call compiling (the outbox's mark-sent, the token's user, an upload's
default brand, the ledger's head, a render's claim, an email's locked row) build their SQL once per process;
the names come from here so that they follow the models, and values stay parameters. Each is pinned by
tests/services/test_query_counts.py, and the ORM's cost each one saved is in docs/performance.md.
"""

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models


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
    converted = []
    for one, value in zip(fields, values, strict=True):
        column = one.get_col(model._meta.db_table)
        for converter in [*connection.ops.get_db_converters(column), *one.get_db_converters(connection)]:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [one.attname for one in fields], converted)
