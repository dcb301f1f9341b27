"""Deleting rows without leaving others pointing at nothing.

Structural children (rooms on a floor, equipment in a room, work orders on a
piece of equipment) block a delete, because silently removing them would lose
work. Dependent rows that mean nothing alone (connections, notes, attachments,
drawing markups) are tombstoned with their parent, each as its own change.
"""

from __future__ import annotations

from typing import Final

from arxos_desktop.store.errors import StillReferencedError
from arxos_desktop.store.replica import Replica

#: (child table, column, human description) that block deleting the parent entity.
_BLOCKERS: Final[dict[str, list[tuple[str, str, str]]]] = {
    "building": [("floors", "building_id", "floor(s)")],
    "floor": [
        ("rooms", "floor_id", "room(s)"),
        ("equipment", "floor_id", "piece(s) of equipment"),
        ("documents", "floor_id", "drawing(s)"),
    ],
    "room": [("equipment", "room_id", "piece(s) of equipment")],
    "equipment": [("work_orders", "equipment_id", "work order(s)")],
    "document": [],
    "workorder": [],
}

#: (child entity, child table, column) tombstoned together with the parent.
_CASCADES: Final[dict[str, list[tuple[str, str, str]]]] = {
    "equipment": [
        ("connection", "connections", "source_id"),
        ("connection", "connections", "target_id"),
    ],
    "room": [("connection", "connections", "target_id")],
    "document": [("annotation", "annotations", "document_id")],
}

_TARGETED = ("note", "notes"), ("attachment", "attachments")


def delete_row(replica: Replica, entity: str, entity_id: str, *, label: str = "") -> int:
    """Tombstone a row and its dependants; returns how many rows were deleted."""
    with replica.transaction() as writer:
        writer.current(entity, entity_id)
        name = label or entity
        for table, column, what in _BLOCKERS.get(entity, []):
            (count,) = replica.conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = ? AND deleted = 0", (entity_id,)
            ).fetchone()
            if count:
                raise StillReferencedError(
                    f"{name} still has {count} {what}; move or delete them first"
                )
        deleted = 0
        cascades = [*_CASCADES.get(entity, []), *((e, t, "target_id") for e, t in _TARGETED)]
        for child_entity, table, column in cascades:
            ids = [
                row[0]
                for row in replica.conn.execute(
                    f"SELECT id FROM {table} WHERE {column} = ? AND deleted = 0", (entity_id,)
                )
            ]
            for child_id in ids:
                writer.tombstone(child_entity, child_id)
                deleted += 1
        writer.tombstone(entity, entity_id)
        return deleted + 1
