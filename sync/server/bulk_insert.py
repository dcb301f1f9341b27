"""Multi-row writes for the push path, with SQLAlchemy's per-row machinery left out.

``connection.execute(statement, rows)`` processes every row through the
compiled statement: a parameter dict per row, escaped names, then each value's
type processor. For the hundreds of rows a push writes that was a fifth of the
server's time. :class:`BulkWrite` compiles the statement once per dialect (so
PostgreSQL keeps its JSON casts), applies the same type processors itself in one
tight loop, and hands the rows straight to the driver's ``executemany``. The SQL
and the stored bytes are exactly what the Core statement would have produced.

Upgrade note: this reads attributes of SQLAlchemy's compiled statement that are
public but not promised stable across minor versions (``Compiled.positional``,
``positiontup``, ``binds``, ``escaped_bind_names``) and the types'
``dialect_impl(...).bind_processor``; pyproject.toml pins SQLAlchemy to 2.1.x
for that reason. Before raising the pin, run ``tests/server/test_bulk_insert.py``
on both databases (it compares every write with the Core statement's) and
``bench/sync_bench.py``; if the attributes moved, fall back to
``connection.execute(statement, rows)``, which is correct, only slower.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    #: Bind parameter names: in statement order for positional drivers.
    names: tuple[str, ...]
    #: The names as the driver's parameters (SQLAlchemy escapes some for some drivers).
    keys: tuple[str, ...]
    processors: tuple[Processor, ...]
    positional: bool


class BulkWrite:
    """One INSERT, UPDATE or DELETE run for many rows.

    Rows are mappings, or with ``from_attributes`` objects with an attribute per
    parameter (read directly: copying each into a dict first cost as much as
    processing its values). ``sources`` maps a parameter to the key or attribute
    it is read from, where the two differ (an UPDATE's ``WHERE`` parameters may
    not share a column's name).
    """

    def __init__(
        self,
        statement: UpdateBase,
        *,
        column_keys: Sequence[str] | None = None,
        from_attributes: bool = False,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._getter = attrgetter if from_attributes else itemgetter
        self._sources = dict(sources or {})
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
            positional = bool(compiled.positional)
            names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
            processors = tuple(
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in names
            )
            escaped: dict[str, str] = dict(compiled.escaped_bind_names or {})
            keys = tuple(escaped.get(name, name) for name in names)
            plan = _Plan(compiled.string, names, keys, processors, positional)
            self._plans[dialect.name] = plan
        return plan

    def run(
        self, db: Connection, rows: Sequence[Any], constants: Mapping[str, Any] | None = None
    ) -> None:
        """Run the statement once per row of *rows*, in *db*'s transaction.

        *constants* hold one value for the whole batch (the writer, the time):
        their type processing (a datetime formatted as text, say) is done once.
        """
        if not rows:
            return
        plan = self._plan(db.dialect)
        fixed = constants or {}
        # Values read from each row (in statement order), and the positions to process.
        read = [k for k, name in enumerate(plan.names) if name not in fixed]
        processed = [
            (j, processor)
            for j, k in enumerate(read)
            if (processor := plan.processors[k]) is not None
        ]
        # Constants go back in at their statement positions, ascending, once processed.
        inserted = [
            (k, value if (processor := plan.processors[k]) is None else processor(value))
            for k, name in enumerate(plan.names)
            if name in fixed
            for value in (fixed[name],)
        ]
        sources = self._sources
        getter = self._getter(*(sources.get(plan.names[k], plan.names[k]) for k in read))
        single = len(read) == 1
        params: list[Any] = []
        for row in rows:
            values = [getter(row)] if single else list(getter(row))
            for j, processor in processed:
                values[j] = processor(values[j])
            for k, value in inserted:
                values.insert(k, value)
            if plan.positional:
                params.append(tuple(values))
            else:
                params.append(dict(zip(plan.keys, values, strict=True)))
        db.exec_driver_sql(plan.sql, params)


class BulkInsert(BulkWrite):
    """``INSERT INTO table (columns) VALUES (...)`` for many rows."""

    def __init__(
        self, table: Table, columns: Sequence[str], *, from_attributes: bool = False
    ) -> None:
        super().__init__(insert(table), column_keys=columns, from_attributes=from_attributes)
        self.table = table
        self.columns = tuple(columns)
