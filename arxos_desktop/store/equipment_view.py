"""Everything the equipment detail panel shows, read in one worker-thread job.

The panel needs the row, the floors and rooms of its building (to pick from), and
both directions of its connections with a readable name for the other end. One
function gathers them so the UI thread never waits on more than one round trip,
and the connection labels are looked up by id (never by listing the building's
equipment, which can be 100,000 rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arxos_desktop.store.records import Record, connection_records, read_row, read_rows


@dataclass(frozen=True, slots=True)
class Place:
    """A floor or room to choose from: its id, the text to show, and (rooms) its floor."""

    id: str
    label: str
    floor_id: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """One connection seen from this equipment: what kind, and the row at the other end."""

    kind: str
    other_kind: str
    other_id: str
    label: str


@dataclass(frozen=True, slots=True)
class EquipmentView:
    """The row (wire values, system fields included) and what the panel shows around it."""

    row: dict[str, Any]
    floors: list[Place]
    rooms: list[Place]
    fed_by: list[Link]
    feeds: list[Link]


def _labels(replica: Any, entity: str, ids: set[str]) -> dict[str, Record]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = read_rows(replica, entity, where=f"id IN ({marks})", params=tuple(sorted(ids)))
    return {row.id: row for row in rows}


def _equipment_label(row: Record | None) -> str:
    if row is None:
        return "equipment that is not in this replica"
    return f"{row.tag} — {row.name}" if row.name else str(row.tag)


def _room_label(row: Record) -> str:
    return f"Room {row.number} — {row.name}" if row.name else f"Room {row.number}"


def equipment_view(replica: Any, equipment_id: str) -> EquipmentView:
    """The live equipment *equipment_id* with its building's places and its connections."""
    row = read_row(replica, "equipment", equipment_id)
    building_id = row.building_id
    floors = read_rows(replica, "floor", building_id=building_id, order_by="level, name")
    rooms = read_rows(
        replica, "room", building_id=building_id, order_by="number COLLATE NOCASE, id"
    )
    outgoing, incoming = connection_records(replica, equipment_id)
    equipment = _labels(
        replica,
        "equipment",
        {c.source_id for c in incoming}
        | {c.target_id for c in outgoing if c.target_kind == "equipment"},
    )
    rooms_by_id = {r.id: r for r in rooms}

    def other_label(kind: str, other_id: str) -> str:
        if kind == "equipment":
            return _equipment_label(equipment.get(other_id))
        if kind == "room" and other_id in rooms_by_id:
            return _room_label(rooms_by_id[other_id])
        return f"a {kind} that is not in this replica"

    return EquipmentView(
        row=dict(row.wire),
        floors=[Place(f.id, f"{f.level}: {f.name}") for f in floors],
        rooms=[Place(r.id, _room_label(r), r.floor_id) for r in rooms],
        fed_by=[
            Link(c.kind, "equipment", c.source_id, other_label("equipment", c.source_id))
            for c in incoming
        ],
        feeds=[
            Link(c.kind, c.target_kind, c.target_id, other_label(c.target_kind, c.target_id))
            for c in outgoing
        ],
    )
