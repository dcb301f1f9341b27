"""Equipment: list with filters, find by tag, create, edit, delete."""

from __future__ import annotations

from typing import Any, cast

from arxos_desktop.store.deletes import delete_row
from arxos_desktop.store.errors import InvalidEditError
from arxos_desktop.store.queries import get_row, to_model, to_models
from arxos_desktop.store.records import connection_records, equipment_by_tag, equipment_records
from arxos_desktop.store.replica import Replica
from sync.schema import EquipmentBase, EquipmentConnectionBase, RoomBase


def find_by_tag(replica: Replica, building_id: str, tag: str) -> EquipmentBase:
    """The live equipment with *tag* (case-insensitive) in a building."""
    return cast(EquipmentBase, to_model(equipment_by_tag(replica, building_id, tag)))


def list_equipment(
    replica: Replica,
    building_id: str,
    *,
    system: str | None = None,
    status: str | None = None,
    floor_id: str | None = None,
    room_id: str | None = None,
) -> list[EquipmentBase]:
    """Equipment sorted by tag, narrowed by any of the filters given."""
    return to_models(
        equipment_records(
            replica, building_id, system=system, status=status, floor_id=floor_id, room_id=room_id
        )
    )


def _check_unique_tag(replica: Replica, building_id: str, tag: str, own_id: str | None) -> None:
    row = replica.conn.execute(
        "SELECT id FROM equipment WHERE building_id = ? AND tag = ? COLLATE NOCASE AND deleted = 0",
        (building_id, tag.strip()),
    ).fetchone()
    if row is not None and row[0] != own_id:
        raise InvalidEditError("equipment", {"tag": f"{tag!r} is already used in this building"})


def _check_room_floor(replica: Replica, values: dict[str, Any]) -> None:
    """Keep ``floor_id`` consistent with ``room_id``: the room decides the floor."""
    room_id = values.get("room_id")
    if room_id:
        room = cast(RoomBase, get_row(replica, "room", room_id))
        floor_id = room.floor_id
        if values.get("floor_id") not in (None, floor_id):
            raise InvalidEditError("equipment", {"room_id": "the room is on a different floor"})
        values["floor_id"] = floor_id


def create_equipment(
    replica: Replica, *, building_id: str, tag: str, **fields: Any
) -> EquipmentBase:
    values = {"building_id": building_id, "tag": tag, **fields}
    with replica.transaction() as writer:
        _check_unique_tag(replica, building_id, tag, None)
        _check_room_floor(replica, values)
        wire = writer.insert("equipment", values)
    return EquipmentBase.model_validate(wire)


def update_equipment(
    replica: Replica, equipment_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply field changes; returns those that really changed (empty: nothing to do)."""
    changes = dict(changes)
    with replica.transaction() as writer:
        current = writer.current("equipment", equipment_id)
        if "tag" in changes:
            _check_unique_tag(replica, current["building_id"], str(changes["tag"]), equipment_id)
        if "room_id" in changes:
            _check_room_floor(replica, changes)
        elif "floor_id" in changes and current["room_id"]:
            room_floor = get_row(replica, "room", current["room_id"]).floor_id  # type: ignore[attr-defined]
            if changes["floor_id"] != room_floor:
                why = "its room is on another floor; set the room as well (or clear it)"
                raise InvalidEditError("equipment", {"floor_id": why})
        return writer.update("equipment", equipment_id, changes)


def delete_equipment(replica: Replica, equipment_id: str) -> int:
    item = cast(EquipmentBase, get_row(replica, "equipment", equipment_id))
    return delete_row(replica, "equipment", equipment_id, label=item.tag)


def connections_of(
    replica: Replica, equipment_id: str
) -> tuple[list[EquipmentConnectionBase], list[EquipmentConnectionBase]]:
    """(outgoing, incoming) live connections of a piece of equipment."""
    outgoing, incoming = connection_records(replica, equipment_id)
    return to_models(outgoing), to_models(incoming)
