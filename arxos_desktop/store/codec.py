"""Conversion between validated models, wire values and SQLite column values.

Three forms of one value: the *model* form (enums, dates), the *wire* form
(JSON-ready: what the outbox and the server carry) and the *column* form (what
SQLite stores: JSON objects as text, booleans as integers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from operator import itemgetter
from typing import Any

from pydantic import BaseModel

from sync import jsonfast
from sync.schema import ENTITIES, SHAPES, VALUES, Replicated


def _is_json_field(annotation: Any) -> bool:
    origin = getattr(annotation, "__origin__", None)
    return annotation is dict or origin is dict or origin is list


def dump_compact(value: Any) -> str:
    """Canonical JSON text (sorted keys, compact, UTF-8) for JSON columns."""
    return jsonfast.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class EntityCodec:
    """Everything the store needs to read and write one entity's table."""

    entity: str
    table: str
    shape: type[Replicated]
    #: The same fields as a plain pydantic model: the fast way to check and normalise values.
    values_model: type[BaseModel]
    columns: tuple[str, ...]
    json_columns: frozenset[str]
    bool_columns: frozenset[str]
    user_fields: tuple[str, ...]

    def wire_to_column(self, field: str, value: Any) -> Any:
        if field in self.json_columns:
            return dump_compact(value)
        if field in self.bool_columns:
            return int(bool(value))
        return value

    def column_to_wire(self, field: str, value: Any) -> Any:
        if field in self.json_columns:
            return json.loads(value) if value else {}
        if field in self.bool_columns:
            return bool(value)
        return value

    def row_to_wire(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """A ``SELECT <columns>`` row as a dict of wire values."""
        return {
            name: self.column_to_wire(name, value)
            for name, value in zip(self.columns, row, strict=True)
        }

    def to_model(self, row: tuple[Any, ...]) -> Replicated:
        """A stored row as a validated model (trusted data, but enums and dates typed)."""
        return self.shape.model_validate(self.row_to_wire(row))

    @cached_property
    def column_set(self) -> frozenset[str]:
        return frozenset(self.columns)

    @cached_property
    def insert_sql(self) -> str:
        names = ", ".join(self.columns)
        return f"INSERT INTO {self.table} ({names}) VALUES ({', '.join('?' * len(self.columns))})"

    @cached_property
    def _take_columns(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        return _getter(self.columns)

    @cached_property
    def _json_positions(self) -> tuple[int, ...]:
        return tuple(i for i, n in enumerate(self.columns) if n in self.json_columns)

    @cached_property
    def _bool_positions(self) -> tuple[int, ...]:
        return tuple(i for i, n in enumerate(self.columns) if n in self.bool_columns)

    def wire_to_params(self, wire: dict[str, Any]) -> list[Any]:
        """All columns of a full wire row, in column order, as SQLite values.

        Every local insert and every pulled row passes through here, so the column
        positions needing conversion are worked out once per entity, not per value.
        """
        params = list(self._take_columns(wire))
        for i in self._json_positions:
            params[i] = dump_compact(params[i])
        for i in self._bool_positions:
            params[i] = int(bool(params[i]))
        return params

    @cached_property
    def take_user_fields(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """The :attr:`user_fields` of a wire dict as a tuple, in the same order."""
        return _getter(self.user_fields)

    @property
    def select_sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.table}"


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``itemgetter`` that always returns a tuple (alone, it returns a bare value for one name)."""
    if not names:
        return lambda values: ()
    if len(names) == 1:
        only = names[0]
        return lambda values: (values[only],)
    return itemgetter(*names)


@cache
def codec_for(entity: str) -> EntityCodec:
    """The codec of a wire entity name such as ``equipment``."""
    if entity not in ENTITIES:
        raise KeyError(entity)
    table_model = ENTITIES[entity]
    shape = SHAPES[entity]
    fields = shape.model_fields
    return EntityCodec(
        entity=entity,
        table=str(table_model.__tablename__),
        shape=shape,
        values_model=VALUES[entity],
        columns=tuple(fields),
        json_columns=frozenset(n for n, f in fields.items() if _is_json_field(f.annotation)),
        bool_columns=frozenset(n for n, f in fields.items() if f.annotation is bool),
        user_fields=tuple(
            n
            for n in fields
            if n not in {"id", "building_id", "created_hlc", "updated_hlc", "deleted", "server_rev"}
        ),
    )
