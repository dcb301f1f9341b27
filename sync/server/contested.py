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
#: A floor points at its building through the row's own column, not a value.
BUILDING_ID = "building_id"
#: Entities whose rows point at other rows (:func:`parents_of`).
POINTING = frozenset(PARENT_FIELDS) | TARGETING
#: Entity → the value fields :func:`parents_of` reads. An edit that sets none of them
#: leaves a stored row pointing where it did (its building never changes).
POINTER_FIELDS: dict[str, frozenset[str]] = {
    entity: frozenset(
        [name for name, _ in PARENT_FIELDS.get(entity, ()) if name != BUILDING_ID]
        + (["target_kind", "target_id"] if entity in TARGETING else [])
    )
    for entity in ENTITIES
}


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

    *written* holds the final state of every row this push wrote: its live rows are
    indexed by what they point at in one pass, and the database is asked about the
    other rows once per kind of child, however many rows the push deleted.
    """
    deleted = {key: written[key] for key in deleted_now if key in written and written[key].deleted}
    if not deleted:
        return []
    pointing: dict[tuple[str, str], str] = {}  # row pointed at → a pointing row's clock
    for row in written.values():
        if not row.deleted:
            for target in parents_of(row.entity, row.values, row.building_id):
                pointing.setdefault(target, row.updated_hlc)
    unexplained: dict[str, list[RowView]] = {}
    for key, parent in deleted.items():
        if key not in pointing:
            unexplained.setdefault(parent.entity, []).append(parent)
    for entity, parents in unexplained.items():
        pointing.update(_live_children(db, written, entity, parents))
    found = []
    for key, parent in deleted.items():
        if key in pointing:
            deleted_hlc, deleted_seq = _deleted_at(parent.clocks, parent.updated_hlc, parent.seq)
            found.append(
                Contest(
                    parent.entity, parent.id, parent.building_id, deleted_hlc, pointing[key],
                    deleted_seq,
                )
            )  # fmt: skip
    return found


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
    pointers: Mapping[tuple[str, str], tuple[str, int, str | None]],
) -> list[Contest]:
    """Deletes contested by rows of this push that came to point at an already deleted row.

    *pointers* map each row pointed at to the (hlc, seq, building) of the last change
    of this push that pointed at it. Rows this push wrote are left to :func:`contests`.
    Only a row of the pointing change's own building counts: a record is never
    planted in another building, whatever the pointer names.
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
            hlc, pointer_seq, pointer_building = pointers[entity, row_id]
            if building_id != pointer_building:
                continue
            deleted_hlc, _ = _deleted_at(clocks, updated_hlc, seq)
            found.append(Contest(entity, row_id, building_id, deleted_hlc, hlc, pointer_seq))
    return found


def parents_of(
    entity: str, values: Mapping[str, Any], building_id: str | None
) -> list[tuple[str, str]]:
    """(entity, id) of every row a row of *building_id* with these values points at."""
    found = []
    for name, parent in PARENT_FIELDS.get(entity, ()):
        target = building_id if name == BUILDING_ID else values.get(name)
        if target:
            found.append((parent, str(target)))
    if entity in TARGETING:
        kind, target = values.get("target_kind"), values.get("target_id")
        if kind in ENTITIES and target:
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


def _live_children(
    db: Connection, written: Mapping[tuple[str, str], RowView], entity: str, parents: list[RowView]
) -> dict[tuple[str, str], str]:
    """Deleted *parents* (of one entity) that stored rows not in this push point at → a clock."""
    ids = [parent.id for parent in parents]
    buildings = sorted({parent.building_id for parent in parents if parent.building_id})
    found: dict[tuple[str, str], str] = {}
    for child, field, by_target in _children_kinds(entity):
        pointer = ROWS_TABLE.c.building_id if field == BUILDING_ID else _VALUES[field].as_string()
        condition = and_(
            ROWS_TABLE.c.building_id.in_(buildings),
            ROWS_TABLE.c.entity == child,
            ROWS_TABLE.c.deleted.is_(False),
            pointer.in_(ids),
        )
        if by_target:
            condition = and_(condition, _VALUES["target_kind"].as_string() == entity)
        query = select(ROWS_TABLE.c.id, pointer, ROWS_TABLE.c.updated_hlc).where(condition)
        for row_id, parent_id, updated_hlc in db.execute(query):
            if (child, row_id) not in written:  # its state in this push was indexed already
                found.setdefault((entity, str(parent_id)), str(updated_hlc))
    return found


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
