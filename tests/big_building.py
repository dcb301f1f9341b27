"""A building with tens of thousands of pieces of equipment, made in about a second.

Rows go in as the server would send them (one remote transaction, the search
index built in one statement by :func:`~arxos_desktop.store.bulk.insert_indexed`),
not one local edit at a time, which would take minutes for 100,000 rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.bulk import insert_indexed
from arxos_desktop.store.codec import codec_for

SYSTEMS = ("hvac", "electrical", "plumbing", "fire", "security")
STATUSES = ("operational", "needs_service", "out_of_service")
NAMES = ("Air handler", "Panel", "Pump", "Sprinkler valve", "Camera", "Fan coil")


@dataclass
class BigBuilding:
    building_id: str
    #: Floor ids, lowest level first.
    floors: list[str]
    #: Room ids per floor id.
    rooms: dict[str, list[str]]
    count: int


def make_big_building(
    replica: Replica, count: int, *, floors: int = 10, rooms_per_floor: int = 20
) -> BigBuilding:
    """*count* pieces of equipment spread over systems, statuses, floors and rooms.

    Row ``i`` is tagged ``EQ-{i:06d}``, has system ``SYSTEMS[i % 5]``, status
    ``STATUSES[i % 3]``, floor ``i % floors`` and room ``(i // floors) % rooms_per_floor``
    of that floor, so tests can compute what every filter should show.
    """
    building = create_building(replica, name="Big Plant")
    floor_ids: list[str] = []
    room_ids: dict[str, list[str]] = {}
    with replica.transaction() as w:
        for level in range(floors):
            floor = w.insert(
                "floor", {"building_id": building.id, "level": level, "name": f"Level {level}"}
            )
            floor_ids.append(floor["id"])
            room_ids[floor["id"]] = [
                w.insert(
                    "room",
                    {
                        "building_id": building.id,
                        "floor_id": floor["id"],
                        "number": f"{level}{n:02d}",
                        "name": f"Room {n}",
                    },
                )["id"]
                for n in range(rooms_per_floor)
            ]
    codec = codec_for("equipment")
    fixed = {
        "building_id": building.id,
        "created_hlc": "",
        "updated_hlc": "",
        "deleted": 0,
        "server_rev": 1,
        "type": "",
        "manufacturer": "",
        "model": "",
        "serial": "",
        "install_date": None,
        "properties": "{}",
        "position": "{}",
    }
    columns = codec.columns
    rows: list[list[Any]] = []
    for i in range(count):
        floor_id = floor_ids[i % floors]
        values = dict(
            fixed,
            id=str(uuid.uuid4()),
            tag=f"EQ-{i:06d}",
            name=f"{NAMES[i % len(NAMES)]} {i}",
            system=SYSTEMS[i % len(SYSTEMS)],
            status=STATUSES[i % len(STATUSES)],
            floor_id=floor_id,
            room_id=room_ids[floor_id][(i // floors) % rooms_per_floor],
        )
        rows.append([values[name] for name in columns])
    with replica.remote_transaction() as conn:
        insert_indexed(conn, codec.table, codec.insert_sql, rows)
    return BigBuilding(building.id, floor_ids, room_ids, count)
