"""What the equipment detail panel reads: the row, its building's places, both link directions."""

from __future__ import annotations

import pytest

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, delete_equipment
from arxos_desktop.store.equipment_view import Link, Place, equipment_view
from tests.conftest import SampleBuilding


def test_view_has_the_row_places_and_both_directions(
    replica: Replica, sample: SampleBuilding
) -> None:
    create_building(replica, name="Elsewhere")  # its floors must not be offered
    ahu = equipment_view(replica, sample.ahu_id)
    assert ahu.row["tag"] == "AHU-1" and ahu.row["properties"] == {"cfm": 12000, "voltage": "480V"}
    assert ahu.row["server_rev"] == 0 and ahu.row["id"] == sample.ahu_id
    assert [f.label for f in ahu.floors] == ["-1: Basement", "1: Level 1"]
    assert Place(sample.room_id, "Room 101 — Mechanical Room", sample.floor_id) in ahu.rooms
    assert ahu.fed_by == []
    assert ahu.feeds == [Link("feeds", "equipment", sample.vav_id, "VAV-101")]

    vav = equipment_view(replica, sample.vav_id)
    assert vav.fed_by == [Link("feeds", "equipment", sample.ahu_id, "AHU-1 — Air handling unit 1")]
    assert vav.feeds == [Link("serves", "room", sample.room_id, "Room 101 — Mechanical Room")]


def test_a_deleted_equipment_is_not_found(replica: Replica, sample: SampleBuilding) -> None:
    pump = create_equipment(replica, building_id=sample.building_id, tag="P-1")
    delete_equipment(replica, pump.id)
    with pytest.raises(NotFoundError):
        equipment_view(replica, pump.id)
