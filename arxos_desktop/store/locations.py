"""A building's floors and rooms with how much equipment each holds: the navigator's tree.

Counted in one grouped pass over the building's equipment, so the tree of a
100,000-row building costs one scan, not one query per floor and room.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arxos_desktop.store.records import building_record
from arxos_desktop.store.replica import Replica, scope_filter


@dataclass(frozen=True)
class RoomNode:
    id: str
    floor_id: str
    number: str
    name: str
    equipment: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}".strip()


@dataclass(frozen=True)
class FloorNode:
    id: str
    level: int
    name: str
    #: Equipment on the floor, in a room or not.
    equipment: int
    rooms: list[RoomNode] = field(default_factory=list)


@dataclass(frozen=True)
class LocationTree:
    building_id: str
    building_name: str
    #: All the building's equipment, with or without a floor.
    equipment: int
    #: Lowest level first.
    floors: list[FloorNode]

    def floor_of_room(self, room_id: str) -> FloorNode | None:
        for floor in self.floors:
            if any(room.id == room_id for room in floor.rooms):
                return floor
        return None


def location_tree(replica: Replica, building_id: str) -> LocationTree:
    """The building → floor → room tree with equipment counts (live rows only)."""
    conn = replica.conn
    building = building_record(replica, building_id)
    by_floor: dict[str | None, int] = {}
    by_room: dict[str, int] = {}
    total = 0
    shown, shown_params = scope_filter(replica, "equipment", "e")
    grouped = conn.execute(
        "SELECT floor_id, room_id, count(*) FROM equipment e"
        f" WHERE building_id = ? AND deleted = 0 AND {shown} GROUP BY floor_id, room_id",
        (building_id, *shown_params),
    )
    for floor_id, room_id, count in grouped:
        total += count
        by_floor[floor_id] = by_floor.get(floor_id, 0) + count
        if room_id is not None:
            by_room[room_id] = by_room.get(room_id, 0) + count
    rooms: dict[str, list[RoomNode]] = {}
    in_rooms, room_params = scope_filter(replica, "room", "r")
    for room_id, floor_id, number, name in conn.execute(
        "SELECT id, floor_id, number, name FROM rooms r WHERE building_id = ? AND deleted = 0"
        f" AND {in_rooms} ORDER BY number COLLATE NOCASE, id",
        (building_id, *room_params),
    ):
        node = RoomNode(room_id, floor_id, number, name, by_room.get(room_id, 0))
        rooms.setdefault(floor_id, []).append(node)
    levels, level_params = scope_filter(replica, "floor", "f")
    floors = [
        FloorNode(floor_id, level, name, by_floor.get(floor_id, 0), rooms.get(floor_id, []))
        for floor_id, level, name in conn.execute(
            "SELECT id, level, name FROM floors f WHERE building_id = ? AND deleted = 0"
            f" AND {levels} ORDER BY level, name, id",
            (building_id, *level_params),
        )
    ]
    return LocationTree(building_id, building.name, total, floors)
