"""Change capture: the outbox row written in the same transaction as the edit.

A change is exact: the entity, the row, the fields it set with their new wire
values, the server revision the edit was based on, and the clock stamp. The
``change_id`` is what the server de-duplicates retries by.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sync import jsonfast
from sync.ids import new_id


class Op(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


class ChangeState(StrEnum):
    PENDING = "pending"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Change:
    """One local edit waiting to be pushed."""

    change_id: str
    entity: str
    entity_id: str
    building_id: str | None
    op: Op
    fields: dict[str, Any]
    base_rev: int
    hlc: str
    seq: int = 0
    state: ChangeState = ChangeState.PENDING
    reason: str = ""


def new_change(
    *,
    entity: str,
    entity_id: str,
    building_id: str | None,
    op: Op,
    fields: dict[str, Any],
    base_rev: int,
    hlc: str,
) -> Change:
    """A change with a fresh id; ``seq`` is assigned when it is appended."""
    return Change(new_id(), entity, entity_id, building_id, op, fields, base_rev, hlc)


_INSERT = (
    "INSERT INTO outbox (change_id, entity, entity_id, building_id, op, fields, base_rev, hlc)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_COLUMNS = (
    "seq, change_id, entity, entity_id, building_id, op, fields, base_rev, hlc, state, reason"
)


def append_change(conn: sqlite3.Connection, change: Change) -> int:
    """Append *change*; the caller's open transaction makes it atomic with the edit."""
    if not conn.in_transaction:
        raise RuntimeError("outbox changes must be appended inside the edit's transaction")
    cursor = conn.execute(
        _INSERT,
        (
            change.change_id,
            change.entity,
            change.entity_id,
            change.building_id,
            change.op.value,
            jsonfast.dumps(change.fields, sort_keys=True),
            change.base_rev,
            change.hlc,
        ),
    )
    return int(cursor.lastrowid or 0)


#: Stored text → member, by dict lookup: calling the enum per row cost more than the
#: rest of reading a change (a push reads a batch of them for every request).
_OPS: dict[str, Op] = {op.value: op for op in Op}
_STATES: dict[str, ChangeState] = {state.value: state for state in ChangeState}


def _from_row(row: tuple[Any, ...]) -> Change:
    seq, change_id, entity, entity_id, building_id, op, fields, base_rev, hlc, state, reason = row
    try:
        op_member, state_member = _OPS[op], _STATES[state]
    except KeyError as exc:
        raise ValueError(f"outbox change {change_id} has an unknown op or state: {exc}") from exc
    return Change(
        change_id,
        entity,
        entity_id,
        building_id,
        op_member,
        jsonfast.loads(fields),
        base_rev,
        hlc,
        seq,
        state_member,
        reason,
    )


def read_changes(
    conn: sqlite3.Connection,
    *,
    state: ChangeState | None = ChangeState.PENDING,
    building_id: str | None = None,
    limit: int | None = None,
    after_seq: int = 0,
) -> list[Change]:
    """Changes in the order they were made, optionally filtered."""
    sql = f"SELECT {_COLUMNS} FROM outbox WHERE seq > ?"
    params: list[Any] = [after_seq]
    if state is not None:
        sql += " AND state = ?"
        params.append(state.value)
    if building_id is not None:
        sql += " AND building_id = ?"
        params.append(building_id)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_from_row(row) for row in conn.execute(sql, params)]


def count_changes(conn: sqlite3.Connection, *, state: ChangeState = ChangeState.PENDING) -> int:
    """How many changes are in *state*."""
    row = conn.execute("SELECT count(*) FROM outbox WHERE state = ?", (state.value,)).fetchone()
    return int(row[0])
