"""Selects by a list of ids, compiled once per list length instead of once per run.

A ``bindparam(..., expanding=True)`` is re-rendered by SQLAlchemy on every
execution, and its rows go through the full result machinery; for the three
"which of these 100 ids exist" queries of every push that cost more than the
lookups themselves. :class:`IdListSelect` renders the statement for a given
list length once per dialect, runs it on the driver, and applies the columns'
own result processors, so callers get exactly the values a Core execute gives.

Upgrade note: this relies on ``compile(compile_kwargs={"render_postcompile": True})``
(documented) and on the compiled statement's ``positional``/``positiontup`` and the
types' ``dialect_impl(...).result_processor``, which a minor SQLAlchemy release may
change; pyproject.toml pins SQLAlchemy to 2.1.x for that reason. Before raising the
pin, run ``tests/server/test_id_lists.py`` on both databases (it compares results
with a plain Core execute); the fallback is ``connection.execute(statement, {name:
ids})``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    #: Parameter names in statement order (positional drivers), else None.
    order: tuple[str, ...] | None
    processors: tuple[Processor, ...]


class IdListSelect:
    """*statement* run with its expanding parameter *name* bound to a list of ids."""

    def __init__(self, statement: Select[Any], name: str) -> None:
        self.statement = statement
        self.name = name
        self._plans: dict[tuple[str, int], _Plan] = {}

    def _plan(self, dialect: Dialect, count: int, others: dict[str, Any]) -> _Plan:
        key = (dialect.name, count)
        plan = self._plans.get(key)
        if plan is None:
            sample = self.statement.params({self.name: [""] * count, **others})
            compiled = sample.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            )
            plan = self._plans[key] = _Plan(compiled.string, order, processors)
        return plan

    def rows(self, db: Connection, ids: Sequence[Any], **others: Any) -> list[tuple[Any, ...]]:
        """The matching rows as tuples of processed values (nothing to match: no query)."""
        if not ids:
            return []
        # Padded (with a repeat, which IN ignores) to a power of two: lists of every
        # length would each compile a statement of their own, which costs a millisecond.
        size = 1 << (len(ids) - 1).bit_length()
        padded = [*ids, *([ids[-1]] * (size - len(ids)))]
        plan = self._plan(db.dialect, size, others)
        named = {f"{self.name}_{k}": value for k, value in enumerate(padded, 1)}
        named.update(others)
        params: Any = tuple(named[n] for n in plan.order) if plan.order is not None else named
        found = db.exec_driver_sql(plan.sql, params).fetchall()
        processing = [(k, p) for k, p in enumerate(plan.processors) if p is not None]
        if not processing:
            return [tuple(row) for row in found]
        out = []
        for row in found:
            values = list(row)
            for k, processor in processing:
                values[k] = processor(values[k])
            out.append(tuple(values))
        return out
