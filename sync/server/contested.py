"""Deletes that others' work contests, found after a push's changes are applied.

A device only deletes a row once nothing it holds points at it, but it cannot
see what other devices added meanwhile. So the server accepts the delete and,
if a live row still points at the deleted one, keeps a conflict record on the
deleted row's ``deleted`` field: the delete won, "not deleted" lost. Nothing is
removed or refused, every device converges on the same rows, and restoring the
losing value brings the row back for the rows that still need it
(``docs/sync-protocol.md``, "Merge rule").

Two cases. A delete that live rows still point at is found when the delete
arrives (:func:`contests`). A row that comes to point at a row deleted earlier
(:func:`late_pointers`) is looked for only in pushes from devices that had not
pulled the building's newest delete (``srv_delete_marks``): checking every
pushed row's parents cost a tenth of a push.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from sync.clock import Stamp
from sync.ids import new_id
from sync.merge import DELETED
from sync.schema import ENTITIES, PARENT_FIELDS, TARGETING
from sync.server.field_clocks import clock_of
from sync.server.id_lists import IdListSelect
from sync.server.replication import ROWS_TABLE
from sync.server.scope import RowView

_VALUES = ROWS_TABLE.c["values"]
TARGET_ENTITIES = frozenset(ENTITIES)


@dataclass(frozen=True)
class Contest:
    """One contested delete: the deleted row, and the clocks of the delete and the pointer."""

    entity: str
    entity_id: str
    building_id: str | None
    delete_hlc: str
    pointer_hlc: str
    seq: int


def _deleted_at(clocks: Any, updated_hlc: str, seq: int) -> tuple[str, int]:
    """(hlc, seq) of the change that deleted a row."""
    return clock_of(clocks, DELETED) or (updated_hlc, seq)


def contests(
    db: Connection,
    written: Mapping[tuple[str, str], RowView],
    deleted_now: Iterable[tuple[str, str]],
) -> list[Contest]:
    """The deletes of this push that live rows still point at once it is stored.

    *written* holds the final state of every row this push wrote (checked here in
    memory; the database is asked about the others). One record per deleted row.
    """
    found: dict[tuple[str, str], Contest] = {}
    for key in deleted_now:
        parent = written.get(key)
        if parent is None or not parent.deleted or key in found:
            continue
        child_hlc = _live_child(db, written, parent)
        if child_hlc is not None:
            deleted_hlc, deleted_seq = _deleted_at(parent.clocks, parent.updated_hlc, parent.seq)
            found[key] = Contest(
                parent.entity, parent.id, parent.building_id, deleted_hlc, child_hlc, deleted_seq
            )
    return list(found.values())


#: The deleted rows among some ids of one entity (usually none: no values to decode).
_DELETED_AMONG = IdListSelect(
    select(
        ROWS_TABLE.c.id, ROWS_TABLE.c.building_id, ROWS_TABLE.c.clocks, ROWS_TABLE.c.updated_hlc,
        ROWS_TABLE.c.seq,
    ).where(
        ROWS_TABLE.c.entity == bindparam("entity"),
        ROWS_TABLE.c.deleted.is_(True),
        ROWS_TABLE.c.id.in_(bindparam("ids", expanding=True)),
    ),
    "ids",
)  # fmt: skip


def late_pointers(
    db: Connection,
    written: Mapping[tuple[str, str], RowView],
    pointers: Mapping[tuple[str, str], tuple[str, int]],
) -> list[Contest]:
    """Deletes contested by rows of this push that came to point at an already deleted row.

    *pointers* map each row pointed at to the (hlc, seq) of the last change of this
    push that pointed at it. Rows this push wrote are left to :func:`contests`.
    """
    wanted: dict[str, list[str]] = {}
    for entity, row_id in pointers:
        if (entity, row_id) not in written:
            wanted.setdefault(entity, []).append(row_id)
    found = []
    for entity, ids in wanted.items():
        for row_id, building_id, clocks, updated_hlc, seq in _DELETED_AMONG.rows(
            db, sorted(ids), entity=entity
        ):
            hlc, pointer_seq = pointers[entity, row_id]
            deleted_hlc, _ = _deleted_at(clocks, updated_hlc, seq)
            found.append(Contest(entity, row_id, building_id, deleted_hlc, hlc, pointer_seq))
    return found


def parents_of(entity: str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(entity, id) of every row a row with these values points at."""
    found = [
        (parent, str(values[name]))
        for name, parent in PARENT_FIELDS.get(entity, ())
        if values.get(name)
    ]
    if entity in TARGETING:
        kind, target = values.get("target_kind"), values.get("target_id")
        if kind in TARGET_ENTITIES and target:
            found.append((str(kind), str(target)))
    return found


def _children_kinds(entity: str) -> list[tuple[str, str, bool]]:
    """(child entity, field, by target) pairs that can point at an *entity* row."""
    kinds = [
        (child, field, False)
        for child, pairs in PARENT_FIELDS.items()
        for field, parent in pairs
        if parent == entity
    ]
    kinds += [(child, "target_id", True) for child in sorted(TARGETING)]
    return kinds


def _points_at(row: RowView, field: str, by_target: bool, parent: RowView) -> bool:
    if by_target and row.values.get("target_kind") != parent.entity:
        return False
    return bool(row.values.get(field) == parent.id)


def _live_child(
    db: Connection, written: Mapping[tuple[str, str], RowView], parent: RowView
) -> str | None:
    """The clock of a live row still pointing at *parent* after this push, if any."""
    kinds = _children_kinds(parent.entity)
    for row in written.values():
        if not row.deleted and any(
            row.entity == child and _points_at(row, field, by_target, parent)
            for child, field, by_target in kinds
        ):
            return row.updated_hlc
    for child, field, by_target in kinds:
        condition = and_(
            ROWS_TABLE.c.building_id == parent.building_id,
            ROWS_TABLE.c.entity == child,
            ROWS_TABLE.c.deleted.is_(False),
            _VALUES[field].as_string() == parent.id,
        )
        if by_target:
            condition = and_(condition, _VALUES["target_kind"].as_string() == parent.entity)
        query = select(ROWS_TABLE.c.id, ROWS_TABLE.c.updated_hlc).where(condition)
        for row_id, updated_hlc in db.execute(query):
            if (child, row_id) not in written:  # its state in this push was checked above
                return str(updated_hlc)
    return None


def conflict_rows(found: list[Contest], now: Any) -> list[dict[str, Any]]:
    """``srv_conflicts`` rows for *found*."""
    return [
        {
            "id": new_id(),
            "building_id": c.building_id,
            "entity": c.entity,
            "entity_id": c.entity_id,
            "field": DELETED,
            "winner_value": True,
            "loser_value": False,
            "winner_hlc": c.delete_hlc,
            "loser_hlc": c.pointer_hlc,
            "winner_device": Stamp.parse(c.delete_hlc).node,
            "loser_device": Stamp.parse(c.pointer_hlc).node,
            "seq": c.seq,
            "created_at": now,
        }
        for c in found
    ]
