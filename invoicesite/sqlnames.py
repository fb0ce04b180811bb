"""Quoted table and column names for the few statements written as fixed SQL, taken from a model's metadata.

The hot paths that skip the ORM's per-call compiling (the outbox's mark-sent, the token's user) build their
SQL once per process; the names come from here so that they follow the models, and values stay parameters.
"""

from typing import Any, cast

from django.db import connection, models


def field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """The concrete field ``name`` of ``model`` (not a relation's reverse side)."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(field(model, name).column))
